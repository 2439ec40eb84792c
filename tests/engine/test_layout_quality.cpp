// ctest-labels: unit
// Trustworthiness and neighbour preservation (engine/eval/layout_quality.h) against the definitions
// written out directly, and at their ends: a layout that is the data scores 1, a random one about 0.5.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "engine/eval/layout_quality.h"

using namespace pretext;

namespace {

// Indices of the other rows by distance from row i (the row itself left out).
std::vector<size_t> ranking(const std::vector<float>& x, size_t dim, size_t n, size_t i) {
  std::vector<double> d(n);
  for (size_t j = 0; j < n; ++j) {
    double s = 0;
    for (size_t c = 0; c < dim; ++c) s += (double(x[i * dim + c]) - x[j * dim + c]) * (double(x[i * dim + c]) - x[j * dim + c]);
    d[j] = s;
  }
  std::vector<size_t> order;
  for (size_t j = 0; j < n; ++j)
    if (j != i) order.push_back(j);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d[a] < d[b]; });
  return order;
}

}  // namespace

TEST(layout_quality, MatchesTheDefinitionsWrittenOut) {
  std::mt19937 gen(1);
  std::normal_distribution<float> noise;
  const size_t n = 40, dim = 5, k = 4;
  std::vector<float> x(n * dim), y(n * 2);
  for (auto& v : x) v = noise(gen);
  for (size_t i = 0; i < n; ++i) y[2 * i] = x[i * dim] + 0.5f * noise(gen), y[2 * i + 1] = x[i * dim + 1];
  double penalty = 0, kept = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto high = ranking(x, dim, n, i), low = ranking(y, 2, n, i);
    for (size_t a = 0; a < k; ++a) {
      const size_t r = size_t(std::find(high.begin(), high.end(), low[a]) - high.begin()) + 1;  // 1 = nearest
      if (r > k) penalty += double(r - k);
      kept += std::find(low.begin(), low.begin() + long(k), high[a]) != low.begin() + long(k);
    }
  }
  const double expected = 1 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1)) * penalty;
  EXPECT_NEAR(trustworthiness(x, dim, y, n, k), expected, 1e-9);
  EXPECT_NEAR(neighbour_preservation(x, dim, y, n, k), kept / double(n * k), 1e-12);
}

TEST(layout_quality, TheDataItselfScoresOneAndARandomLayoutAboutHalf) {
  std::mt19937 gen(2);
  std::normal_distribution<float> noise;
  const size_t n = 400;
  std::vector<float> x(n * 2), random(n * 2);
  for (auto& v : x) v = noise(gen);
  for (auto& v : random) v = noise(gen);
  EXPECT_DOUBLE_EQ(trustworthiness(x, 2, x, n, 10), 1.0);
  EXPECT_DOUBLE_EQ(neighbour_preservation(x, 2, x, n, 10), 1.0);
  EXPECT_NEAR(trustworthiness(x, 2, random, n, 10), 0.5, 0.05);
  EXPECT_LT(neighbour_preservation(x, 2, random, n, 10), 0.1);
  EXPECT_THROW(trustworthiness(x, 2, random, n, n), std::invalid_argument);
}
