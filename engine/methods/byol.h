#pragma once
#include "engine/methods/method.h"

namespace pretext {

// BYOL's regression loss (Grill et al. 2020, eq. 2): 2 - 2 cos(p, z), averaged over the batch.
torch::Tensor byol_regression(const torch::Tensor& p, const torch::Tensor& z);

// BYOL: online network (backbone, projector, predictor) regresses the projection of an EMA target
// network; tau follows the cosine schedule base -> final over the run (after_step).
class BYOLImpl : public MethodImpl {
 public:
  BYOLImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  void after_step(int64_t step, int64_t total_steps) override;
  torch::Tensor embed(const torch::Tensor& x) override { return projector->forward(backbone->forward(x)); }

  double tau() const { return tau_; }  // the value used by the last after_step
  std::shared_ptr<BackboneImpl> target_backbone;
  torch::nn::Sequential projector{nullptr}, predictor{nullptr}, target_projector{nullptr};

 private:
  double base_tau_, final_tau_, tau_;
};

MethodInfo byol_info();

}  // namespace pretext
