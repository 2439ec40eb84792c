#include "engine/methods/simclr.h"

#include <limits>

namespace pretext {
namespace nn = torch::nn;

namespace {
struct ContrastiveLogits {
  torch::Tensor logits;   // [2N, 2N] cosine similarities / tau, -inf on the diagonal
  torch::Tensor targets;  // [2N] the row of each view's positive
};

ContrastiveLogits nt_xent_logits(const torch::Tensor& z1, const torch::Tensor& z2, double temperature) {
  const int64_t n = z1.size(0);
  auto z = torch::nn::functional::normalize(torch::cat({z1, z2}, 0),
                                            torch::nn::functional::NormalizeFuncOptions().dim(1));
  auto logits = torch::mm(z, z.t()) / temperature;
  // A view is never its own negative.
  logits = logits.masked_fill(torch::eye(2 * n, torch::TensorOptions().dtype(torch::kBool).device(z.device())),
                              -std::numeric_limits<float>::infinity());
  return {logits, torch::cat({torch::arange(n, 2 * n), torch::arange(0, n)}).to(z.device())};
}
}  // namespace

torch::Tensor nt_xent(const torch::Tensor& z1, const torch::Tensor& z2, double temperature) {
  const ContrastiveLogits c = nt_xent_logits(z1, z2, temperature);
  return torch::nn::functional::cross_entropy(c.logits, c.targets);
}

namespace {
// The formula panel's rows from the logits the loss was computed from (no second similarity matrix).
Formula formula_of(const ContrastiveLogits& c, double temperature) {
  torch::NoGradGuard no_grad;
  const auto logits = c.logits.detach().to(torch::kFloat);
  auto positive = logits.gather(1, c.targets.unsqueeze(1)).squeeze(1);
  auto log_sum_exp = logits.logsumexp(1);
  auto negatives = logits.scatter(1, c.targets.unsqueeze(1), -std::numeric_limits<float>::infinity());
  Formula f;
  f.expression = "ℓᵢ = −s(zᵢ, zⱼ)/τ + log Σₖ≠ᵢ exp(s(zᵢ, zₖ)/τ)";
  f.terms = {{"s(zᵢ, zⱼ) positive", positive * temperature},
             {"s(zᵢ, zₖ) nearest negative", std::get<0>(negatives.max(1)) * temperature},
             {"log Σ exp", log_sum_exp},
             {"τ", torch::full({}, temperature)}};
  f.row_loss = log_sum_exp - positive;
  f.positive = c.targets;
  f.nearest_negative = negatives.argmax(1);
  return f;
}
}  // namespace

Formula nt_xent_formula(const torch::Tensor& z1, const torch::Tensor& z2, double temperature) {
  torch::NoGradGuard no_grad;
  return formula_of(nt_xent_logits(z1.detach().to(torch::kFloat), z2.detach().to(torch::kFloat), temperature),
                    temperature);
}

nn::Sequential mlp_head(int64_t in, int64_t hidden, int64_t out, bool last_bn) {
  nn::Sequential s(nn::Linear(in, hidden), nn::BatchNorm1d(hidden), nn::ReLU(), nn::Linear(hidden, out));
  if (last_bn) s->push_back(nn::BatchNorm1d(nn::BatchNorm1dOptions(out).affine(false)));
  return s;
}

MethodInfo simclr_info() {
  // Defaults: temperature 0.5 for CIFAR-10 (Chen et al. 2020, B.9); 2048 -> 128 projection in the
  // paper, 512 -> 128 for ResNet-18 in Lightly's CIFAR-10 benchmark (hidden = backbone width there),
  // which trains it with SGD (lr 0.06 * batch/256, momentum 0.9, wd 5e-4).
  return {"simclr", "SimCLR: NT-Xent contrastive loss over two views", "simclr-cifar", 2,
          {{"temperature", 0.5}, {"proj_hidden", 512}, {"proj_dim", 128}, {"optimizer", "sgd"}}};
}

SimCLRImpl::SimCLRImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : temperature_(p.at("temperature").get<double>()) {
  backbone = register_module("backbone", bb);
  projector = register_module(
      "projector", mlp_head(backbone->feature_dim(), p.at("proj_hidden").get<int64_t>(), p.at("proj_dim").get<int64_t>()));
}

LossOutput SimCLRImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  // One forward per view, as Lightly's SimCLR does: BatchNorm normalises each view by its own
  // statistics, and on a CPU two N batches train faster than one 2N batch (bench/README.md,
  // "CPU training throughput").
  auto z1 = projector->forward(backbone->forward(views[0]));
  auto z2 = projector->forward(backbone->forward(views[1]));
  // nt_xent's two steps, so that the formula panel reads the same logits instead of a second matrix.
  const ContrastiveLogits c = nt_xent_logits(z1, z2, temperature_);
  auto loss = torch::nn::functional::cross_entropy(c.logits, c.targets);
  return {loss, {{"nt_xent", loss.detach()}}, z1.detach(), {}, formula_of(c, temperature_)};
}

}  // namespace pretext
