// pretext-cli compare-tasks: the task families on equal terms, one run after another, one table.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include "app/cli/commands.h"
#include "app/cli/console_sink.h"
#include "app/cli/stop_on_signal.h"
#include "engine/models/names.h"
#include "engine/store/store.h"
#include "engine/train/options.h"
#include "engine/train/resolve.h"
#include "engine/train/task_comparison.h"
#include "engine/train/trainer.h"

namespace pretext::cli {
namespace {

constexpr int64_t kDefaultSteps = 300;

struct CompareArgs {
  TrainConfig base;
  std::vector<std::string> methods;
  std::string db = kDefaultDb;
};

// "compare-20261207-061500": the tag that lets the runs page and `runs list --tag` find the set.
std::string comparison_tag() {
  const std::time_t now = std::time(nullptr);
  char s[32];
  std::strftime(s, sizeof s, "compare-%Y%m%d-%H%M%S", std::gmtime(&now));
  return s;
}

// Checks every config before the first run starts: a typo in the last method would otherwise
// surface an hour in.
bool configs_are_valid(const std::vector<TrainConfig>& configs) {
  for (const auto& c : configs) {
    try {
      resolve_config(c);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s: %s\n", c.method.c_str(), e.what());
      return false;
    }
  }
  return true;
}

int run_comparison(const CompareArgs& a) {
  if (a.base.data.empty()) {
    std::fprintf(stderr, "error: --data is required\n");
    return 2;
  }
  TrainConfig base = a.base;
  // Without a time budget every method gets 300 steps; with one, the time decides unless --steps caps it.
  if (base.steps == 0 && base.time_budget_s <= 0) base.steps = kDefaultSteps;
  std::vector<TrainConfig> configs;
  try {
    configs = task_comparison_configs(
        base, a.methods.empty() ? default_compared_methods(resolve_backbone_name(base.backbone, {})) : a.methods);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  if (!configs_are_valid(configs)) return 2;
  const std::string tag = comparison_tag();
  std::vector<TaskOutcome> outcomes;
  for (const auto& cfg : configs) {
    std::printf("== %s (%zu of %zu)\n", cfg.method.c_str(), outcomes.size() + 1, configs.size());
    ConsoleSink console(50);
    OutcomeRecorder recorder(cfg.method, console);
    Trainer trainer(cfg, recorder, a.db);
    run_to_end(trainer, a.db);
    outcomes.push_back(recorder.outcome());
    if (trainer.run_id() > 0) Store(a.db).add_tag(trainer.run_id(), tag);
    if (trainer.status() == "stopped") break;  // Ctrl-C ends the comparison, not only this run
  }
  std::printf("\n%s\nruns tagged %s: pretext-cli runs list --tag %s --db %s\n",
              describe_task_comparison(outcomes).c_str(), tag.c_str(), tag.c_str(), a.db.c_str());
  return 0;
}

}  // namespace

void add_compare_tasks(CLI::App& app, Commands& out) {
  auto a = std::make_shared<CompareArgs>();
  TrainConfig& b = a->base;
  b.backbone = "resnet-tiny";
  auto* cmd = app.add_subcommand(
      "compare-tasks",
      "Train several methods on equal terms (same images, backbone, steps, seed) one after another and "
      "compare their kNN probes with the untrained network and the raw pixels");
  cmd->add_option("--data", b.data, "Folder of images, or an IDX file")->required();
  cmd->add_option("--eval-data", b.eval_data, "Labelled images for the kNN probe");
  cmd->add_option("--methods", a->methods,
                  "Methods to compare (default: every pretext task that can train the backbone, and simclr)")
      ->delimiter(',');
  cmd->add_option("--backbone", b.backbone, "One backbone for all: " + join_names(backbone_names()))
      ->capture_default_str();
  cmd->add_option("--steps", b.steps, "Optimiser steps per method (default 300 without --time-budget)")
      ->check(CLI::PositiveNumber);
  cmd->add_option_function<std::string>(
      "--time-budget", [a](const std::string& v) { a->base.time_budget_s = parse_duration_s(v); },
      "Train each method this long instead (90s, 3m); --steps, when given, still caps it");
  cmd->add_option("--batch", b.batch, "Batch size")->capture_default_str()->check(CLI::Range(2, 1 << 16));
  cmd->add_option("--limit", b.limit, "Use at most this many training images");
  cmd->add_option("--resize", b.resize, "Resize every image to this square size on load");
  cmd->add_option("--seed", b.seed, "Random seed (the same for every method)")->capture_default_str();
  add_probes_option(cmd, b.probes);
  cmd->add_option("--device", b.device, "auto, cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--threads", b.threads, "CPU threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--name", b.name, "Name prefix of the runs (default: compare)");
  cmd->add_option("--db", a->db, "SQLite experiment database")->capture_default_str();
  out.push_back({cmd, [a] { return run_comparison(*a); }});
}

}  // namespace pretext::cli
