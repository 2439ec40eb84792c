#pragma once
#include "engine/methods/method.h"

namespace pretext {

// SimSiam's symmetrised loss (Chen & He 2021, eq. 3-4): D(p1, sg(z2))/2 + D(p2, sg(z1))/2 with
// D = -cosine similarity; the stop-gradient is inside.
torch::Tensor simsiam_loss(const torch::Tensor& p1, const torch::Tensor& p2, const torch::Tensor& z1,
                           const torch::Tensor& z2);

class SimSiamImpl : public MethodImpl {
 public:
  SimSiamImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  torch::Tensor embed(const torch::Tensor& x) override { return projector->forward(backbone->forward(x)); }

  torch::nn::Sequential projector{nullptr}, predictor{nullptr};
};

MethodInfo simsiam_info();

}  // namespace pretext
