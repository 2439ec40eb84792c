// ctest-labels: unit
// t-SNE: the affinities have the requested perplexity (checked against the entropy
// formula) and are a symmetric distribution; well separated clusters stay separated with a high
// trustworthiness, by either approximation of the repulsion; both approximations match the exact
// forces; a seed gives one layout whatever the thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "engine/eval/layout_quality.h"
#include "engine/eval/tsne.h"
#include "tests/engine/layout_support.h"

using namespace pretext;
using pretext::test::clustered_rows;

TEST(tsne, AffinityRowsHaveThePerplexityAsked) {
  std::vector<int> labels;
  const auto x = clustered_rows(3, 20, 5, labels);
  const size_t n = labels.size();
  const NeighbourGraph g = neighbour_graph(x, n, 5, n - 1);
  for (double perplexity : {5.0, 15.0}) {
    const auto p = tsne_conditional_affinities(g, perplexity);
    ASSERT_EQ(p.size(), n * (n - 1));
    for (size_t i = 0; i < n; ++i) {
      double sum = 0, h = 0;
      for (size_t j = 0; j < n - 1; ++j) {
        const double v = p[i * (n - 1) + j];
        sum += v;
        if (v > 0) h -= v * std::log(v);
      }
      EXPECT_NEAR(sum, 1.0, 1e-9);
      EXPECT_NEAR(std::exp(h), perplexity, 1e-3 * perplexity) << "row " << i;
    }
  }
}

TEST(tsne, JointAffinitiesAreSymmetricAndSumToOne) {
  std::vector<int> labels;
  const auto x = clustered_rows(3, 30, 6, labels);
  const size_t n = labels.size();
  const SparseAffinities p = tsne_joint_affinities(neighbour_graph(x, n, 6, 15), 5);
  ASSERT_EQ(p.row_start.size(), n + 1);
  std::map<std::pair<int64_t, int64_t>, double> entries;
  double total = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t e = p.row_start[i]; e < p.row_start[i + 1]; ++e) {
      EXPECT_NE(p.column[e], int64_t(i));
      entries[{int64_t(i), p.column[e]}] = p.value[e];
      total += p.value[e];
    }
  EXPECT_NEAR(total, 1.0, 1e-9);
  for (const auto& [ij, v] : entries) {
    const auto other = entries.find({ij.second, ij.first});
    ASSERT_NE(other, entries.end());
    EXPECT_DOUBLE_EQ(other->second, v);
  }
}

TEST(tsne, SeparableClustersStaySeparated) {
  std::vector<int> labels;
  const size_t per = 40, dim = 10;
  const auto x = clustered_rows(3, per, dim, labels);
  const size_t n = labels.size();
  const NeighbourGraph g = neighbour_graph(x, n, dim, tsne_neighbour_count(20));
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
  const auto y = tsne(g, {}, o);
  ASSERT_EQ(y.size(), 2 * n);
  EXPECT_EQ(reports, 10);
  EXPECT_LT(last_kl, first_kl);
  EXPECT_EQ(test::nearest_label_agreement(y, labels), 1.0);
  EXPECT_GT(trustworthiness(x, dim, y, n, 10), 0.9);
  // Each cluster's spread is small next to the distance between cluster centres.
  double cx[3] = {0, 0, 0}, cy[3] = {0, 0, 0}, spread = 0;
  for (size_t i = 0; i < n; ++i) {
    cx[labels[i]] += y[2 * i] / per;
    cy[labels[i]] += y[2 * i + 1] / per;
  }
  for (size_t i = 0; i < n; ++i) spread += std::hypot(y[2 * i] - cx[labels[i]], y[2 * i + 1] - cy[labels[i]]) / n;
  for (int a = 0; a < 3; ++a)
    for (int b = a + 1; b < 3; ++b) EXPECT_GT(std::hypot(cx[a] - cx[b], cy[a] - cy[b]), 3 * spread);
  // Same seed, same layout, on one thread or two.
  o.progress = nullptr;
  o.threads = 1;
  EXPECT_EQ(tsne(g, {}, o), y);
  o.threads = 2;
  EXPECT_EQ(tsne(g, {}, o), y);
}

TEST(tsne, BothApproximationsMatchTheExactRepulsion) {
  // A layout like one mid-optimisation: three clusters a few tens of units apart, plus a spread.
  std::vector<int> labels;
  const size_t n = 600;
  std::vector<double> y;
  for (float v : clustered_rows(3, n / 3, 2, labels, 7)) y.push_back(3.0 * v);
  std::vector<double> exact, approximate;
  const double z = tsne_repulsion(y, n, TsneRepulsion::kBarnesHut, 0.0, 0, exact);  // every pair
  double norm = 0;
  for (double v : exact) norm += v * v;
  for (auto [how, theta] : {std::pair{TsneRepulsion::kBarnesHut, 0.5}, std::pair{TsneRepulsion::kGrid, 0.0}}) {
    const double za = tsne_repulsion(y, n, how, theta, 0, approximate);
    EXPECT_NEAR(za, z, 1e-2 * z) << int(how);
    double error = 0;
    for (size_t k = 0; k < 2 * n; ++k) error += (approximate[k] - exact[k]) * (approximate[k] - exact[k]);
    EXPECT_LT(std::sqrt(error / norm), 0.05) << "relative force error, method " << int(how);
  }
}

TEST(tsne, TheGridLayoutSeparatesClustersToo) {
  std::vector<int> labels;
  const auto x = clustered_rows(3, 40, 10, labels);
  const size_t n = labels.size();
  TsneOptions o;
  o.perplexity = 20;
  o.iterations = 300;
  o.exaggeration_iterations = 100;
  o.repulsion = TsneRepulsion::kGrid;
  const auto y = tsne(neighbour_graph(x, n, 10, tsne_neighbour_count(20)), {}, o);
  EXPECT_EQ(test::nearest_label_agreement(y, labels), 1.0);
  EXPECT_GT(trustworthiness(x, 10, y, n, 10), 0.9);
}

TEST(tsne, RejectsBadInput) {
  EXPECT_THROW(tsne(neighbour_graph({1.f, 2.f}, 2, 1, 1), {}), std::invalid_argument);
  const NeighbourGraph g = neighbour_graph({1.f, 2.f, 3.f, 5.f}, 4, 1, 3);
  EXPECT_THROW(tsne(g, {0.f, 1.f}), std::invalid_argument);  // init of the wrong size
}
