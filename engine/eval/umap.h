#pragma once
// UMAP (McInnes, Healy & Melville, 2018): a fuzzy simplicial set on each point's nearest neighbours,
// laid out by stochastic gradient descent with negative sampling. Follows umap-learn's defaults
// (15 neighbours, min_dist 0.1, 200 epochs past 10,000 points and 500 below, 5 negative samples per
// positive). Debian ships no C++ UMAP library, hence this file. No LibTorch: plain row-major arrays;
// the neighbours come from engine/eval/neighbours.h.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/eval/neighbours.h"

namespace pretext {

struct UmapOptions {
  size_t neighbours = 15;          // umap-learn's n_neighbors, the point itself included
  double min_dist = 0.1;
  double spread = 1.0;
  int epochs = 0;                  // 0: 500 up to 10,000 points, else 200 (umap-learn)
  double learning_rate = 1.0;
  int negative_sample_rate = 5;
  // Blocks an epoch moves the points in, each block against the positions the blocks before it
  // reached: a move travels up to this many hops along the graph in one epoch (1: every point against
  // the previous epoch's layout).
  int sweeps = 8;
  uint64_t seed = 0;
  unsigned threads = 0;            // 0: all cores
  // Called every 10 epochs and at the end with (epoch, total); return false to stop early (the
  // current layout is returned).
  std::function<bool(int, int)> progress;
};

// The curve 1 / (1 + a d^(2b)) closest (least squares on [0, 3 spread]) to 1 below min_dist and
// exp(-(d - min_dist) / spread) above: the low-dimensional similarity UMAP lays out with.
struct UmapCurve {
  double a = 0, b = 0;
};
UmapCurve umap_curve(double min_dist, double spread);

// The fuzzy graph: membership w_{j|i} = exp(-(d_ij - rho_i) / sigma_i) with rho_i the nearest
// neighbour's distance and sigma_i such that sum_j w_{j|i} = log2(neighbours), then the fuzzy union
// w_ij = w_{j|i} + w_{i|j} - w_{j|i} w_{i|j}. Symmetric, as (i, j, w) with i != j, both directions.
struct FuzzyEdge {
  int64_t head, tail;
  double weight;
};
std::vector<FuzzyEdge> umap_fuzzy_graph(const NeighbourGraph& graph);

// Lays the graph's n points out in 2-D from init (n x 2; empty: uniform in [-10, 10] from the seed).
// The graph should hold options.neighbours - 1 neighbours a point. Deterministic for a seed whatever
// the thread count (see UmapOptions::sweeps).
std::vector<float> umap(const NeighbourGraph& graph, const std::vector<float>& init, const UmapOptions& options = {});

}  // namespace pretext
