#pragma once
// Nearest neighbours by brute force in blocks, exact and memory-bounded: the kNN probe votes with
// them, and t-SNE and UMAP build their graphs on them. Exact rather than approximate (hnswlib, Annoy)
// because a projection must be deterministic for a seed, and one matrix product per block is fast
// enough for the explorer's sizes (70,000 x 256 in seconds on two cores).
#include <torch/torch.h>

#include <cstddef>
#include <vector>

namespace pretext {

enum class Closeness {
  kDot,                // larger inner product is closer: cosine on L2-normalised rows
  kSquaredEuclidean,   // smaller |q - b|^2 is closer
};

struct Nearest {
  torch::Tensor score;  // [M, k]: the inner product (kDot) or the squared distance (kSquaredEuclidean)
  torch::Tensor index;  // [M, k] int64, closest first
};

// The k bank rows closest to each query row. query [M, D], bank [N, D]; k is capped at N. Ties go to
// the smaller bank index, so the answer is one set whatever the blocking or the thread count.
Nearest nearest(const torch::Tensor& query, const torch::Tensor& bank, int64_t k, Closeness closeness);

// nearest(rows, rows, k, closeness), each row among its own, the row itself included. Closeness is
// symmetric, so each block of products serves the rows on both of its sides: half the products of
// nearest(rows, rows) (the neighbour graph of t-SNE and UMAP, the explorer's kNN vote).
Nearest nearest_within(const torch::Tensor& rows, int64_t k, Closeness closeness);

// Each row's k nearest other rows by Euclidean distance, as t-SNE and UMAP take them.
struct NeighbourGraph {
  size_t n = 0, k = 0;
  std::vector<int64_t> index;       // n x k, closest first, never the row itself
  std::vector<float> squared_distance;  // n x k, matching index
};

// rows: n x dim, row-major; k is capped at n - 1.
NeighbourGraph neighbour_graph(const std::vector<float>& rows, size_t n, size_t dim, size_t k);

}  // namespace pretext
