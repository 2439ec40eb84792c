#include "engine/eval/layout_quality.h"

#include <torch/torch.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "engine/eval/neighbours.h"

namespace pretext {
namespace {

void check(const std::vector<float>& rows, size_t dim, const std::vector<float>& layout, size_t n, size_t k) {
  if (rows.size() != n * dim || layout.size() != 2 * n)
    throw std::invalid_argument("layout quality: rows must be n x dim and the layout n x 2 values");
  if (k == 0 || k + 1 >= n) throw std::invalid_argument("layout quality: k must be in [1, n - 2]");
}

torch::Tensor as_tensor(const std::vector<float>& v, size_t n, size_t dim) {
  return torch::from_blob(const_cast<float*>(v.data()), {int64_t(n), int64_t(dim)}, torch::kFloat32);
}

}  // namespace

double trustworthiness(const std::vector<float>& rows, size_t dim, const std::vector<float>& layout, size_t n,
                       size_t k) {
  check(rows, dim, layout, n, k);
  torch::NoGradGuard no_grad;
  const auto x = as_tensor(rows, n, dim);
  const auto low = neighbour_graph(layout, n, 2, k);
  constexpr int64_t kBlock = 1024;
  double penalty = 0;
  for (int64_t s = 0; s < int64_t(n); s += kBlock) {
    const int64_t e = std::min<int64_t>(int64_t(n), s + kBlock);
    // Rank of every row in each query's original ordering (1 = nearest; the query itself is 0).
    auto d = torch::cdist(x.slice(0, s, e), x);
    d.scatter_(1, torch::arange(s, e).unsqueeze(1), -1.0);
    const auto order = std::get<1>(d.sort(1));
    auto rank = torch::empty_like(order);
    rank.scatter_(1, order, torch::arange(int64_t(n)).expand_as(order).contiguous());
    const auto low_idx = torch::from_blob(const_cast<int64_t*>(low.index.data()) + s * int64_t(k), {e - s, int64_t(k)},
                                          torch::kInt64);
    const auto r = rank.gather(1, low_idx);
    penalty += (r - int64_t(k)).clamp_min(0).sum().item<double>();
  }
  const double nn = double(n), kk = double(k);
  return 1 - 2 / (nn * kk * (2 * nn - 3 * kk - 1)) * penalty;
}

double neighbour_preservation(const std::vector<float>& rows, size_t dim, const std::vector<float>& layout, size_t n,
                              size_t k) {
  check(rows, dim, layout, n, k);
  const auto high = neighbour_graph(rows, n, dim, k), low = neighbour_graph(layout, n, 2, k);
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    std::vector<int64_t> a(high.index.begin() + long(i * k), high.index.begin() + long((i + 1) * k));
    std::vector<int64_t> b(low.index.begin() + long(i * k), low.index.begin() + long((i + 1) * k));
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    std::vector<int64_t> both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    kept += both.size();
  }
  return double(kept) / double(n * k);
}

}  // namespace pretext
