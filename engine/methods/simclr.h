#pragma once
#include "engine/methods/method.h"

namespace pretext {

// NT-Xent (Chen et al. 2020, eq. 1) over the 2N views of a batch: for each view the positive is
// its partner, the 2N-2 other views are negatives; mean over all 2N anchors.
torch::Tensor nt_xent(const torch::Tensor& z1, const torch::Tensor& z2, double temperature);
// The same objective row by row for the formula panel: for each of the 2N views, the cosine
// similarity to its positive, the log-sum-exp over every other view at temperature tau, and its loss
// l_i = -s(i, pos)/tau + log sum_{k != i} exp(s(i, k)/tau), whose mean is nt_xent. No gradient.
Formula nt_xent_formula(const torch::Tensor& z1, const torch::Tensor& z2, double temperature);

// Linear -> BN -> ReLU -> Linear, as in SimCLR's projection head.
torch::nn::Sequential mlp_head(int64_t in, int64_t hidden, int64_t out, bool last_bn = false);

class SimCLRImpl : public MethodImpl {
 public:
  SimCLRImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  torch::Tensor embed(const torch::Tensor& x) override { return projector->forward(backbone->forward(x)); }

 private:
  double temperature_;
  torch::nn::Sequential projector{nullptr};
};

MethodInfo simclr_info();

}  // namespace pretext
