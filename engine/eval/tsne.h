#pragma once
// t-SNE (van der Maaten & Hinton, 2008) with input affinities on each point's 3 x perplexity nearest
// neighbours (van der Maaten, 2014) and the repulsive forces approximated on an interpolation grid
// convolved by FFT (Linderman et al. 2019, FIt-SNE: O(N) an iteration) or by Barnes-Hut (O(N log N)),
// so the explorer can lay out tens of thousands of embeddings. Debian ships no C++ t-SNE library
// (only Python packages), hence this file. Plain row-major arrays in and out; the neighbours come
// from engine/eval/neighbours.h.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/eval/neighbours.h"

namespace pretext {

enum class TsneRepulsion {
  kAuto,        // Barnes-Hut up to kGridFrom points, the grid past them (the grid's FFT has a fixed cost)
  kGrid,        // FFT-accelerated interpolation
  kBarnesHut,   // quadtree with opening angle theta
};
constexpr size_t kGridFrom = 10000;  // openTSNE's advice: Barnes-Hut below 10,000 points, FFT above

struct TsneOptions {
  double perplexity = 30;               // capped at the graph's k / 3
  int iterations = 750;                 // openTSNE's 250 exaggerated + 500 (Poličar et al. 2019)
  int exaggeration_iterations = 250;    // early exaggeration phase, momentum 0.5 (then 0.8)
  double exaggeration = 12;
  double learning_rate = 0;             // 0: max(N / exaggeration / 4, 50) in each phase, openTSNE's "auto"
  TsneRepulsion repulsion = TsneRepulsion::kAuto;
  double theta = 0.5;                   // Barnes-Hut opening angle; 0 computes every pair
  uint64_t seed = 0;                    // for the random start when no init is given
  unsigned threads = 0;                 // 0: all cores
  // Called every 50 iterations and at the end with (iteration, total, KL divergence); return false
  // to stop early (the current layout is returned).
  std::function<bool(int, int, double)> progress;
};

// How many neighbours t-SNE's affinities use for a perplexity: 3 x perplexity, as the paper.
size_t tsne_neighbour_count(double perplexity);

// Conditional affinities p_{j|i} over each row's graph neighbours (n x k, each row sums to 1) with
// the given perplexity, found by bisection on the Gaussian precision. Exposed for tests.
std::vector<double> tsne_conditional_affinities(const NeighbourGraph& graph, double perplexity);

// Joint affinities p_ij = (p_{j|i} + p_{i|j}) / 2n as a symmetric sparse matrix summing to 1.
struct SparseAffinities {
  std::vector<size_t> row_start;  // n + 1 offsets into column / value
  std::vector<int64_t> column;
  std::vector<double> value;
};
SparseAffinities tsne_joint_affinities(const NeighbourGraph& graph, double perplexity);

// The repulsive forces sum_j w_ij^2 (y_i - y_j) of layout y (n x 2) into forces, by the given method
// (kAuto as tsne() decides); returns Z = sum_{i != j} w_ij, with w = 1 / (1 + |y_i - y_j|^2). Exposed
// for tests: Barnes-Hut with theta 0 is the exact sum.
double tsne_repulsion(const std::vector<double>& y, size_t n, TsneRepulsion how, double theta, unsigned threads,
                      std::vector<double>& forces);

// Lays the graph's n points out in 2-D. init: n x 2 starting positions (empty: N(0, 1e-4^2) draws
// from the seed). Returns n rows of 2 values. Needs n >= 3.
std::vector<float> tsne(const NeighbourGraph& graph, const std::vector<float>& init, const TsneOptions& options = {});

}  // namespace pretext
