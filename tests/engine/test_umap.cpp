// ctest-labels: unit
// UMAP: the low-dimensional curve matches umap-learn's fit, the fuzzy graph is symmetric with each
// point's nearest neighbour at full membership, and well separated clusters stay separated with a
// high trustworthiness; a seed gives one layout whatever the thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "engine/eval/layout_quality.h"
#include "engine/eval/umap.h"
#include "tests/engine/layout_support.h"

using namespace pretext;
using pretext::test::clustered_rows;

TEST(umap, CurveMatchesUmapLearnsFit) {
  // umap.umap_.find_ab_params(spread=1.0, min_dist=0.1) gives a = 1.5769, b = 0.8951.
  const UmapCurve c = umap_curve(0.1, 1.0);
  EXPECT_NEAR(c.a, 1.5769, 0.01);
  EXPECT_NEAR(c.b, 0.8951, 0.01);
  // A larger min_dist flattens the curve near zero: a smaller a (umap-learn: 0.5: a = 0.5830, b = 1.3341).
  const UmapCurve wide = umap_curve(0.5, 1.0);
  EXPECT_NEAR(wide.a, 0.5830, 0.01);
  EXPECT_NEAR(wide.b, 1.3341, 0.01);
}

TEST(umap, FuzzyGraphIsSymmetricWithTheNearestNeighbourAtFullMembership) {
  std::vector<int> labels;
  const auto x = clustered_rows(3, 30, 6, labels);
  const size_t n = labels.size();
  const NeighbourGraph g = neighbour_graph(x, n, 6, 14);
  std::map<std::pair<int64_t, int64_t>, double> w;
  for (const auto& e : umap_fuzzy_graph(g)) {
    EXPECT_NE(e.head, e.tail);
    EXPECT_GT(e.weight, 0.0);
    EXPECT_LE(e.weight, 1.0);
    EXPECT_TRUE(w.emplace(std::make_pair(e.head, e.tail), e.weight).second) << "a pair twice";
  }
  for (const auto& [ij, v] : w) EXPECT_DOUBLE_EQ(w.at({ij.second, ij.first}), v);
  for (size_t i = 0; i < n; ++i) EXPECT_DOUBLE_EQ(w.at({int64_t(i), g.index[i * g.k]}), 1.0) << "row " << i;
}

TEST(umap, SeparableClustersStaySeparated) {
  std::vector<int> labels;
  const size_t dim = 10;
  const auto x = clustered_rows(3, 50, dim, labels);
  const size_t n = labels.size();
  const NeighbourGraph g = neighbour_graph(x, n, dim, 14);
  UmapOptions o;
  o.seed = 4;
  o.epochs = 200;
  int reports = 0;
  o.progress = [&](int epoch, int total) {
    EXPECT_LE(epoch, total);
    ++reports;
    return true;
  };
  const auto y = umap(g, {}, o);
  ASSERT_EQ(y.size(), 2 * n);
  EXPECT_EQ(reports, 20);
  for (float v : y) ASSERT_TRUE(std::isfinite(v));
  EXPECT_EQ(test::nearest_label_agreement(y, labels), 1.0);
  EXPECT_GT(trustworthiness(x, dim, y, n, 10), 0.9);
  o.progress = nullptr;
  o.threads = 1;
  EXPECT_EQ(umap(g, {}, o), y);
  o.threads = 2;
  EXPECT_EQ(umap(g, {}, o), y);
}

TEST(umap, ALayoutLargerThanAThreadsShareIsTheSameOnOneAndTwoThreads) {
  // 6,000 points: each of an epoch's 8 blocks holds several chunks of 256 points, so two threads
  // split every block between them.
  std::vector<int> labels;
  const size_t dim = 8;
  const auto x = clustered_rows(4, 1500, dim, labels);
  const size_t n = labels.size();
  const NeighbourGraph g = neighbour_graph(x, n, dim, 14);
  UmapOptions o;
  o.seed = 9;
  o.epochs = 20;
  o.threads = 1;
  const auto one = umap(g, {}, o);
  o.threads = 2;
  EXPECT_EQ(umap(g, {}, o), one);
  o.seed = 10;
  EXPECT_NE(umap(g, {}, o), one) << "the seed draws the start and the negative samples";
}

TEST(umap, RejectsBadInput) {
  EXPECT_THROW(umap(neighbour_graph({1.f, 2.f}, 2, 1, 1), {}), std::invalid_argument);
  EXPECT_THROW(umap(neighbour_graph({1.f, 2.f, 3.f, 5.f}, 4, 1, 3), {0.f}), std::invalid_argument);
}
