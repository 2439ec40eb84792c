#pragma once
// Feature rows with a known structure for the layout tests (t-SNE, UMAP): Gaussian clusters and a
// check that a layout keeps them apart.
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace pretext::test {

// `per` points around each of `count` centres 10 apart on the axes of a dim-D space, unit noise.
inline std::vector<float> clustered_rows(size_t count, size_t per, size_t dim, std::vector<int>& labels,
                                         unsigned seed = 3) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> noise(0, 1);
  std::vector<float> x;
  for (size_t c = 0; c < count; ++c)
    for (size_t i = 0; i < per; ++i) {
      for (size_t k = 0; k < dim; ++k) x.push_back(noise(gen) + (k == c ? 10.f : 0.f));
      labels.push_back(int(c));
    }
  return x;
}

// The fraction of points whose nearest other point in the 2-D layout has their label.
inline double nearest_label_agreement(const std::vector<float>& y, const std::vector<int>& labels) {
  const size_t n = labels.size();
  size_t agree = 0;
  for (size_t i = 0; i < n; ++i) {
    double best = 1e300;
    int label = -1;
    for (size_t j = 0; j < n; ++j) {
      const double d = std::hypot(y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1]);
      if (j != i && d < best) best = d, label = labels[j];
    }
    agree += label == labels[i];
  }
  return double(agree) / double(n);
}

}  // namespace pretext::test
