#pragma once
// A checkpoint holds everything a run needs to continue the same loss curve: the whole method
// (backbone, heads, target networks, queues, centres: every registered parameter and buffer), the
// optimiser state and the step reached. The data order, the augmentation draws and torch's RNG are
// functions of (seed, step) in the trainer, so the step is the whole RNG and data position.
#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace pretext {

struct CheckpointMeta {
  int64_t step = 0;         // optimiser steps done
  int64_t total_steps = 0;  // of the run, for a sanity check on resume
  uint64_t seed = 0;
  int format = 1;
  double elapsed_s = 0;     // training time spent so far: a time-budget run continues from it
};

// Written to `path + ".tmp"`, flushed to disk, then renamed over `path`: a crash leaves either the
// old file or the new one, never half of one.
void save_checkpoint(const std::string& path, torch::nn::Module& model, const torch::optim::Optimizer& opt,
                     const CheckpointMeta& meta);

// Restores model and optimiser in place (they must have the run's structure); tensors go to device.
CheckpointMeta load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& opt,
                               const torch::Device& device);

// The model's parameters and buffers alone (probing a checkpoint; the optimiser state is not read).
CheckpointMeta load_checkpoint_weights(const std::string& path, torch::nn::Module& model, const torch::Device& device);

// <db>.runs/<run_id>/ckpt-<step>.pt
std::string checkpoint_path(const std::string& db_path, int64_t run_id, int64_t step);

}  // namespace pretext
