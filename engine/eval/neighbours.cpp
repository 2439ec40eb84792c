#include "engine/eval/neighbours.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include "engine/core/parallel.h"

namespace pretext {
namespace {

// Square blocks of products: 2048 x 2048 floats (16 MB) stay in cache far better than the wide
// blocks a torch::topk over every bank row needs, and the product runs ~2.5x faster per FLOP.
constexpr int64_t kBlock = 2048;

// A row's k closest so far as a max-heap on (distance, index): the worst kept sits at the front, and
// a candidate is scanned against it alone. After the first blocks few candidates pass, so selection
// costs about one comparison per product (torch::topk on every block cost twice the products).
// (distance, index) is a strict order: ties go to the smaller index, whatever the scanning order.
using Candidate = std::pair<float, int64_t>;

class Closest {
 public:
  Closest(int64_t rows, int64_t k) : k_(size_t(k)), heaps_(size_t(rows)) {}
  // The worst kept, or +inf while fewer than k are kept.
  Candidate bar(int64_t row) const {
    const auto& h = heaps_[size_t(row)];
    return h.size() < k_ ? Candidate{std::numeric_limits<float>::infinity(), 0} : h.front();
  }
  // Keeps c if it beats the worst kept; returns the new bar.
  Candidate offer(int64_t row, Candidate c) {
    auto& h = heaps_[size_t(row)];
    if (h.size() < k_) {
      h.push_back(c);
      std::push_heap(h.begin(), h.end());
    } else if (c < h.front()) {
      std::pop_heap(h.begin(), h.end());
      h.back() = c;
      std::push_heap(h.begin(), h.end());
    }
    return bar(row);
  }
  // Closest first; for kDot the distance was the negated product and is turned back.
  Nearest result(Closeness closeness) {
    const auto rows = int64_t(heaps_.size());
    auto score = torch::empty({rows, int64_t(k_)}, torch::kFloat32);
    auto index = torch::empty({rows, int64_t(k_)}, torch::kInt64);
    float* sp = score.data_ptr<float>();
    int64_t* ip = index.data_ptr<int64_t>();
    for (size_t r = 0; r < heaps_.size(); ++r) {
      auto& h = heaps_[r];
      std::sort_heap(h.begin(), h.end());
      // A row whose distances were NaN keeps fewer: the rest read as infinitely far, index 0.
      h.resize(k_, Candidate{std::numeric_limits<float>::infinity(), 0});
      for (size_t j = 0; j < k_; ++j) {
        const float d = h[j].first;
        sp[r * k_ + j] = closeness == Closeness::kDot ? -d : std::max(0.0f, d);
        ip[r * k_ + j] = h[j].second;
      }
    }
    return {score, index};
  }

 private:
  size_t k_;
  std::vector<std::vector<Candidate>> heaps_;
};

// One block of distances, smaller closer (-q.b for kDot, |q|^2 + |b|^2 - 2 q.b for kSquaredEuclidean),
// with each row's smallest: a row whose smallest distance does not beat its bar is skipped whole
// (most rows, after the first blocks).
struct DistanceBlock {
  torch::Tensor distances, row_min;
  const float* at(int64_t r) const { return distances.data_ptr<float>() + r * distances.size(1); }
  int64_t rows() const { return distances.size(0); }
  int64_t cols() const { return distances.size(1); }
};

DistanceBlock distance_block(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& a_norms,
                             const torch::Tensor& b_norms) {
  DistanceBlock d;
  d.distances = a_norms.defined() ? torch::addmm(b_norms.unsqueeze(0), a, b.t(), 1, -2).add_(a_norms.unsqueeze(1))
                                  : torch::mm(a, b.t()).neg_();
  d.distances = d.distances.contiguous();
  d.row_min = d.distances.amin(1).contiguous();
  return d;
}

// Offers a block's distances to the rows on its left (rows r0 + r): threads split the rows.
void scan_rows(const DistanceBlock& d, int64_t r0, int64_t c0, Closest& closest) {
  const float* row_min = d.row_min.data_ptr<float>();
  parallel_for_chunks(size_t(d.rows()), 64, [&](size_t r) {
    Candidate bar = closest.bar(r0 + int64_t(r));
    if (row_min[r] > bar.first) return;
    const float* v = d.at(int64_t(r));
    for (int64_t c = 0; c < d.cols(); ++c)
      if (v[c] <= bar.first) bar = closest.offer(r0 + int64_t(r), {v[c], c0 + c});
  });
}

// Offers a block's distances to the rows on its top (rows c0 + c), the block read row by row (down a
// column would stride through memory): threads split the columns, so each heap has one writer.
void scan_columns(const DistanceBlock& d, int64_t r0, int64_t c0, Closest& closest) {
  constexpr int64_t kColumns = 256;
  const int64_t cols = d.cols(), parts = (cols + kColumns - 1) / kColumns;
  parallel_for(size_t(parts), [&](size_t part) {
    const int64_t begin = int64_t(part) * kColumns, end = std::min(cols, begin + kColumns);
    std::vector<float> bars(size_t(end - begin));
    for (int64_t c = begin; c < end; ++c) bars[size_t(c - begin)] = closest.bar(c0 + c).first;
    for (int64_t r = 0; r < d.rows(); ++r) {
      const float* v = d.at(r);
      for (int64_t c = begin; c < end; ++c)
        if (v[c] <= bars[size_t(c - begin)]) bars[size_t(c - begin)] = closest.offer(c0 + c, {v[c], r0 + r}).first;
    }
  });
}

torch::Tensor squared_norms(const torch::Tensor& x) { return x.pow(2).sum(1).contiguous(); }

// The old path, for rows on a GPU: a running torch::topk over blocks of the bank.
Nearest nearest_on_device(const torch::Tensor& query, const torch::Tensor& bank, int64_t k, Closeness closeness) {
  const auto dist = [&](const torch::Tensor& q, const torch::Tensor& b) {
    return closeness == Closeness::kDot ? -torch::mm(q, b.t())
                                        : torch::addmm(squared_norms(b).unsqueeze(0), q, b.t(), 1, -2) +
                                              squared_norms(q).unsqueeze(1);
  };
  std::vector<torch::Tensor> scores, indices;
  for (int64_t s = 0; s < query.size(0); s += kBlock) {
    const auto q = query.slice(0, s, std::min(query.size(0), s + kBlock));
    torch::Tensor best, best_idx;
    for (int64_t b = 0; b < bank.size(0); b += 8 * kBlock) {
      const int64_t end = std::min(bank.size(0), b + 8 * kBlock);
      auto [score, idx] = dist(q, bank.slice(0, b, end)).topk(std::min(k, end - b), 1, /*largest=*/false);
      idx += b;
      if (best.defined()) {
        score = torch::cat({best, score}, 1);
        idx = torch::cat({best_idx, idx}, 1);
      }
      auto [top, pos] = score.topk(std::min(k, score.size(1)), 1, /*largest=*/false);
      best = top;
      best_idx = idx.gather(1, pos);
    }
    scores.push_back(closeness == Closeness::kDot ? -best : best.clamp_min(0));
    indices.push_back(best_idx);
  }
  return {torch::cat(scores), torch::cat(indices)};
}

bool on_cpu(const torch::Tensor& t) { return t.device().is_cpu(); }

}  // namespace

Nearest nearest(const torch::Tensor& query_in, const torch::Tensor& bank_in, int64_t k, Closeness closeness) {
  torch::NoGradGuard no_grad;
  const int64_t kk = std::min<int64_t>(k, bank_in.size(0));
  if (kk <= 0) return {torch::empty({query_in.size(0), 0}), torch::empty({query_in.size(0), 0}, torch::kInt64)};
  if (!on_cpu(query_in) || !on_cpu(bank_in)) return nearest_on_device(query_in, bank_in, kk, closeness);
  const auto query = query_in.to(torch::kFloat32).contiguous(), bank = bank_in.to(torch::kFloat32).contiguous();
  const bool euclidean = closeness == Closeness::kSquaredEuclidean;
  const auto qn = euclidean ? squared_norms(query) : torch::Tensor(), bn = euclidean ? squared_norms(bank) : torch::Tensor();
  Closest closest(query.size(0), kk);
  for (int64_t i = 0; i < query.size(0); i += kBlock) {
    const int64_t rows = std::min(query.size(0) - i, kBlock);
    for (int64_t j = 0; j < bank.size(0); j += kBlock) {
      const int64_t cols = std::min(bank.size(0) - j, kBlock);
      const DistanceBlock d = distance_block(query.slice(0, i, i + rows), bank.slice(0, j, j + cols),
                                             euclidean ? qn.slice(0, i, i + rows) : torch::Tensor(),
                                             euclidean ? bn.slice(0, j, j + cols) : torch::Tensor());
      scan_rows(d, i, j, closest);
    }
  }
  Nearest out = closest.result(closeness);
  out.score = out.score.to(query_in.scalar_type());  // scores in the callers' precision, as they gave it
  return out;
}

Nearest nearest_within(const torch::Tensor& rows_in, int64_t k, Closeness closeness) {
  torch::NoGradGuard no_grad;
  if (!on_cpu(rows_in)) return nearest(rows_in, rows_in, k, closeness);
  const int64_t n = rows_in.size(0), kk = std::min<int64_t>(k, n);
  if (kk <= 0) return {torch::empty({n, 0}), torch::empty({n, 0}, torch::kInt64)};
  const auto x = rows_in.to(torch::kFloat32).contiguous();
  const bool euclidean = closeness == Closeness::kSquaredEuclidean;
  const auto norms = euclidean ? squared_norms(x) : torch::Tensor();
  Closest closest(n, kk);
  // Blocks on and above the diagonal; one below it is the transpose of one above.
  for (int64_t i = 0; i < n; i += kBlock) {
    const int64_t rows = std::min(n - i, kBlock);
    for (int64_t j = i; j < n; j += kBlock) {
      const int64_t cols = std::min(n - j, kBlock);
      const DistanceBlock d = distance_block(x.slice(0, i, i + rows), x.slice(0, j, j + cols),
                                             euclidean ? norms.slice(0, i, i + rows) : torch::Tensor(),
                                             euclidean ? norms.slice(0, j, j + cols) : torch::Tensor());
      scan_rows(d, i, j, closest);
      if (j != i) scan_columns(d, i, j, closest);
    }
  }
  Nearest out = closest.result(closeness);
  out.score = out.score.to(rows_in.scalar_type());
  return out;
}

NeighbourGraph neighbour_graph(const std::vector<float>& rows, size_t n, size_t dim, size_t k) {
  if (rows.size() != n * dim) throw std::invalid_argument("neighbour_graph: rows must be n x dim values");
  if (n < 2) throw std::invalid_argument("neighbour_graph: needs at least 2 rows");
  k = std::min(k, n - 1);
  const auto x = torch::from_blob(const_cast<float*>(rows.data()), {int64_t(n), int64_t(dim)}, torch::kFloat32);
  // One more than asked, so that dropping the row itself (or, among exact duplicates, the last one)
  // leaves k.
  const Nearest found = nearest_within(x, int64_t(k) + 1, Closeness::kSquaredEuclidean);
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
