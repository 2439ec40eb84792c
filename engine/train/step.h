#pragma once
// One optimiser step, as training runs it and as `device-check` times it: the pieces a step updates,
// the schedule it follows, and the step itself (autocast, loss scaling, clipping, the update, the
// method's after-step work), reading the values it reports once, after the update.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/augment/batch.h"
#include "engine/methods/method.h"
#include "engine/train/amp.h"
#include "engine/train/config.h"

namespace pretext {

// Steps, batch and learning rate of a run over `images` training images (a resolved config). A run
// with a time budget follows the same warm-up and cosine over the fraction of its budget spent, so it
// ends with a completed schedule whatever its speed; `total` is then only a cap.
struct RunSchedule {
  int batch = 2;
  int64_t steps_per_epoch = 1, total = 1, warmup = 0;
  double peak_lr = 0;
  double time_budget_s = 0;  // > 0: a timed run
  double warmup_fraction = 0;
  bool timed() const { return time_budget_s > 0; }
  double lr(int64_t step) const;  // linear warm-up, then cosine to 0; step is 0-based
  // The fraction of the run done before step `step` (0-based) after `elapsed_s` seconds of training.
  double progress(int64_t step, double elapsed_s) const;
  double lr_at(double progress) const;  // the same schedule over a fraction in [0, 1]
  // The steps the run is heading for: total, or for a timed run an estimate from its speed so far
  // (steps_this_session in session_s seconds); methods' schedules (EMA, temperatures) follow it.
  int64_t horizon(int64_t step, double elapsed_s, int64_t steps_this_session, double session_s) const;
};
RunSchedule plan_schedule(const TrainConfig& cfg, size_t images);

// What a step updates and how.
struct TrainingParts {
  std::shared_ptr<MethodImpl> method;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::unique_ptr<GradScaler> scaler;  // fp16 on CUDA only
  bool amp = false;
  at::ScalarType amp_dtype = at::kBFloat16;
  double clip_grad_norm = 0;
  bool channels_last = false;
  uint64_t seed = 0;
};

// The method as a run starts it: seeded with cfg.seed, so the same config gives the same initial
// weights (also the random-init baseline's network), on `device`.
std::shared_ptr<MethodImpl> make_seeded_method(const TrainConfig& cfg, int64_t in_channels, const torch::Device& device);

// Builds the method (seeded, so the same config gives the same initial weights) and its optimiser
// on `device`. Mixed precision only where it applies (CUDA); channels-last is applied separately,
// after any checkpoint is loaded (use_channels_last).
TrainingParts make_training_parts(const TrainConfig& cfg, int64_t in_channels, const torch::Device& device,
                                  double peak_lr);
// Moves the 4-D weights to NHWC when parts.channels_last: oneDNN and cuDNN then skip a reorder per
// convolution (about 1.2-1.3x for a ResNet-18 step on the CPU, bench/README.md).
void use_channels_last(TrainingParts& parts);

// The values a step reports, read from the device once.
struct StepValues {
  double loss = 0;
  std::vector<std::pair<std::string, double>> components;  // named loss terms
  std::vector<std::pair<std::string, double>> monitors;    // not loss terms (teacher entropy, accuracy)
  Formula formula;  // the objective written out, still on the device: read only when it is shown
};

// The pass every step makes, and `device-check` compares across devices: the method in training mode,
// its loss under autocast, and the gradients of the loss (scaled first when there is a scaler).
LossOutput loss_with_gradients(MethodImpl& method, const Batch& batch, bool amp, at::ScalarType amp_dtype,
                               GradScaler* scaler);

// Step `step` (0-based) of `total` at learning rate lr. The loss is checked by the caller: a
// non-finite loss has already been stepped on, and ends the run.
StepValues train_step(TrainingParts& parts, Batch& batch, int64_t step, int64_t total, double lr);

}  // namespace pretext
