#include "engine/methods/moco.h"

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {
namespace F = torch::nn::functional;

torch::Tensor moco_infonce(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& queue,
                           double temperature) {
  auto l_pos = (q * k).sum(1, true);
  auto l_neg = torch::mm(q, queue.t());
  auto logits = torch::cat({l_pos, l_neg}, 1) / temperature;
  // The positive sits in column 0 for every query.
  return F::cross_entropy(logits, torch::zeros({q.size(0)}, torch::TensorOptions().dtype(torch::kLong).device(q.device())));
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
  auto loss = (moco_infonce(q1, k2, queue, temperature_) + moco_infonce(q2, k1, queue, temperature_)) / 2;
  pending_keys_ = torch::cat({k1, k2}, 0);
  return {loss, {{"infonce", loss.detach()}}, z1.detach()};
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
