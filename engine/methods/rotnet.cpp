#include "engine/methods/rotnet.h"

#include <algorithm>
#include <tuple>

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {
namespace F = torch::nn::functional;

std::pair<torch::Tensor, torch::Tensor> rotation_batch(const torch::Tensor& x) {
  if (x.size(2) != x.size(3)) throw std::runtime_error("rotnet needs square images");
  std::vector<torch::Tensor> rotated, labels;
  for (int64_t k = 0; k < 4; ++k) {
    rotated.push_back(k == 0 ? x : torch::rot90(x, k, {2, 3}));
    labels.push_back(torch::full({x.size(0)}, k, torch::TensorOptions().dtype(torch::kLong).device(x.device())));
  }
  return {torch::cat(rotated, 0), torch::cat(labels, 0)};
}

MethodInfo rotnet_info() {
  // Every image in all four rotations in the same batch, which the paper found best (Gidaris et al.
  // 2018, sec. 2.2.2 / table 1); an MLP classifier on the pooled features (hidden 512) instead of the
  // paper's conv blocks, as the CIFAR RotNet baselines of the SSL benchmarks. SGD (paper, sec. 3.1).
  return {"rotnet",
          "RotNet: predict which of 4 rotations was applied (cross-entropy)",
          "rotnet",
          1,
          {{"head_hidden", 512}, {"optimizer", "sgd"}},
          MethodInfo::kPretextTask};
}

RotNetImpl::RotNetImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p) {
  backbone = register_module("backbone", bb);
  classifier = register_module("classifier", mlp(bb->feature_dim(), param_int(p, "head_hidden"), 4, 2));
}

LossOutput RotNetImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  // A pipeline that rotates in the augmentation (rotnet-views) labels each view with its rotation;
  // otherwise the four rotations of the first view are made here.
  const bool drawn = !batch.targets.empty() && batch.targets.size() == views.size() &&
                     std::all_of(batch.targets.begin(), batch.targets.end(), [](const torch::Tensor& t) { return t.defined(); });
  torch::Tensor x, labels;
  if (drawn) {
    x = torch::cat(views, 0);
    labels = torch::cat(batch.targets, 0).to(x.device());
  } else {
    std::tie(x, labels) = rotation_batch(views[0]);
  }
  auto f = backbone->forward(x);
  auto logits = classifier->forward(f);
  auto loss = F::cross_entropy(logits, labels);
  auto acc = (logits.argmax(1) == labels).to(torch::kFloat).mean();
  // The first block is the first view (unrotated when rotated here).
  return {loss, {{"rotation_ce", loss.detach()}}, f.slice(0, 0, views[0].size(0)).detach(),
          {{"rotation_accuracy", acc.detach()}}};
}

MethodImpl::Picture RotNetImpl::picture(const torch::Tensor& x) {
  if (x.size(2) != x.size(3)) return {};
  std::vector<torch::Tensor> turned;
  for (int64_t i = 0; i < x.size(0); ++i) turned.push_back(torch::rot90(x[i], i % 4, {1, 2}));
  auto input = torch::stack(turned);
  auto guess = classifier->forward(backbone->forward(input)).argmax(1).cpu();
  Picture pic;
  pic.rows = {{"input", input}};
  int64_t right = 0;
  for (int64_t i = 0; i < x.size(0); ++i) {
    const int64_t g = guess[i].item<int64_t>();
    right += g == i % 4;
    pic.captions.push_back(std::to_string(90 * (i % 4)) + "\u00b0, guess " + std::to_string(90 * g) + "\u00b0");
  }
  pic.score_name = "rotation accuracy";
  pic.score = double(right) / double(x.size(0));
  return pic;
}

}  // namespace pretext
