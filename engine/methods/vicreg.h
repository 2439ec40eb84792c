#pragma once
#include "engine/methods/method.h"

namespace pretext {

struct VICRegTerms {
  torch::Tensor invariance;  // mean squared distance between the two views' embeddings
  torch::Tensor variance;    // hinge on each dimension's std, gamma 1, eps 1e-4
  torch::Tensor covariance;  // squared off-diagonal covariances / d
};

// VICReg (Bardes et al. 2022, sec. 3, and the authors' main_vicreg.py): the three unweighted terms.
VICRegTerms vicreg_terms(const torch::Tensor& z1, const torch::Tensor& z2);

class VICRegImpl : public MethodImpl {
 public:
  VICRegImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  torch::Tensor embed(const torch::Tensor& x) override { return projector->forward(backbone->forward(x)); }

  torch::nn::Sequential projector{nullptr};

 private:
  double sim_w_, var_w_, cov_w_;
};

MethodInfo vicreg_info();

}  // namespace pretext
