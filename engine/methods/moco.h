#pragma once
#include "engine/methods/method.h"

namespace pretext {

// InfoNCE of MoCo (He et al. 2020, eq. 1): for each query the positive is its key, the negatives are
// the queue's keys; q, k [N, D] and queue [K, D] are expected L2-normalised.
torch::Tensor moco_infonce(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& queue,
                           double temperature);

// MoCo v2 (Chen et al. 2020): query encoder + momentum key encoder, a FIFO queue of negatives,
// MLP projection head; the loss is symmetrised over the two views (as solo-learn's MoCo v2+).
class MoCoImpl : public MethodImpl {
 public:
  MoCoImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  void after_step(int64_t step, int64_t total_steps) override;
  torch::Tensor embed(const torch::Tensor& x) override { return projector->forward(backbone->forward(x)); }

  double momentum() const { return momentum_; }
  torch::Tensor queue, queue_ptr;  // [K, D] keys; write position
  std::shared_ptr<BackboneImpl> target_backbone;
  torch::nn::Sequential projector{nullptr}, target_projector{nullptr};

 private:
  double temperature_, momentum_;
  torch::Tensor pending_keys_;
};

MethodInfo moco_info();

}  // namespace pretext
