#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>

#include "app/cli/commands.h"
#include "app/cli/console_sink.h"
#include "app/cli/stop_on_signal.h"
#include "engine/eval/probes.h"
#include "engine/methods/method_info.h"
#include "engine/models/names.h"
#include "engine/train/options.h"
#include "engine/store/store.h"
#include "engine/train/presets.h"
#include "engine/train/resolve.h"
#include "engine/train/trainer.h"

namespace pretext::cli {

double parse_duration_s(const std::string& text) {
  size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  const std::string unit = text.substr(std::min(used, text.size()));
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
  if (used == 0 || scale < 0 || !(value > 0))
    throw CLI::ValidationError("--time-budget", "'" + text + "' is not a duration (90s, 3m, 1.5h)");
  return value * scale;
}

void add_probes_option(CLI::App* cmd, std::vector<std::string>& probes) {
  std::string names;
  for (const auto& kind : probe_kinds()) names += (names.empty() ? "" : ", ") + kind.name;
  cmd->add_option("--probes", probes,
                  "Probes to run at the end (and every --probe-every steps), from: " + names + " (kNN always runs)")
      ->delimiter(',');
  cmd->add_flag_callback("--linear-probe", [&probes] { probes.push_back("linear"); },
                         "Probes also fit a linear classifier on the frozen features (same as --probes knn,linear)");
}

namespace {

struct TrainArgs {
  TrainConfig cfg;
  std::string config_file;
  std::string preset;
  std::string db = kDefaultDb;
  const CLI::App* command = nullptr;
};

// Whether the user gave the flag that sets this config field (--time-budget sets time_budget_s,
// --base-lr base_lr, ...): such a flag overrides the preset's value.
bool flag_given(const CLI::App& command, const std::string& field) {
  std::string flag = field == "time_budget_s" ? "time-budget" : field;
  std::replace(flag.begin(), flag.end(), '_', '-');
  const CLI::Option* option = command.get_option_no_throw("--" + flag);
  return option != nullptr && option->count() > 0;
}

int run_train(TrainArgs& a) {
  TrainConfig cfg = a.cfg;
  if (!a.config_file.empty()) {
    std::ifstream in(a.config_file);
    if (!in) {
      std::fprintf(stderr, "error: cannot read %s\n", a.config_file.c_str());
      return 2;
    }
    try {
      cfg = TrainConfig::from_json(nlohmann::json::parse(in));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s: %s\n", a.config_file.c_str(), e.what());
      return 2;
    }
  }
  if (!a.preset.empty())
    cfg = with_run_preset(cfg, run_preset(a.preset), [&](const std::string& f) { return flag_given(*a.command, f); });
  if (cfg.data.empty()) {
    std::fprintf(stderr, "error: --data is required\n");
    return 2;
  }
  try {
    resolve_config(cfg);  // the trainer resolves it again; here a bad field is a usage error (exit 2)
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  try {
    Store opened(a.db);  // a --db that cannot be a database is refused before minutes of data loading
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  ConsoleSink sink(10);
  Trainer trainer(cfg, sink, a.db);
  return run_to_end(trainer, a.db);
}

}  // namespace

void add_train(CLI::App& app, Commands& out) {
  auto a = std::make_shared<TrainArgs>();
  TrainConfig& cfg = a->cfg;
  auto* train = app.add_subcommand("train", "Pretrain a backbone with a self-supervised method");
  a->command = train;
  train->add_option("--config", a->config_file, "Run configuration as JSON (replaces the flags)");
  std::string presets;
  for (const auto& p : run_presets()) presets += "\n  " + p.name + ": " + p.summary;
  train->add_option("--preset", a->preset, "A named recipe; flags given explicitly override its fields:" + presets)
      ->check(CLI::IsMember(run_preset_names()))
      ->excludes("--config");
  train->add_option("--data", cfg.data, "Folder of images, or an IDX file");
  train->add_option("--eval-data", cfg.eval_data, "Labelled images for the kNN probe");
  train->add_option("--method", cfg.method, "SSL method (see `pretext-cli methods`)")
      ->capture_default_str()->check(CLI::IsMember(method_names()));
  std::string own_backbones;  // the methods that name their backbone, from the method table
  for (const auto& m : method_infos())
    if (m.defaults.contains("backbone")) own_backbones += m.defaults["backbone"].get<std::string>() + " for " + m.name + ", ";
  train->add_option("--backbone", cfg.backbone,
                    "auto (the method's default: " + own_backbones + "else resnet-tiny), or one of: " +
                        join_names(backbone_names()) + " (a ViT may add /PATCH and @SIZE)")->capture_default_str();
  train->add_option("--pipeline", cfg.pipeline, "Augmentation preset name or JSON file");
  train->add_option("--epochs", cfg.epochs, "Epochs")->capture_default_str()->check(CLI::PositiveNumber);
  train->add_option("--steps", cfg.steps, "Optimiser steps (overrides --epochs)")->check(CLI::PositiveNumber);
  train->add_option_function<std::string>(
      "--time-budget", [a](const std::string& v) { a->cfg.time_budget_s = parse_duration_s(v); },
      "Train this long (90s, 3m, 1.5h): the learning-rate schedule follows the time spent and ends complete; "
      "--steps still caps the run, epochs do not");
  train->add_option("--batch", cfg.batch, "Batch size")->capture_default_str()->check(CLI::Range(2, 1 << 16));
  train->add_option("--lr", cfg.lr, "Peak learning rate (default: --base-lr * batch / 256)");
  auto optimizers = optimizer_names();
  optimizers.insert(optimizers.begin(), "auto");
  train->add_option("--optimizer", cfg.optimizer, "auto (the method's default), " + join_names(optimizer_names()))
      ->capture_default_str()->check(CLI::IsMember(optimizers));
  train->add_option("--base-lr", cfg.base_lr, "Learning rate per 256 images (default: the method's, see `methods`)");
  train->add_option("--weight-decay", cfg.weight_decay, "Weight decay (default: the method's, see `methods`)");
  train->add_option("--clip-grad-norm", cfg.clip_grad_norm, "Clip the gradients' global L2 norm (0: off)");
  train->add_option("--amp", cfg.amp, "Mixed precision on CUDA: " + join_names(amp_modes()))
      ->capture_default_str()->check(CLI::IsMember(amp_modes()));
  train->add_flag("--channels-last,!--no-channels-last", cfg.channels_last,
                  "NHWC memory format for convolutions (default on: faster on CPU and GPU)");
  train->add_option("--checkpoint-every", cfg.checkpoint_every, "Steps between checkpoints (also written at stop)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  train->add_option("--seed", cfg.seed, "Random seed")->capture_default_str();
  train->add_option("--device", cfg.device, "auto, cpu or cuda[:N]")->capture_default_str();
  train->add_option("--threads", cfg.threads, "CPU threads (0 = all cores)")->capture_default_str();
  train->add_option("--workers", cfg.workers, "Loader threads augmenting batches ahead (0 = all cores)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  train->add_option("--probe-every", cfg.probe_every, "Steps between full probes during training (0: only at the end)")
      ->check(CLI::NonNegativeNumber);
  add_probes_option(train, cfg.probes);
  train->add_option("--limit", cfg.limit, "Use at most this many training images");
  train->add_option("--resize", cfg.resize, "Resize every image to this square size on load");
  train->add_option("--name", cfg.name, "Run name");
  train->add_option("--db", a->db, "SQLite experiment database")->capture_default_str();
  out.push_back({train, [a] { return run_train(*a); }});
}

}  // namespace pretext::cli
