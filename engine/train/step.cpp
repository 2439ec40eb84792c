#include "engine/train/step.h"

#include <algorithm>

#include "engine/core/seed.h"
#include "engine/models/backbone.h"
#include "engine/train/optim.h"

namespace pretext {
namespace {

// Every value a step reports, gathered into one tensor: one copy to the host (one wait on a GPU)
// instead of one per value.
StepValues read_values(const LossOutput& out) {
  std::vector<torch::Tensor> all = {out.total.detach()};
  for (const auto& [name, t] : out.components) all.push_back(t.detach());
  for (const auto& [name, t] : out.monitors) all.push_back(t.detach());
  for (auto& t : all) t = t.reshape({}).to(torch::kDouble);
  const torch::Tensor host = torch::stack(all).to(torch::kCPU);
  const double* v = host.data_ptr<double>();
  StepValues values;
  values.loss = v[0];
  size_t i = 1;
  for (const auto& [name, t] : out.components) values.components.emplace_back(name, v[i++]);
  for (const auto& [name, t] : out.monitors) values.monitors.emplace_back(name, v[i++]);
  return values;
}

}  // namespace

double RunSchedule::lr(int64_t step) const { return warmup_cosine(peak_lr, step, total, warmup); }

double RunSchedule::progress(int64_t step, double elapsed_s) const {
  return timed() ? std::clamp(elapsed_s / time_budget_s, 0.0, 1.0) : double(step) / double(std::max<int64_t>(1, total));
}

double RunSchedule::lr_at(double fraction) const {
  // A fine virtual step count puts the time fraction through the step schedule itself.
  constexpr int64_t kGrain = 1000000;
  return warmup_cosine(peak_lr, std::llround(fraction * kGrain), kGrain, std::llround(warmup_fraction * kGrain));
}

int64_t RunSchedule::horizon(int64_t step, double elapsed_s, int64_t steps_this_session, double session_s) const {
  if (!timed()) return total;
  if (steps_this_session <= 0 || session_s <= 0) return std::max<int64_t>(step + 1, std::min<int64_t>(total, 1000));
  const double rate = double(steps_this_session) / session_s;
  const auto remaining = static_cast<int64_t>(std::llround(std::max(0.0, time_budget_s - elapsed_s) * rate));
  return std::min(total, step + 1 + remaining);
}

RunSchedule plan_schedule(const TrainConfig& cfg, size_t images) {
  RunSchedule s;
  s.batch = std::max(2, std::min<int>(cfg.batch, static_cast<int>(images)));
  s.steps_per_epoch = std::max<int64_t>(1, static_cast<int64_t>(images) / s.batch);
  s.total = cfg.steps > 0 ? cfg.steps : s.steps_per_epoch * std::max(1, cfg.epochs);
  s.peak_lr = cfg.lr > 0 ? cfg.lr : cfg.base_lr * s.batch / 256.0;
  s.time_budget_s = cfg.time_budget_s;
  s.warmup_fraction = cfg.warmup_fraction;
  // A timed run ends on its clock: epochs do not cap it, steps (if given) do.
  constexpr int64_t kUnbounded = int64_t(1) << 40;
  if (s.timed() && cfg.steps <= 0) s.total = kUnbounded;
  s.warmup = static_cast<int64_t>(cfg.warmup_fraction * s.total);
  return s;
}

std::shared_ptr<MethodImpl> make_seeded_method(const TrainConfig& cfg, int64_t in_channels, const torch::Device& device) {
  torch::manual_seed(cfg.seed);
  auto method = make_method(cfg.method, cfg.method_params, make_backbone(cfg.backbone, in_channels));
  method->to(device);
  return method;
}

TrainingParts make_training_parts(const TrainConfig& cfg, int64_t in_channels, const torch::Device& device,
                                  double peak_lr) {
  TrainingParts p;
  p.method = make_seeded_method(cfg, in_channels, device);
  OptimizerOptions oo;
  oo.name = cfg.optimizer;
  oo.lr = peak_lr;
  oo.momentum = cfg.momentum;
  oo.weight_decay = cfg.weight_decay;
  oo.lars_eta = cfg.lars_eta;
  p.optimizer = make_optimizer(oo, p.method->parameters());
  p.amp = device.is_cuda() && cfg.amp != "off";
  p.amp_dtype = cfg.amp == "fp16" ? at::kHalf : at::kBFloat16;
  if (p.amp && cfg.amp == "fp16") p.scaler = std::make_unique<GradScaler>(device);
  p.clip_grad_norm = cfg.clip_grad_norm;
  p.channels_last = cfg.channels_last;
  p.seed = cfg.seed;
  return p;
}

void use_channels_last(TrainingParts& parts) {
  if (!parts.channels_last) return;
  torch::NoGradGuard no_grad;
  for (auto& p : parts.method->parameters())
    if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
}

LossOutput loss_with_gradients(MethodImpl& method, const Batch& batch, bool amp, at::ScalarType amp_dtype,
                               GradScaler* scaler) {
  method.train();
  LossOutput out;
  {
    AutocastScope autocast(amp, amp_dtype);
    out = method.compute(batch);
  }
  if (scaler)
    scaler->scale(out.total.to(torch::kFloat)).backward();
  else
    out.total.backward();
  return out;
}

StepValues train_step(TrainingParts& parts, Batch& batch, int64_t step, int64_t total, double lr) {
  MethodImpl& method = *parts.method;
  if (parts.channels_last)
    for (auto& v : batch.views) v = v.contiguous(torch::MemoryFormat::ChannelsLast);
  // Dropout, random masks and the like draw from torch's generator: reseeding it per step makes
  // them a function of (seed, step), so a resumed run draws what the uninterrupted one did.
  torch::manual_seed(mix_seed(parts.seed, 0x70c4ull, static_cast<uint64_t>(step)));
  set_learning_rate(*parts.optimizer, lr);
  parts.optimizer->zero_grad();
  const LossOutput out = loss_with_gradients(method, batch, parts.amp, parts.amp_dtype, parts.scaler.get());
  const bool take_step = !parts.scaler || parts.scaler->unscale(method.parameters());
  if (take_step && parts.clip_grad_norm > 0) torch::nn::utils::clip_grad_norm_(method.parameters(), parts.clip_grad_norm);
  if (take_step) parts.optimizer->step();
  if (parts.scaler) parts.scaler->update();
  method.after_step(step + 1, total);
  StepValues values = read_values(out);
  values.formula = out.formula;
  return values;
}

}  // namespace pretext
