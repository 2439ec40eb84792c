#include "engine/methods/relative_location.h"

#include <algorithm>
#include <cmath>

#include "engine/methods/heads.h"
#include "engine/methods/jigsaw.h"

namespace pretext {
namespace F = torch::nn::functional;

torch::Tensor jittered_grid_patches(const torch::Tensor& x, int64_t patch, std::mt19937_64& rng) {
  const int64_t n = x.size(0), cell = std::min(x.size(2), x.size(3)) / 3;
  if (patch < 1 || patch > cell)
    throw std::runtime_error("relative-location: patches of " + std::to_string(patch) + " px do not fit cells of " +
                             std::to_string(cell) + " px");
  std::uniform_int_distribution<int64_t> offset(0, cell - patch);
  std::vector<torch::Tensor> out;
  out.reserve(size_t(n * 9));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < 3; ++r)
      for (int64_t c = 0; c < 3; ++c) {
        const int64_t top = r * cell + offset(rng), left = c * cell + offset(rng);
        out.push_back(x[i].slice(1, top, top + patch).slice(2, left, left + patch));
      }
  return torch::stack(out).view({n, 9, x.size(1), patch, patch});
}

MethodInfo relative_location_info() {
  // Patches take 3/4 of their cell, so the gap plus jitter is a quarter of it (the paper: 96 px
  // patches in 144 px cells with up to 7 px of jitter, i.e. a third); with 32 px images that is
  // 7 px patches moving by up to 3 px. Per-patch normalisation against colour and brightness
  // shortcuts. Classifier: the two features concatenated -> 512 -> 8 (the paper's fc layers, smaller).
  // SGD as the paper.
  return {"relative-location",
          "Relative patch location: which of the 8 neighbours of the centre patch is this? (cross-entropy)",
          "relative-location",
          1,
          {{"patch_fraction", 0.75}, {"head_hidden", 512}, {"optimizer", "sgd"}},
          MethodInfo::kPretextTask};
}

RelativeLocationImpl::RelativeLocationImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : patch_fraction_(param_double(p, "patch_fraction")) {
  if (!(patch_fraction_ > 0.0 && patch_fraction_ <= 1.0))
    throw std::runtime_error("relative-location: patch_fraction must be in (0, 1]");
  backbone = register_module("backbone", bb);
  classifier = register_module("classifier", mlp(2 * bb->feature_dim(), param_int(p, "head_hidden"), 8, 2));
}

int64_t RelativeLocationImpl::patch_size(const torch::Tensor& x) const {
  const int64_t cell = std::min(x.size(2), x.size(3)) / 3;
  return std::max<int64_t>(1, std::lround(patch_fraction_ * double(cell)));
}

torch::Tensor RelativeLocationImpl::classify(const torch::Tensor& patches) {
  const auto s = patches.sizes();
  const int64_t n = s[0];
  auto f = backbone->forward(standardise_patches(patches).reshape({n * 9, s[2], s[3], s[4]})).view({n, 9, -1});
  const auto neighbours = torch::tensor({0, 1, 2, 3, 5, 6, 7, 8}, torch::TensorOptions().dtype(torch::kLong).device(f.device()));
  auto centre = f.select(1, 4).unsqueeze(1).expand({n, 8, f.size(2)});
  auto pairs = torch::cat({centre, f.index_select(1, neighbours)}, 2);  // [N, 8, 2D]
  return classifier->forward(pairs.reshape({n * 8, -1}));
}

MethodImpl::Picture RelativeLocationImpl::picture(const torch::Tensor& x) {
  const int64_t n = x.size(0);
  std::mt19937_64 rng(0);
  auto patches = jittered_grid_patches(x, patch_size(x), rng);
  auto right = (classify(patches).argmax(1).view({n, 8}).cpu() ==
                torch::arange(8, torch::kLong).unsqueeze(0)).sum(1);
  Picture pic;
  pic.rows = {{"patches", from_tiles(standardise_patches(patches), 3)}};
  for (int64_t i = 0; i < n; ++i) pic.captions.push_back(std::to_string(right[i].item<int64_t>()) + " of 8 placed");
  pic.score_name = "location accuracy";
  pic.score = right.sum().item<double>() / double(8 * n);
  return pic;
}

LossOutput RelativeLocationImpl::compute(const Batch& batch) {
  const auto& x = batch.views[0];
  const int64_t n = x.size(0);
  std::mt19937_64 rng = engine_from_torch_generator();
  auto logits = classify(jittered_grid_patches(x, patch_size(x), rng));
  auto labels = torch::arange(8, torch::TensorOptions().dtype(torch::kLong).device(x.device())).repeat({n});
  auto loss = F::cross_entropy(logits, labels);
  torch::Tensor accuracy, emb;
  {
    torch::NoGradGuard no_grad;
    accuracy = (logits.argmax(1) == labels).to(torch::kFloat).mean();
    emb = backbone->forward(x);  // the whole image, as the probes see it
  }
  return {loss, {{"location_ce", loss.detach()}}, emb, {{"location_accuracy", accuracy}}};
}

}  // namespace pretext
