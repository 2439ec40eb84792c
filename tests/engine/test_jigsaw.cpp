// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "engine/methods/jigsaw.h"
#include "tests/engine/method_support.h"

using namespace pretext;

TEST(jigsaw, PermutationSetByHand) {
  // 3 tiles: identity first; the next is the first (lexicographic) permutation at the largest
  // Hamming distance 3 from it: [1,2,0].
  auto p = jigsaw_method_permutations(3, 2);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(p[1], (std::vector<int64_t>{1, 2, 0}));
  EXPECT_THROW(jigsaw_method_permutations(3, 7), std::runtime_error);
}

TEST(jigsaw, NinetyTilePermutationsAreDistinctFarApartAndDeterministic) {
  auto p = jigsaw_method_permutations(9, 100);
  EXPECT_EQ(p, jigsaw_method_permutations(9, 100));
  std::set<std::vector<int64_t>> unique(p.begin(), p.end());
  EXPECT_EQ(unique.size(), 100u);
  int min_d = 9;
  for (size_t a = 0; a < p.size(); ++a)
    for (size_t b = a + 1; b < p.size(); ++b) {
      int d = 0;
      for (int i = 0; i < 9; ++i) d += p[a][i] != p[b][i];
      min_d = std::min(min_d, d);
    }
  // Greedy max-min selection keeps every pair well apart (Noroozi & Favaro report minimum distances
  // of 2 to 6 for their sets; ours is computed, not assumed: at least half the tiles differ).
  EXPECT_GE(min_d, 5);
}

TEST(jigsaw, TilesAreShuffledByThePermutationAndStandardised) {
  torch::manual_seed(0);
  JigsawImpl m(make_backbone("resnet-tiny", 1), {{"grid", 2}, {"permutations", 3}, {"head_hidden", 8}});
  auto x = torch::randn({2, 1, 9, 9});  // 4 tiles of 4x4, a 1 px remainder cropped
  auto labels = torch::tensor({1, 2}, torch::kLong);
  auto t = m.shuffled_tiles(x, labels);
  ASSERT_EQ(t.sizes(), (std::vector<int64_t>{2, 4, 1, 4, 4}));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t pos = 0; pos < 4; ++pos) {
      const int64_t src = m.permutations[labels[n].item<int64_t>()][pos].item<int64_t>();
      auto tile = x[n].slice(1, (src / 2) * 4, (src / 2) * 4 + 4).slice(2, (src % 2) * 4, (src % 2) * 4 + 4);
      auto expected = (tile - tile.mean()) / (tile.std(/*unbiased=*/false) + 1e-5);
      EXPECT_LT((t[n][pos] - expected).abs().max().item<double>(), 1e-5);
    }
}

TEST(jigsaw, Trains20StepsWithFallingLoss) {
  torch::manual_seed(1);
  JigsawImpl m(make_backbone("resnet-tiny", 1), {{"grid", 2}, {"permutations", 24}, {"head_hidden", 64}});
  auto c = test::train_steps(m, test::fixed_views(16, 1, 16, 1), 20, 1e-3, /*adam=*/true);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}

TEST(jigsaw, ThePictureShowsEachImageShuffledWithTheGuess) {
  torch::manual_seed(6);
  JigsawImpl m(make_backbone("resnet-tiny", 1), {{"grid", 3}, {"permutations", 10}, {"head_hidden", 16}});
  m.eval();
  torch::NoGradGuard no_grad;
  auto x = torch::randn({4, 1, 30, 30});
  const auto pic = m.picture(x);
  ASSERT_EQ(pic.rows.size(), 1u);
  // Image 0 gets permutation 0, the identity: its tiles in place (each standardised).
  EXPECT_TRUE(torch::allclose(pic.rows[0].second[0], from_tiles(m.shuffled_tiles(x, torch::zeros({4}, torch::kLong)), 3)[0]));
  ASSERT_EQ(pic.captions.size(), 4u);
  EXPECT_EQ(pic.captions[1].rfind("permutation 1, guess ", 0), 0u);
}
