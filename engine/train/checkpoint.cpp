#include "engine/train/checkpoint.h"

#include "engine/core/atomic_file.h"
#include "engine/store/store.h"

#include <torch/torch.h>  // named here so that the engine build gives this file its precompiled header

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace pretext {
namespace {

int64_t read_i64(torch::serialize::InputArchive& a, const char* key) {
  torch::Tensor t;
  a.read(key, t);
  return t.item<int64_t>();
}

}  // namespace

std::string checkpoint_path(const std::string& db_path, int64_t run_id, int64_t step) {
  return run_dir(db_path, run_id) + "/ckpt-" + std::to_string(step) + ".pt";
}

void save_checkpoint(const std::string& path, torch::nn::Module& model, const torch::optim::Optimizer& opt,
                     const CheckpointMeta& meta) {
  torch::serialize::OutputArchive archive, model_archive, opt_archive;
  model.save(model_archive);
  opt.save(opt_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", opt_archive);
  archive.write("meta_format", torch::tensor(int64_t(meta.format)));
  archive.write("meta_step", torch::tensor(meta.step));
  archive.write("meta_total_steps", torch::tensor(meta.total_steps));
  // uint64 seeds do not fit a tensor type; the bit pattern does.
  archive.write("meta_seed", torch::tensor(static_cast<int64_t>(meta.seed)));
  archive.write("meta_elapsed_s", torch::tensor(meta.elapsed_s, torch::kDouble));
  write_file_atomically(path, [&](std::ostream& out) { archive.save_to(out); });
}

namespace {

// opt null: the weights alone (a probe of a checkpoint).
CheckpointMeta load_into(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* opt,
                         const torch::Device& device) {
  if (!std::filesystem::exists(path)) throw std::runtime_error("checkpoint " + path + " does not exist");
  // The archive replaces tensors whole, shapes included: a checkpoint of another architecture
  // would load silently. Compare every parameter's and buffer's shape before and after.
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  for (const auto& kv : model.named_parameters()) shapes.emplace_back(kv.key(), kv.value().sizes().vec());
  for (const auto& kv : model.named_buffers()) shapes.emplace_back(kv.key(), kv.value().sizes().vec());
  torch::serialize::InputArchive archive, model_archive, opt_archive;
  try {
    archive.load_from(path, device);
    archive.read("model", model_archive);
    model.load(model_archive);
    size_t i = 0;
    for (const auto& kv : model.named_parameters()) {
      if (i >= shapes.size() || kv.value().sizes().vec() != shapes[i].second)
        throw std::runtime_error("checkpoint " + path + " does not match this run: parameter " + kv.key() +
                                 " has another shape");
      ++i;
    }
    for (const auto& kv : model.named_buffers()) {
      if (i >= shapes.size() || kv.value().sizes().vec() != shapes[i].second)
        throw std::runtime_error("checkpoint " + path + " does not match this run: buffer " + kv.key() +
                                 " has another shape");
      ++i;
    }
    if (opt) {
      archive.read("optimizer", opt_archive);
      opt->load(opt_archive);
    }
    CheckpointMeta m;
    m.format = static_cast<int>(read_i64(archive, "meta_format"));
    m.step = read_i64(archive, "meta_step");
    m.total_steps = read_i64(archive, "meta_total_steps");
    m.seed = static_cast<uint64_t>(read_i64(archive, "meta_seed"));
    torch::Tensor elapsed;  // absent from checkpoints written before time budgets
    if (archive.try_read("meta_elapsed_s", elapsed)) m.elapsed_s = elapsed.item<double>();
    return m;
  } catch (const c10::Error& e) {
    throw std::runtime_error("checkpoint " + path + " does not match this run: " + e.what_without_backtrace());
  }
}

}  // namespace

CheckpointMeta load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& opt,
                               const torch::Device& device) {
  return load_into(path, model, &opt, device);
}

CheckpointMeta load_checkpoint_weights(const std::string& path, torch::nn::Module& model, const torch::Device& device) {
  return load_into(path, model, nullptr, device);
}

}  // namespace pretext
