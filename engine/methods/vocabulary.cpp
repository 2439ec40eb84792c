#include "engine/methods/vocabulary.h"

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace pretext {

torch::Tensor image_patches(const torch::Tensor& images, int64_t patch) {
  const int64_t n = images.size(0), c = images.size(1), gh = images.size(2) / patch, gw = images.size(3) / patch;
  if (gh < 1 || gw < 1) throw std::invalid_argument("images smaller than one patch of " + std::to_string(patch) + " px");
  auto t = images.slice(2, 0, gh * patch).slice(3, 0, gw * patch).reshape({n, c, gh, patch, gw, patch});
  return t.permute({0, 2, 4, 3, 5, 1}).reshape({n, gh * gw, patch * patch * c});
}

torch::Tensor patches_to_images(const torch::Tensor& patches, int64_t patch, int64_t rows, int64_t cols, int64_t channels) {
  const int64_t n = patches.size(0);
  auto t = patches.reshape({n, rows, cols, patch, patch, channels});
  return t.permute({0, 5, 1, 3, 2, 4}).reshape({n, channels, rows * patch, cols * patch});
}

namespace {

// Squared distances [M, K] by ||p||^2 - 2 p.c + ||c||^2: one matrix product instead of M x K loops.
torch::Tensor squared_distances(const torch::Tensor& points, const torch::Tensor& centroids) {
  auto d = points.pow(2).sum(1, true) - 2 * points.matmul(centroids.t()) + centroids.pow(2).sum(1).unsqueeze(0);
  return d.clamp_min(0);
}

// k-means++: the first centroid uniformly, each next one with probability proportional to the
// squared distance to the nearest centroid chosen so far.
torch::Tensor kmeans_plus_plus(const torch::Tensor& points, int64_t k, std::mt19937_64& rng) {
  const int64_t m = points.size(0);
  std::vector<int64_t> chosen{std::uniform_int_distribution<int64_t>(0, m - 1)(rng)};
  auto nearest = (points - points[chosen[0]]).pow(2).sum(1);
  for (int64_t c = 1; c < k; ++c) {
    const auto w = nearest.contiguous();
    const float* p = w.data_ptr<float>();
    std::discrete_distribution<int64_t> pick(p, p + m);  // all zero (fewer distinct points than k): uniform
    chosen.push_back(pick(rng));
    nearest = torch::minimum(nearest, (points - points[chosen.back()]).pow(2).sum(1));
  }
  return points.index_select(0, torch::tensor(chosen, torch::kLong)).clone();
}

}  // namespace

torch::Tensor nearest_codes(const torch::Tensor& points, const torch::Tensor& centroids) {
  return squared_distances(points, centroids).argmin(1);
}

torch::Tensor kmeans(const torch::Tensor& points_in, int64_t k, int64_t iterations, uint64_t seed) {
  auto points = points_in.to(torch::kCPU, torch::kFloat).contiguous();
  const int64_t m = points.size(0);
  if (k < 1 || m < k)
    throw std::invalid_argument("k-means needs at least k = " + std::to_string(k) + " points, got " + std::to_string(m));
  std::mt19937_64 rng(seed);
  torch::NoGradGuard no_grad;
  auto centroids = kmeans_plus_plus(points, k, rng);
  torch::Tensor assigned;
  for (int64_t it = 0; it < iterations; ++it) {
    auto d = squared_distances(points, centroids);
    auto [best, codes] = d.min(1);
    if (assigned.defined() && torch::equal(codes, assigned)) break;
    assigned = codes;
    auto sums = torch::zeros_like(centroids).index_add_(0, codes, points);
    auto counts = torch::bincount(codes, {}, k).to(torch::kFloat);
    centroids = torch::where(counts.unsqueeze(1) > 0, sums / counts.clamp_min(1).unsqueeze(1), centroids);
    // An empty cluster takes the point that is worst served, and that point's old distance is spent.
    auto worst = best.clone();
    auto empty = (counts == 0).nonzero().flatten();
    for (int64_t e = 0; e < empty.size(0); ++e) {
      const int64_t far = worst.argmax().item<int64_t>();
      centroids[empty[e].item<int64_t>()] = points[far];
      worst[far] = -1;
    }
  }
  return centroids;
}

torch::Tensor patch_vocabulary(const torch::Tensor& images, int64_t patch, int64_t k, int64_t max_patches,
                               uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto patches = image_patches(images.to(torch::kCPU, torch::kFloat), patch);
  patches = patches.reshape({-1, patches.size(2)});
  if (patches.size(0) > max_patches) {
    // A seeded permutation, so the same images, patch size and seed give the same vocabulary.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    patches = patches.index_select(0, torch::randperm(patches.size(0), gen, torch::kLong).slice(0, 0, max_patches));
  }
  return kmeans(patches, k, 30, seed);
}

}  // namespace pretext
