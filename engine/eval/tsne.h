#pragma once
// Exact t-SNE (van der Maaten & Hinton, 2008) for the embedding views: a few thousand points, so
// the O(N^2) gradient is affordable and has no approximation to explain. Debian ships no C++ t-SNE
// library (only Python packages), hence this file. No LibTorch: plain row-major arrays.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace pretext {

struct TsneOptions {
  double perplexity = 30;
  int iterations = 1000;
  int exaggeration_iterations = 250;  // early exaggeration phase, momentum 0.5 (then 0.8)
  double exaggeration = 12;
  double learning_rate = 0;           // 0: max(N / exaggeration / 4, 50), as scikit-learn's "auto"
  uint64_t seed = 0;
  unsigned threads = 0;               // 0: all cores
  // Called every 50 iterations and at the end with (iteration, total, KL divergence); return false
  // to stop early (the current layout is returned).
  std::function<bool(int, int, double)> progress;
};

// x: n rows of dim values. Returns n rows of 2 values. Needs n >= 3 (perplexity is capped at
// (n - 1) / 3 so that small inputs still work).
std::vector<float> tsne(const std::vector<float>& x, size_t n, size_t dim, const TsneOptions& options = {});

// Conditional affinities p_{j|i} (row i sums to 1, p_{i|i} = 0) whose rows each have the given
// perplexity, found by bisection on the Gaussian precision. Exposed for tests.
std::vector<double> tsne_conditional_affinities(const std::vector<float>& x, size_t n, size_t dim, double perplexity);

}  // namespace pretext
