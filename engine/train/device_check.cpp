#include "engine/train/device_check.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "engine/methods/method.h"
#include "engine/models/backbone.h"
#include "engine/train/data_fit.h"
#include "engine/train/resolve.h"
#include "engine/train/step.h"

namespace pretext {
namespace {

std::shared_ptr<MethodImpl> build(const DeviceCheckOptions& o) {
  torch::manual_seed(o.seed);  // identical initial weights wherever it is built
  return make_method(o.method, nlohmann::json::object(), make_backbone(o.backbone, o.channels));
}

struct Pass {
  double loss = 0, grad_norm = 0;
  std::vector<torch::Tensor> grads;  // on the CPU
};

Pass loss_and_grads(MethodImpl& m, const std::vector<torch::Tensor>& views, bool amp) {
  fit_method_to_images(m, views[0]);
  m.zero_grad();
  const LossOutput out = loss_with_gradients(m, batch_of_views(views), amp, at::kBFloat16, nullptr);
  Pass p;
  p.loss = out.total.item<double>();
  double sq = 0;
  for (auto& param : m.parameters()) {
    if (!param.grad().defined()) continue;
    auto g = param.grad().to(torch::kCPU, torch::kDouble);
    sq += g.pow(2).sum().item<double>();
    p.grads.push_back(g);
  }
  p.grad_norm = std::sqrt(sq);
  return p;
}

double max_rel_grad_diff(const Pass& a, const Pass& b) {
  double worst = 0;
  for (size_t i = 0; i < a.grads.size() && i < b.grads.size(); ++i) {
    const double scale = std::max(a.grads[i].abs().max().item<double>(), 1e-12);
    worst = std::max(worst, (a.grads[i] - b.grads[i]).abs().max().item<double>() / scale);
  }
  return worst;
}

struct ThroughputResult {
  double images_per_s = 0, first_loss = 0, last_loss = 0;
};

ThroughputResult time_training_steps(const DeviceCheckOptions& o, const std::string& amp, const torch::Device& dev,
                                     const std::vector<torch::Tensor>& views) {
  TrainConfig cfg;
  cfg.method = o.method;
  cfg.backbone = o.backbone;
  cfg.batch = o.batch;
  cfg.amp = amp;
  cfg.channels_last = o.channels_last;
  cfg.seed = o.seed;
  cfg.steps = o.warmup + o.steps;
  cfg.device = dev.str();
  cfg = resolve_config(cfg);
  const RunSchedule plan = plan_schedule(cfg, static_cast<size_t>(o.batch));
  TrainingParts parts = make_training_parts(cfg, o.channels, dev, plan.peak_lr);
  fit_method_to_images(*parts.method, views[0]);
  use_channels_last(parts);
  ThroughputResult r;
  std::chrono::steady_clock::time_point t0;
  for (int s = 0; s < o.warmup + o.steps; ++s) {
    if (s == o.warmup) {
      if (dev.is_cuda()) torch::cuda::synchronize();
      t0 = std::chrono::steady_clock::now();
    }
    Batch batch = batch_of_views(views);
    const StepValues v = train_step(parts, batch, s, plan.total, plan.lr(s));
    if (s == 0) r.first_loss = v.loss;
    r.last_loss = v.loss;
  }
  if (dev.is_cuda()) torch::cuda::synchronize();
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.images_per_s = double(o.batch) * o.steps / dt;
  return r;
}

}  // namespace

nlohmann::json run_device_check(const DeviceCheckOptions& o, const std::function<void(const std::string&)>& log) {
  const torch::Device dev(o.device);
  if (dev.is_cuda() && !torch::cuda::is_available()) throw std::runtime_error("CUDA is not available here");
  nlohmann::json report;

  // A fixed batch: two "views" drawn once on the CPU, the same bytes on both devices.
  torch::manual_seed(o.seed + 1);
  std::vector<torch::Tensor> cpu_views = {torch::randn({o.batch, o.channels, o.size, o.size}),
                                          torch::randn({o.batch, o.channels, o.size, o.size})};
  std::vector<torch::Tensor> dev_views;
  for (auto& v : cpu_views) dev_views.push_back(v.to(dev));

  // 1. Agreement in fp32. TF32 would round convolutions and matrix products to 10-bit mantissas.
  auto& ctx = at::globalContext();
  const bool tf32_cudnn = ctx.allowTF32CuDNN(), tf32_cublas = ctx.allowTF32CuBLAS();
  ctx.setAllowTF32CuDNN(false);
  ctx.setAllowTF32CuBLAS(false);
  auto on_cpu = build(o);
  auto on_dev = build(o);
  on_dev->to(dev);
  const Pass a = loss_and_grads(*on_cpu, cpu_views, false);
  const Pass b = loss_and_grads(*on_dev, dev_views, false);
  const double rel = std::abs(a.loss - b.loss) / std::max(std::abs(a.loss), 1e-12);
  const double grad_rel = max_rel_grad_diff(a, b);
  nlohmann::json agree = {{"loss_cpu", a.loss},          {"loss_device", b.loss},
                          {"loss_rel_diff", rel},        {"grad_norm_cpu", a.grad_norm},
                          {"grad_norm_device", b.grad_norm}, {"grad_max_rel_diff", grad_rel},
                          {"tolerance", o.tolerance}};
  // Gradients go through more reductions than the loss: allow ten times the tolerance.
  bool ok = std::isfinite(b.loss) && rel <= o.tolerance && grad_rel <= 10 * o.tolerance;
  if (dev.is_cuda()) {
    auto on_dev_bf16 = build(o);
    on_dev_bf16->to(dev);
    const Pass c = loss_and_grads(*on_dev_bf16, dev_views, true);
    agree["loss_device_bf16"] = c.loss;
    agree["loss_rel_diff_bf16"] = std::abs(a.loss - c.loss) / std::max(std::abs(a.loss), 1e-12);
  }
  agree["ok"] = ok;
  report["agreement"] = agree;
  log("agreement: cpu loss " + std::to_string(a.loss) + ", " + o.device + " loss " + std::to_string(b.loss) +
      ", relative difference " + std::to_string(rel) + ", gradients " + std::to_string(grad_rel) +
      (ok ? " (ok)" : " (FAILED)"));
  ctx.setAllowTF32CuDNN(tf32_cudnn);
  ctx.setAllowTF32CuBLAS(tf32_cublas);
  on_cpu.reset();

  // 2. Throughput of the step training runs (train_step: schedule, clipping, scaler, update) on the
  // fixed batch, with the method's recipe and PyTorch's default math settings, as the Python
  // baseline runs it.
  report["throughput"] = nlohmann::json::array();
  for (const auto& mode : o.amp) {
    check_amp_mode(mode);
    if (!dev.is_cuda() && mode != "off") continue;
    const ThroughputResult t = time_training_steps(o, mode, dev, dev_views);
    report["throughput"].push_back({{"amp", mode}, {"channels_last", o.channels_last}, {"images_per_s", t.images_per_s},
                                    {"first_loss", t.first_loss}, {"last_loss", t.last_loss},
                                    {"memory_bytes", device_memory_bytes(dev)}});
    log("throughput amp=" + mode + ": " + std::to_string(t.images_per_s) + " images/s (loss " +
        std::to_string(t.first_loss) + " -> " + std::to_string(t.last_loss) + ")");
    ok = ok && std::isfinite(t.last_loss);
  }
  report["ok"] = ok;
  report["config"] = {{"method", o.method}, {"backbone", o.backbone}, {"batch", o.batch}, {"size", o.size},
                      {"steps", o.steps},   {"warmup", o.warmup},     {"device", o.device}};
  return report;
}

}  // namespace pretext
