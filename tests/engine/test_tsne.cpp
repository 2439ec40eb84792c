// ctest-labels: unit
// Exact t-SNE: the affinities have the requested perplexity (checked against the entropy formula),
// and well separated clusters stay separated in the 2-D layout.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/eval/tsne.h"

using namespace pretext;

namespace {

// n points per cluster around `clusters` centres 10 apart on the axes of a dim-D space, unit noise.
std::vector<float> clusters(size_t clusters, size_t n, size_t dim, std::vector<int>& labels) {
  std::mt19937 gen(3);
  std::normal_distribution<float> noise(0, 1);
  std::vector<float> x;
  for (size_t c = 0; c < clusters; ++c)
    for (size_t i = 0; i < n; ++i) {
      for (size_t k = 0; k < dim; ++k) x.push_back(noise(gen) + (k == c ? 10.f : 0.f));
      labels.push_back(int(c));
    }
  return x;
}

}  // namespace

TEST(tsne, AffinityRowsHaveThePerplexityAsked) {
  std::vector<int> labels;
  const auto x = clusters(3, 20, 5, labels);
  const size_t n = labels.size();
  for (double perplexity : {5.0, 15.0}) {
    const auto p = tsne_conditional_affinities(x, n, 5, perplexity);
    for (size_t i = 0; i < n; ++i) {
      double sum = 0, h = 0;
      for (size_t j = 0; j < n; ++j) {
        const double v = p[i * n + j];
        sum += v;
        if (v > 0) h -= v * std::log(v);
      }
      EXPECT_NEAR(sum, 1.0, 1e-9);
      EXPECT_EQ(p[i * n + i], 0.0);
      EXPECT_NEAR(std::exp(h), perplexity, 1e-3 * perplexity) << "row " << i;
    }
  }
}

TEST(tsne, SeparableClustersStaySeparated) {
  std::vector<int> labels;
  const size_t per = 40, dim = 10;
  const auto x = clusters(3, per, dim, labels);
  const size_t n = labels.size();
  TsneOptions o;
  o.perplexity = 20;
  o.iterations = 500;
  o.seed = 1;
  int reports = 0;
  double first_kl = -1, last_kl = -1;
  o.progress = [&](int, int, double kl) {
    if (first_kl < 0) first_kl = kl;
    last_kl = kl;
    ++reports;
    return true;
  };
  const auto y = tsne(x, n, dim, o);
  ASSERT_EQ(y.size(), 2 * n);
  EXPECT_EQ(reports, 10);
  EXPECT_LT(last_kl, first_kl);
  // Leave-one-out 1-NN in the layout recovers every cluster label.
  int correct = 0;
  for (size_t i = 0; i < n; ++i) {
    double best = 1e300;
    int label = -1;
    for (size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const double d = std::hypot(y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1]);
      if (d < best) best = d, label = labels[j];
    }
    correct += label == labels[i];
  }
  EXPECT_EQ(correct, int(n));
  // Each cluster's spread is small next to the distance between cluster centres.
  double cx[3] = {0, 0, 0}, cy[3] = {0, 0, 0}, spread = 0;
  for (size_t i = 0; i < n; ++i) {
    cx[labels[i]] += y[2 * i] / per;
    cy[labels[i]] += y[2 * i + 1] / per;
  }
  for (size_t i = 0; i < n; ++i) spread += std::hypot(y[2 * i] - cx[labels[i]], y[2 * i + 1] - cy[labels[i]]) / n;
  for (int a = 0; a < 3; ++a)
    for (int b = a + 1; b < 3; ++b) EXPECT_GT(std::hypot(cx[a] - cx[b], cy[a] - cy[b]), 3 * spread);
  // Same seed, same layout.
  o.progress = nullptr;
  EXPECT_EQ(tsne(x, n, dim, o), y);
}

TEST(tsne, RejectsBadInput) {
  EXPECT_THROW(tsne({1.f, 2.f}, 2, 1), std::invalid_argument);
  EXPECT_THROW(tsne({1.f, 2.f, 3.f}, 3, 2), std::invalid_argument);
}
