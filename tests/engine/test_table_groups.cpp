// ctest-labels: unit
// The explorer's colourings in feature space: the leave-one-out kNN vote and k-means clusters, on
// tables built so that the answer is known.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/export/table_groups.h"

using namespace pretext;

namespace {
// `per` rows around each of `centres` orthogonal unit directions in `dim` dimensions, L2-normalised,
// labelled by their centre.
EmbeddingTable clustered(int centres, int per, size_t dim, double spread, uint64_t seed) {
  EmbeddingTable t;
  t.dim = dim;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, spread);
  for (int c = 0; c < centres; ++c)
    for (int i = 0; i < per; ++i) {
      std::vector<double> v(dim);
      for (size_t d = 0; d < dim; ++d) v[d] = (int(d) == c ? 1.0 : 0.0) + noise(rng);
      double norm = 0;
      for (double x : v) norm += x * x;
      for (double x : v) t.values.push_back(float(x / std::sqrt(norm)));
      t.labels.push_back(c);
      t.image_index.push_back(int64_t(t.n++));
    }
  return t;
}
}  // namespace

TEST(table_groups, TheVoteLeavesThePointItselfOut) {
  EmbeddingTable t = clustered(3, 30, 8, 0.05, 1);
  t.labels[5] = 2;  // a point of class 0 mislabelled: its neighbours say 0, only itself says 2
  const std::vector<int> votes = neighbour_votes(t, 10, 0.07);
  ASSERT_EQ(votes.size(), t.n);
  EXPECT_EQ(votes[5], 0);
  for (size_t i = 0; i < t.n; ++i) {
    if (i != 5) {
      EXPECT_EQ(votes[i], t.labels[i]) << i;
    }
  }
}

TEST(table_groups, UnlabelledRowsGetNoVote) {
  EmbeddingTable t = clustered(2, 10, 4, 0.05, 2);
  t.labels[3] = -1;
  const std::vector<int> votes = neighbour_votes(t, 5, 0.1);
  EXPECT_EQ(votes[3], -1);
  EXPECT_EQ(votes[4], 0);
  t.labels.clear();
  EXPECT_EQ(neighbour_votes(t, 5, 0.1), std::vector<int>(t.n, -1));
}

TEST(table_groups, ClustersOfSeparatedGroupsAreTheGroups) {
  const EmbeddingTable t = clustered(4, 25, 6, 0.05, 3);
  const std::vector<int> c = feature_clusters(t, 4, 7);
  ASSERT_EQ(c.size(), t.n);
  EXPECT_DOUBLE_EQ(cluster_purity(c, t.labels), 1.0);
  EXPECT_EQ(feature_clusters(t, 4, 7), c);  // deterministic for a seed
  std::vector<int> shuffled = t.labels;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(11));
  EXPECT_LT(cluster_purity(c, shuffled), 0.6);
}

TEST(table_groups, PurityByHand) {
  // cluster 0: classes 1,1,2 -> 2 of 3; cluster 1: 0,0 -> 2 of 2; an unlabelled row is not counted.
  EXPECT_DOUBLE_EQ(cluster_purity({0, 0, 0, 1, 1, 1}, {1, 1, 2, 0, 0, -1}), 4.0 / 5.0);
  EXPECT_DOUBLE_EQ(cluster_purity({}, {}), 0.0);
}
