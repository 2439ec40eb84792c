// ctest-labels: unit
// Blocked nearest neighbours (engine/eval/neighbours.h) against a direct sort of every distance,
// for both kinds of closeness; the graph for t-SNE and UMAP never lists a row as its own neighbour,
// duplicates included; a table's nearest rows (the explorer's neighbour strip) go by cosine.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/eval/neighbours.h"
#include "engine/export/run_model.h"

using namespace pretext;

TEST(neighbours, NearestMatchesADirectSortOfEveryDistance) {
  torch::manual_seed(0);
  const auto bank = torch::randn({300, 7}), query = torch::randn({40, 7});
  const int64_t k = 9;
  for (const auto closeness : {Closeness::kDot, Closeness::kSquaredEuclidean}) {
    const Nearest found = nearest(query, bank, k, closeness);
    ASSERT_EQ(found.index.sizes(), (std::vector<int64_t>{40, k}));
    for (int64_t q = 0; q < query.size(0); ++q) {
      std::vector<double> score(size_t(bank.size(0)));
      for (int64_t b = 0; b < bank.size(0); ++b)
        score[size_t(b)] = closeness == Closeness::kDot ? (query[q] * bank[b]).sum().item<double>()
                                                        : (query[q] - bank[b]).pow(2).sum().item<double>();
      std::vector<int64_t> order(score.size());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return closeness == Closeness::kDot ? score[size_t(a)] > score[size_t(b)] : score[size_t(a)] < score[size_t(b)];
      });
      for (int64_t j = 0; j < k; ++j) {
        EXPECT_EQ(found.index[q][j].item<int64_t>(), order[size_t(j)]) << "query " << q << " rank " << j;
        EXPECT_NEAR(found.score[q][j].item<double>(), score[size_t(order[size_t(j)])], 1e-4);
      }
    }
  }
}

TEST(neighbours, WithinItsOwnRowsMatchesTheDirectSearchAcrossBlocks) {
  // More rows than a block of products (2048): the blocks below the diagonal come from the ones
  // above, read by column. Rounded features make ties, which go to the smaller index either way.
  torch::manual_seed(1);
  const auto x = (torch::randn({2500, 5}) * 4).round();
  for (const auto closeness : {Closeness::kDot, Closeness::kSquaredEuclidean}) {
    const Nearest within = nearest_within(x, 12, closeness), direct = nearest(x, x, 12, closeness);
    EXPECT_TRUE(torch::equal(within.index, direct.index));
    EXPECT_TRUE(torch::allclose(within.score, direct.score));
    // Row 2400 (in the second block) against a sort of its every distance.
    const int64_t row = 2400;
    const auto d = closeness == Closeness::kDot ? -torch::mv(x, x[row]) : (x - x[row]).pow(2).sum(1);
    std::vector<std::pair<float, int64_t>> order;
    for (int64_t j = 0; j < x.size(0); ++j) order.push_back({d[j].item<float>(), j});
    std::sort(order.begin(), order.end());
    for (int64_t j = 0; j < 12; ++j) EXPECT_EQ(within.index[row][j].item<int64_t>(), order[size_t(j)].second) << j;
  }
}

TEST(neighbours, GraphNeverListsARowAsItsOwnNeighbour) {
  // Rows 0-2 are one point three times; rows 3-5 are spread out along a line.
  const std::vector<float> rows = {1, 1, 1, 1, 1, 1, 5, 0, 7, 0, 10, 0};
  const NeighbourGraph g = neighbour_graph(rows, 6, 2, 2);
  ASSERT_EQ(g.k, 2u);
  for (size_t i = 0; i < 6; ++i)
    for (size_t j = 0; j < 2; ++j) EXPECT_NE(g.index[i * 2 + j], int64_t(i)) << "row " << i;
  EXPECT_FLOAT_EQ(g.squared_distance[0], 0.0f);  // a duplicate is at distance 0
  EXPECT_EQ(g.index[4 * 2], 3);                  // (7, 0): (5, 0) is nearest, at 4
  EXPECT_FLOAT_EQ(g.squared_distance[4 * 2], 4.0f);
  EXPECT_EQ(neighbour_graph(rows, 6, 2, 50).k, 5u);  // capped at n - 1
}

TEST(neighbours, NearestRowsOfATableAreByCosineAndLeaveTheRowOut) {
  // Unit vectors at angles 0, 10, 30, 60 and 100 degrees: from row 1 (10 degrees) the order is
  // 0 (10 away), 2 (20), 3 (50), 4 (90).
  EmbeddingTable t;
  t.n = 5;
  t.dim = 2;
  for (double degrees : {0.0, 10.0, 30.0, 60.0, 100.0}) {
    t.values.push_back(float(std::cos(degrees * M_PI / 180)));
    t.values.push_back(float(std::sin(degrees * M_PI / 180)));
  }
  EXPECT_EQ(nearest_rows(t, 1, 3), (std::vector<size_t>{0, 2, 3}));
  EXPECT_EQ(nearest_rows(t, 4, 10), (std::vector<size_t>{3, 2, 1, 0}));  // capped at the other rows
  EXPECT_THROW(nearest_rows(t, 5, 1), std::out_of_range);
}
