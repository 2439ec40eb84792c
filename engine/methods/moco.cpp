#include "engine/methods/moco.h"

#include <limits>

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {
namespace F = torch::nn::functional;

namespace {
// Each query's similarity to its key in column 0, then to every queued key, over the temperature.
torch::Tensor moco_logits(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& queue, double temperature) {
  auto l_pos = (q * k).sum(1, true);
  auto l_neg = torch::mm(q, queue.t());
  return torch::cat({l_pos, l_neg}, 1) / temperature;
}

torch::Tensor infonce_of(const torch::Tensor& logits) {
  // The positive sits in column 0 for every query.
  return F::cross_entropy(logits, torch::zeros({logits.size(0)}, torch::TensorOptions().dtype(torch::kLong).device(logits.device())));
}

// The formula panel's rows from the logits the loss was computed from: both directions' queries
// stacked (rows 0..N-1 the first view's, N..2N-1 the second's), whose mean is the symmetrised loss.
// A row's positive is the other view of its image; its negatives are queued keys of earlier batches,
// which have no image to show.
Formula formula_of(const torch::Tensor& logits, double temperature) {
  torch::NoGradGuard no_grad;
  const auto l = logits.detach().to(torch::kFloat);
  const int64_t n = l.size(0) / 2;
  auto positive = l.select(1, 0);
  auto log_sum_exp = l.logsumexp(1);
  Formula f;
  f.expression = "ℓᵢ = −s(qᵢ, k₊)/τ + log (exp(s(qᵢ, k₊)/τ) + Σₖ∈queue exp(s(qᵢ, k)/τ))";
  f.terms = {{"s(qᵢ, k₊) positive", positive * temperature},
             {"s(qᵢ, k) nearest queued key", std::get<0>(l.slice(1, 1).max(1)) * temperature},
             {"log Σ exp", log_sum_exp},
             {"τ", torch::full({}, temperature)}};
  f.row_loss = log_sum_exp - positive;
  f.positive = torch::cat({torch::arange(n, 2 * n), torch::arange(0, n)}).to(l.device());
  return f;
}
}  // namespace

torch::Tensor moco_infonce(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& queue,
                           double temperature) {
  return infonce_of(moco_logits(q, k, queue, temperature));
}

MethodInfo moco_info() {
  // solo-learn's CIFAR MoCo v2+ (scripts/pretrain/cifar/mocov2plus.yaml): temperature 0.2, queue
  // 32768, momentum 0.99 -> 1 (here constant 0.99 as MoCo v2's fixed m, which uses 0.999 with
  // 65536 keys on ImageNet), projector 2048 -> 256. SGD lr 0.3 * batch/256, wd 5e-4 (ibid.).
  return {"moco",
          "MoCo v2: momentum key encoder and a queue of negatives (InfoNCE)",
          "moco",
          2,
          {{"temperature", 0.2}, {"queue_size", 32768}, {"momentum", 0.99}, {"proj_hidden", 2048},
           {"proj_dim", 256}, {"optimizer", "sgd"}}};
}

MoCoImpl::MoCoImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : temperature_(param_double(p, "temperature")), momentum_(param_double(p, "momentum")) {
  const int64_t hidden = param_int(p, "proj_hidden"), dim = param_int(p, "proj_dim"), k = param_int(p, "queue_size");
  if (k < 1) throw std::runtime_error("moco: queue_size must be at least 1");
  backbone = register_module("backbone", bb);
  // MoCo v2's head: 2-layer MLP with ReLU and no BatchNorm.
  projector = register_module("projector", mlp(bb->feature_dim(), hidden, dim, 2, false, false));
  target_backbone = register_module("target_backbone", bb->same_architecture());
  target_projector = register_module("target_projector", mlp(bb->feature_dim(), hidden, dim, 2, false, false));
  copy_into_target(*backbone, *target_backbone);
  copy_into_target(*projector, *target_projector);
  queue = register_buffer("queue", F::normalize(torch::randn({k, dim}), F::NormalizeFuncOptions().dim(1)));
  queue_ptr = register_buffer("queue_ptr", torch::zeros({1}, torch::kLong));
}

LossOutput MoCoImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  auto norm = F::NormalizeFuncOptions().dim(1);
  // Each view in its own forward, so BatchNorm cannot leak batch statistics between a query and
  // its key (the single-device stand-in for MoCo's shuffled BN).
  auto z1 = projector->forward(backbone->forward(views[0]));
  auto q1 = F::normalize(z1, norm), q2 = F::normalize(projector->forward(backbone->forward(views[1])), norm);
  torch::Tensor k1, k2;
  {
    torch::NoGradGuard no_grad;
    k1 = F::normalize(target_projector->forward(target_backbone->forward(views[0])), norm);
    k2 = F::normalize(target_projector->forward(target_backbone->forward(views[1])), norm);
  }
  const auto logits1 = moco_logits(q1, k2, queue, temperature_), logits2 = moco_logits(q2, k1, queue, temperature_);
  auto loss = (infonce_of(logits1) + infonce_of(logits2)) / 2;
  pending_keys_ = torch::cat({k1, k2}, 0);
  return {loss, {{"infonce", loss.detach()}}, z1.detach(), {}, formula_of(torch::cat({logits1, logits2}, 0), temperature_)};
}

void MoCoImpl::after_step(int64_t, int64_t) {
  ema_update(*backbone, *target_backbone, momentum_);
  ema_update(*projector, *target_projector, momentum_);
  if (!pending_keys_.defined()) return;
  torch::NoGradGuard no_grad;
  const int64_t k = queue.size(0);
  auto keys = pending_keys_.size(0) > k ? pending_keys_.slice(0, pending_keys_.size(0) - k) : pending_keys_;
  // The pointer stays on the device: reading it would make every step wait for the GPU.
  auto rows = (torch::arange(keys.size(0), torch::TensorOptions().dtype(torch::kLong).device(queue.device())) +
               queue_ptr.to(queue.device())) % k;
  queue.index_copy_(0, rows, keys.to(queue.dtype()));
  queue_ptr.add_(keys.size(0)).remainder_(k);
  pending_keys_ = torch::Tensor();
}

}  // namespace pretext
