#include "engine/methods/vicreg.h"

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {
namespace F = torch::nn::functional;

VICRegTerms vicreg_terms(const torch::Tensor& z1, const torch::Tensor& z2) {
  const double n = double(z1.size(0)), d = double(z1.size(1));
  auto inv = F::mse_loss(z1, z2);
  auto x = z1 - z1.mean(0, true), y = z2 - z2.mean(0, true);
  // Unbiased variance per dimension, as torch.var in the authors' code.
  auto std_x = torch::sqrt(x.pow(2).sum(0) / (n - 1) + 1e-4), std_y = torch::sqrt(y.pow(2).sum(0) / (n - 1) + 1e-4);
  auto var = torch::relu(1 - std_x).mean() / 2 + torch::relu(1 - std_y).mean() / 2;
  auto cov_x = torch::mm(x.t(), x) / (n - 1), cov_y = torch::mm(y.t(), y) / (n - 1);
  auto cov = off_diagonal(cov_x).pow(2).sum() / d + off_diagonal(cov_y).pow(2).sum() / d;
  return {inv, var, cov};
}

MethodInfo vicreg_info() {
  // Weights 25/25/1 (paper, sec. 4.1); solo-learn's CIFAR VICReg (scripts/pretrain/cifar/vicreg.yaml):
  // projector 2048-2048-2048, LARS lr 0.3 * batch/256, weight decay 1e-4.
  return {"vicreg",
          "VICReg: variance-invariance-covariance regularisation",
          "vicreg",
          2,
          {{"sim_weight", 25.0}, {"var_weight", 25.0}, {"cov_weight", 1.0}, {"proj_hidden", 2048}, {"proj_dim", 2048},
           {"optimizer", "lars"}, {"base_lr", 0.3}, {"weight_decay", 1e-4}}};
}

VICRegImpl::VICRegImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : sim_w_(param_double(p, "sim_weight")), var_w_(param_double(p, "var_weight")), cov_w_(param_double(p, "cov_weight")) {
  backbone = register_module("backbone", bb);
  projector = register_module("projector",
                              mlp(bb->feature_dim(), param_int(p, "proj_hidden"), param_int(p, "proj_dim"), 3));
}

LossOutput VICRegImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  auto z1 = projector->forward(backbone->forward(views[0]));
  auto z2 = projector->forward(backbone->forward(views[1]));
  auto t = vicreg_terms(z1, z2);
  auto inv = sim_w_ * t.invariance, var = var_w_ * t.variance, cov = cov_w_ * t.covariance;
  Formula f;  // batch-level terms: the variance and covariance are properties of the whole batch
  f.expression = "L = λ·s(Z, Z′) + μ·[v(Z) + v(Z′)] + ν·[c(Z) + c(Z′)]";
  f.terms = {{"λ·s invariance", inv.detach()}, {"μ·v variance", var.detach()}, {"ν·c covariance", cov.detach()}};
  return {inv + var + cov, {{"invariance", inv.detach()}, {"variance", var.detach()}, {"covariance", cov.detach()}},
          z1.detach(), {}, f};
}

}  // namespace pretext
