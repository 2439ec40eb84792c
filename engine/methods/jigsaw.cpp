#include "engine/methods/jigsaw.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "engine/methods/heads.h"
#include "engine/methods/method.h"

namespace pretext {
namespace F = torch::nn::functional;

std::vector<std::vector<int64_t>> jigsaw_method_permutations(int64_t tiles, int64_t count) {
  if (tiles < 2 || tiles > 9) throw std::runtime_error("jigsaw: 2 to 9 tiles (a grid of 2 or 3)");
  std::vector<uint8_t> all;  // every permutation, lexicographic
  std::vector<uint8_t> p(static_cast<size_t>(tiles));
  std::iota(p.begin(), p.end(), uint8_t(0));
  do all.insert(all.end(), p.begin(), p.end());
  while (std::next_permutation(p.begin(), p.end()));
  const size_t n = all.size() / size_t(tiles);
  if (count < 1 || size_t(count) > n)
    throw std::runtime_error("jigsaw: permutations must be between 1 and " + std::to_string(n));
  std::vector<int> min_dist(n, std::numeric_limits<int>::max());
  std::vector<std::vector<int64_t>> chosen;
  size_t next = 0;  // the identity comes first in lexicographic order
  for (int64_t c = 0; c < count; ++c) {
    const uint8_t* q = &all[next * size_t(tiles)];
    chosen.emplace_back(q, q + tiles);
    for (size_t j = 0; j < n; ++j) {
      const uint8_t* r = &all[j * size_t(tiles)];
      int d = 0;
      for (int64_t i = 0; i < tiles; ++i) d += r[i] != q[i];
      min_dist[j] = std::min(min_dist[j], d);
    }
    next = size_t(std::max_element(min_dist.begin(), min_dist.end()) - min_dist.begin());
  }
  return chosen;
}

torch::Tensor to_tiles(const torch::Tensor& x, int64_t g) {
  const int64_t n = x.size(0), c = x.size(1), t = std::min(x.size(2), x.size(3)) / g;
  if (t < 1) throw std::runtime_error("jigsaw: images are smaller than the tile grid");
  auto v = x.slice(2, 0, g * t).slice(3, 0, g * t).reshape({n, c, g, t, g, t});
  return v.permute({0, 2, 4, 1, 3, 5}).reshape({n, g * g, c, t, t});
}

torch::Tensor from_tiles(const torch::Tensor& tiles, int64_t g) {
  const int64_t n = tiles.size(0), c = tiles.size(2), t = tiles.size(3);
  return tiles.reshape({n, g, g, c, t, t}).permute({0, 3, 1, 4, 2, 5}).reshape({n, c, g * t, g * t});
}

MethodInfo jigsaw_info() {
  // A 3x3 grid as the paper; 100 permutations (the paper's table 3 studies 100 to 1000; 100 keeps the
  // task learnable on small images and the classifier small). Classifier: per-tile features
  // concatenated -> 1024 -> P, the paper's fc7/fc8 at a smaller width. SGD (paper, sec. 4).
  return {"jigsaw",
          "Jigsaw: predict which of a fixed set of tile permutations shuffled the image",
          "jigsaw",
          1,
          {{"grid", 3}, {"permutations", 100}, {"head_hidden", 1024}, {"optimizer", "sgd"}},
          MethodInfo::kPretextTask};
}

JigsawImpl::JigsawImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p) : grid_(param_int(p, "grid")) {
  if (grid_ < 2 || grid_ > 3) throw std::runtime_error("jigsaw: grid must be 2 or 3");
  const auto perms = jigsaw_method_permutations(grid_ * grid_, param_int(p, "permutations"));
  std::vector<int64_t> flat;
  for (const auto& r : perms) flat.insert(flat.end(), r.begin(), r.end());
  backbone = register_module("backbone", bb);
  permutations = register_buffer("permutations",
                                 torch::tensor(flat, torch::kLong).view({int64_t(perms.size()), grid_ * grid_}));
  classifier = register_module("classifier", mlp(grid_ * grid_ * bb->feature_dim(), param_int(p, "head_hidden"),
                                                 int64_t(perms.size()), 2));
}

torch::Tensor JigsawImpl::shuffled_tiles(const torch::Tensor& x, const torch::Tensor& labels) const {
  auto tiles = to_tiles(x, grid_);  // [N, T, C, t, t]
  const auto s = tiles.sizes().vec();
  auto perm = permutations.index_select(0, labels);  // [N, T]
  auto idx = perm.view({s[0], s[1], 1, 1, 1}).expand(s);
  return standardise_patches(tiles.gather(1, idx));
}

LossOutput JigsawImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  const auto& x = views[0];
  const int64_t n = x.size(0), t = grid_ * grid_;
  auto labels = torch::randint(permutations.size(0), {n}, torch::TensorOptions().dtype(torch::kLong).device(x.device()));
  auto tiles = shuffled_tiles(x, labels);
  const auto s = tiles.sizes();
  // One siamese backbone for every tile (the paper's context-free network).
  auto f = backbone->forward(tiles.reshape({n * t, s[2], s[3], s[4]}));
  auto logits = classifier->forward(f.reshape({n, -1}));
  auto loss = F::cross_entropy(logits, labels);
  auto acc = (logits.argmax(1) == labels).to(torch::kFloat).mean();
  // Mean over an image's tile features: independent of the permutation, no extra forward.
  return {loss, {{"permutation_ce", loss.detach()}}, f.reshape({n, t, -1}).mean(1).detach(),
          {{"permutation_accuracy", acc.detach()}}};
}

MethodImpl::Picture JigsawImpl::picture(const torch::Tensor& x) {
  const int64_t n = x.size(0), t = grid_ * grid_;
  auto labels = torch::arange(n, torch::TensorOptions().dtype(torch::kLong).device(x.device())).remainder(permutations.size(0));
  auto tiles = shuffled_tiles(x, labels);
  const auto s = tiles.sizes();
  auto guess = classifier->forward(backbone->forward(tiles.reshape({n * t, s[2], s[3], s[4]})).reshape({n, -1})).argmax(1).cpu();
  Picture pic;
  pic.rows = {{"shuffled", from_tiles(tiles, grid_)}};
  int64_t right = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t truth = labels[i].item<int64_t>(), g = guess[i].item<int64_t>();
    right += g == truth;
    pic.captions.push_back("permutation " + std::to_string(truth) + ", guess " + std::to_string(g));
  }
  pic.score_name = "permutation accuracy";
  pic.score = double(right) / double(n);
  return pic;
}

}  // namespace pretext
