#pragma once
#include "engine/methods/method.h"

namespace pretext {

struct BarlowTerms {
  torch::Tensor invariance;  // scale * sum_i (1 - C_ii)^2
  torch::Tensor redundancy;  // scale * lambda * sum_{i != j} C_ij^2
  torch::Tensor correlation; // C, detached
};

// Barlow Twins (Zbontar et al. 2021, eq. 1-2): C = zn1^T zn2 / N with each column standardised over
// the batch (BatchNorm without affine: biased variance, eps 1e-5).
BarlowTerms barlow_twins_loss(const torch::Tensor& z1, const torch::Tensor& z2, double lambda, double scale);

class BarlowTwinsImpl : public MethodImpl {
 public:
  BarlowTwinsImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  torch::Tensor embed(const torch::Tensor& x) override { return projector->forward(backbone->forward(x)); }

  torch::nn::Sequential projector{nullptr};

 private:
  double lambda_, scale_;
};

MethodInfo barlowtwins_info();

}  // namespace pretext
