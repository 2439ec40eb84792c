#include "engine/eval/neighbours.h"

#include <algorithm>
#include <stdexcept>

namespace pretext {
namespace {

// 512 queries x 65,536 bank items of float scores: 128 MB a block.
constexpr int64_t kQueryBlock = 512;
constexpr int64_t kBankBlock = 65536;

// Larger is closer for both kinds. |q - b|^2 = |q|^2 - 2 (q.b - |b|^2 / 2), and |q|^2 is the same
// for the whole row, so ranking by q.b - |b|^2 / 2 is ranking by distance; appending a column of
// ones to the queries and one of -|b|^2 / 2 to the bank makes it one matrix product, with no pass
// over the block afterwards (that pass cost as much as the product).
std::pair<torch::Tensor, torch::Tensor> scored_rows(const torch::Tensor& query, const torch::Tensor& bank,
                                                    Closeness closeness) {
  if (closeness == Closeness::kDot) return {query, bank};
  return {torch::cat({query, torch::ones({query.size(0), 1}, query.options())}, 1),
          torch::cat({bank, -0.5 * bank.pow(2).sum(1, true)}, 1)};
}

}  // namespace

Nearest nearest(const torch::Tensor& query, const torch::Tensor& bank, int64_t k, Closeness closeness) {
  torch::NoGradGuard no_grad;
  const int64_t kk = std::min<int64_t>(k, bank.size(0));
  const auto [queries, banked] = scored_rows(query, bank, closeness);
  std::vector<torch::Tensor> scores, indices;
  for (int64_t s = 0; s < query.size(0); s += kQueryBlock) {
    const int64_t qend = std::min(query.size(0), s + kQueryBlock);
    const auto q = queries.slice(0, s, qend);
    torch::Tensor best, best_idx;  // the running top-k over the bank blocks seen so far
    for (int64_t b = 0; b < bank.size(0); b += kBankBlock) {
      const int64_t end = std::min(bank.size(0), b + kBankBlock);
      auto [score, idx] = torch::mm(q, banked.slice(0, b, end).t()).topk(std::min<int64_t>(kk, end - b), 1);
      idx += b;
      if (best.defined()) {
        score = torch::cat({best, score}, 1);
        idx = torch::cat({best_idx, idx}, 1);
      }
      auto [top, pos] = score.topk(std::min<int64_t>(kk, score.size(1)), 1);
      best = top;
      best_idx = idx.gather(1, pos);
    }
    if (closeness == Closeness::kSquaredEuclidean)  // back to |q - b|^2
      best = (query.slice(0, s, qend).pow(2).sum(1, true) - 2 * best).clamp_min(0);
    scores.push_back(best);
    indices.push_back(best_idx);
  }
  return {torch::cat(scores), torch::cat(indices)};
}

NeighbourGraph neighbour_graph(const std::vector<float>& rows, size_t n, size_t dim, size_t k) {
  if (rows.size() != n * dim) throw std::invalid_argument("neighbour_graph: rows must be n x dim values");
  if (n < 2) throw std::invalid_argument("neighbour_graph: needs at least 2 rows");
  k = std::min(k, n - 1);
  const auto x = torch::from_blob(const_cast<float*>(rows.data()), {int64_t(n), int64_t(dim)}, torch::kFloat32);
  // One more than asked, so that dropping the row itself (or, among exact duplicates, the last one)
  // leaves k.
  const Nearest found = nearest(x, x, int64_t(k) + 1, Closeness::kSquaredEuclidean);
  const auto idx = found.index.contiguous();
  const auto dist = found.score.contiguous().to(torch::kFloat32);
  const int64_t* ip = idx.data_ptr<int64_t>();
  const float* dp = dist.data_ptr<float>();
  NeighbourGraph g;
  g.n = n;
  g.k = k;
  g.index.reserve(n * k);
  g.squared_distance.reserve(n * k);
  for (size_t i = 0; i < n; ++i) {
    size_t kept = 0;
    for (size_t j = 0; j <= k && kept < k; ++j) {
      const int64_t other = ip[i * (k + 1) + j];
      if (other == int64_t(i)) continue;
      g.index.push_back(other);
      g.squared_distance.push_back(dp[i * (k + 1) + j]);
      ++kept;
    }
  }
  return g;
}

}  // namespace pretext
