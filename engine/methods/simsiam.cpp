#include "engine/methods/simsiam.h"

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {
namespace F = torch::nn::functional;

torch::Tensor simsiam_loss(const torch::Tensor& p1, const torch::Tensor& p2, const torch::Tensor& z1,
                           const torch::Tensor& z2) {
  auto d = [](const torch::Tensor& p, const torch::Tensor& z) {
    return -F::cosine_similarity(p, z.detach(), F::CosineSimilarityFuncOptions().dim(1)).mean();
  };
  return d(p1, z2) / 2 + d(p2, z1) / 2;
}

MethodInfo simsiam_info() {
  // solo-learn's CIFAR SimSiam (scripts/pretrain/cifar/simsiam.yaml): projector 2048 -> 2048 with
  // BN on the output, predictor bottleneck 512 (paper, sec. 3 and appendix); SGD lr 0.05 * batch/256,
  // wd 5e-4 for CIFAR (paper, appendix D).
  return {"simsiam",
          "SimSiam: predictor + stop-gradient, negative cosine",
          "simsiam",
          2,
          {{"proj_hidden", 2048}, {"proj_dim", 2048}, {"pred_hidden", 512}, {"optimizer", "sgd"}}};
}

SimSiamImpl::SimSiamImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p) {
  const int64_t dim = param_int(p, "proj_dim");
  backbone = register_module("backbone", bb);
  projector = register_module("projector", mlp(bb->feature_dim(), param_int(p, "proj_hidden"), dim, 3, true));
  predictor = register_module("predictor", mlp(dim, param_int(p, "pred_hidden"), dim, 2));
}

LossOutput SimSiamImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  auto z1 = projector->forward(backbone->forward(views[0]));
  auto z2 = projector->forward(backbone->forward(views[1]));
  auto p1 = predictor->forward(z1), p2 = predictor->forward(z2);
  auto loss = simsiam_loss(p1, p2, z1, z2);
  // The formula panel's rows: each image's two negative cosines, whose mean over the batch is the loss.
  Formula f;
  {
    torch::NoGradGuard no_grad;
    const auto cosine = [](const torch::Tensor& p, const torch::Tensor& z) {
      return F::cosine_similarity(p.detach(), z.detach(), F::CosineSimilarityFuncOptions().dim(1));
    };
    auto c1 = cosine(p1, z2), c2 = cosine(p2, z1);
    f.expression = "ℓᵢ = −cos(p₁ᵢ, sg(z₂ᵢ))/2 − cos(p₂ᵢ, sg(z₁ᵢ))/2";  // sg: stop-gradient
    f.terms = {{"cos(p₁ᵢ, z₂ᵢ)", c1}, {"cos(p₂ᵢ, z₁ᵢ)", c2}};
    f.row_loss = -(c1 + c2) / 2;
  }
  return {loss, {{"neg_cosine", loss.detach()}}, z1.detach(), {}, f};
}

}  // namespace pretext
