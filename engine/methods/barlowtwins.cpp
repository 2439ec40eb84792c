#include "engine/methods/barlowtwins.h"

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {

BarlowTerms barlow_twins_loss(const torch::Tensor& z1, const torch::Tensor& z2, double lambda, double scale) {
  const double n = double(z1.size(0));
  auto standardise = [](const torch::Tensor& z) {
    auto centred = z - z.mean(0, true);
    return centred / torch::sqrt(centred.pow(2).mean(0, true) + 1e-5);  // biased variance, as BN
  };
  auto c = torch::mm(standardise(z1).t(), standardise(z2)) / n;
  auto on = (torch::diagonal(c) - 1).pow(2).sum();
  auto off = off_diagonal(c).pow(2).sum();
  return {scale * on, scale * lambda * off, c.detach()};
}

MethodInfo barlowtwins_info() {
  // lambda 0.0051 (paper, sec. 4 / appendix); solo-learn's CIFAR Barlow Twins
  // (scripts/pretrain/cifar/barlow.yaml): projector 2048-2048-2048, scale_loss 0.1, LARS lr 0.3 * batch/256,
  // weight decay 1e-4.
  return {"barlowtwins",
          "Barlow Twins: cross-correlation to identity (redundancy reduction, lambda)",
          "barlowtwins",
          2,
          {{"lambda", 0.0051}, {"scale_loss", 0.1}, {"proj_hidden", 2048}, {"proj_dim", 2048}, {"optimizer", "lars"},
           {"base_lr", 0.3}, {"weight_decay", 1e-4}}};
}

BarlowTwinsImpl::BarlowTwinsImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : lambda_(param_double(p, "lambda")), scale_(param_double(p, "scale_loss")) {
  backbone = register_module("backbone", bb);
  // Three linear layers, BN + ReLU between them (paper, sec. 3).
  projector = register_module("projector",
                              mlp(bb->feature_dim(), param_int(p, "proj_hidden"), param_int(p, "proj_dim"), 3));
}

LossOutput BarlowTwinsImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  auto z1 = projector->forward(backbone->forward(views[0]));
  auto z2 = projector->forward(backbone->forward(views[1]));
  auto t = barlow_twins_loss(z1, z2, lambda_, scale_);
  auto loss = t.invariance + t.redundancy;
  Formula f;  // batch-level terms: C is the cross-correlation of the two views over the batch
  f.expression = "L = Σᵢ (1 − Cᵢᵢ)² + λ Σᵢ Σⱼ≠ᵢ Cᵢⱼ²";
  f.terms = {{"Σ (1 − Cᵢᵢ)² invariance", t.invariance.detach()},
             {"λ Σ Cᵢⱼ² redundancy", t.redundancy.detach()},
             {"λ", torch::full({}, lambda_)}};
  return {loss, {{"invariance", t.invariance.detach()}, {"redundancy", t.redundancy.detach()}}, z1.detach(), {}, f};
}

}  // namespace pretext
