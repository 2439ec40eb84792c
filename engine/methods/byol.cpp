#include "engine/methods/byol.h"

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {
namespace F = torch::nn::functional;

torch::Tensor byol_regression(const torch::Tensor& p, const torch::Tensor& z) {
  return (2 - 2 * F::cosine_similarity(p, z, F::CosineSimilarityFuncOptions().dim(1))).mean();
}

MethodInfo byol_info() {
  // Projector/predictor 4096 -> 256 and tau 0.99 -> 1 as solo-learn's CIFAR BYOL
  // (scripts/pretrain/cifar/byol.yaml; the paper's ImageNet base is 0.996). LARS, lr 1.0 * batch/256,
  // wd 1e-5 (ibid.; LARS as in the paper, sec. 3.3).
  return {"byol",
          "BYOL: predictor regresses an EMA target's projection (cosine tau schedule)",
          "byol",
          2,
          {{"proj_hidden", 4096}, {"proj_dim", 256}, {"pred_hidden", 4096}, {"base_tau", 0.99}, {"final_tau", 1.0},
           {"optimizer", "lars"}, {"base_lr", 1.0}, {"weight_decay", 1e-5}}};
}

BYOLImpl::BYOLImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : base_tau_(param_double(p, "base_tau")), final_tau_(param_double(p, "final_tau")), tau_(base_tau_) {
  const int64_t hidden = param_int(p, "proj_hidden"), dim = param_int(p, "proj_dim");
  backbone = register_module("backbone", bb);
  projector = register_module("projector", mlp(bb->feature_dim(), hidden, dim, 2));
  predictor = register_module("predictor", mlp(dim, param_int(p, "pred_hidden"), dim, 2));
  target_backbone = register_module("target_backbone", bb->same_architecture());
  target_projector = register_module("target_projector", mlp(bb->feature_dim(), hidden, dim, 2));
  copy_into_target(*backbone, *target_backbone);
  copy_into_target(*projector, *target_projector);
}

LossOutput BYOLImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  auto z1 = projector->forward(backbone->forward(views[0]));
  auto z2 = projector->forward(backbone->forward(views[1]));
  auto p1 = predictor->forward(z1), p2 = predictor->forward(z2);
  torch::Tensor t1, t2;
  {
    torch::NoGradGuard no_grad;
    t1 = target_projector->forward(target_backbone->forward(views[0]));
    t2 = target_projector->forward(target_backbone->forward(views[1]));
  }
  // Symmetrised: each view's prediction regresses the other view's target (paper, eq. 2-3).
  auto loss = byol_regression(p1, t2) + byol_regression(p2, t1);
  Formula f;
  {
    torch::NoGradGuard no_grad;
    const auto cosine = [](const torch::Tensor& a, const torch::Tensor& b) {
      return F::cosine_similarity(a.detach(), b, F::CosineSimilarityFuncOptions().dim(1));
    };
    auto c1 = cosine(p1, t2), c2 = cosine(p2, t1);
    f.expression = "ℓᵢ = (2 − 2 cos(p₁ᵢ, z̄₂ᵢ)) + (2 − 2 cos(p₂ᵢ, z̄₁ᵢ))";  // z̄: the EMA target's projection
    f.terms = {{"cos(p₁ᵢ, z̄₂ᵢ)", c1}, {"cos(p₂ᵢ, z̄₁ᵢ)", c2}};
    f.row_loss = (2 - 2 * c1) + (2 - 2 * c2);
  }
  return {loss, {{"regression", loss.detach()}}, z1.detach(), {}, f};
}

void BYOLImpl::after_step(int64_t step, int64_t total_steps) {
  // The update after step k (1-based) uses tau at k-1, so the first update uses the base value.
  tau_ = cosine_tau(base_tau_, final_tau_, step - 1, total_steps);
  ema_update(*backbone, *target_backbone, tau_);
  ema_update(*projector, *target_projector, tau_);
}

}  // namespace pretext
