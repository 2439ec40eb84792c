// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>
#include <set>

#include "engine/methods/jigsaw.h"
#include "engine/methods/relative_location.h"
#include "tests/engine/method_support.h"

using namespace pretext;

TEST(relative_location, PatchesAsLargeAsTheirCellAreTheCells) {
  std::mt19937_64 rng(1);
  auto x = torch::randn({2, 3, 30, 30});
  EXPECT_TRUE(torch::equal(jittered_grid_patches(x, 10, rng), to_tiles(x, 3)));
}

TEST(relative_location, EveryPatchStaysInsideItsCellAndMovesWithinIt) {
  // Each pixel holds the number of its cell (row-major): a patch that crossed into a neighbour cell
  // would hold two numbers.
  auto cells = torch::arange(9, torch::kFloat).view({1, 1, 3, 3});
  auto x = cells.repeat_interleave(10, 2).repeat_interleave(10, 3);  // [1, 1, 30, 30]
  std::mt19937_64 rng(2);
  std::set<float> corners;
  for (int draw = 0; draw < 20; ++draw) {
    auto p = jittered_grid_patches(x, 7, rng);
    ASSERT_EQ(p.sizes(), (std::vector<int64_t>{1, 9, 1, 7, 7}));
    for (int64_t k = 0; k < 9; ++k) {
      EXPECT_EQ(p[0][k].min().item<float>(), float(k));
      EXPECT_EQ(p[0][k].max().item<float>(), float(k));
    }
  }
  // The offsets vary: a ramp image shows different top-left pixels across draws.
  auto ramp = torch::arange(30, torch::kFloat).view({1, 1, 1, 30}).expand({1, 1, 30, 30}).contiguous();
  for (int draw = 0; draw < 20; ++draw) corners.insert(jittered_grid_patches(ramp, 7, rng)[0][4][0][0][0].item<float>());
  EXPECT_GT(corners.size(), 1u);
  EXPECT_THROW(jittered_grid_patches(x, 11, rng), std::runtime_error);  // larger than a cell
}

TEST(relative_location, TheClassifierSeesTheCentreWithEachNeighbourInOrder) {
  // A classifier that is the identity on a one-dimensional "feature" would be too clever to build;
  // instead: swapping two neighbours' patches swaps their rows of logits.
  torch::manual_seed(3);
  RelativeLocationImpl m(make_backbone("resnet-tiny", 1), {{"patch_fraction", 0.75}, {"head_hidden", 16}});
  m.eval();
  auto patches = torch::randn({1, 9, 1, 8, 8});
  auto swapped = patches.clone();
  swapped[0][0] = patches[0][8];
  swapped[0][8] = patches[0][0];
  auto a = m.classify(patches), b = m.classify(swapped);
  EXPECT_TRUE(torch::allclose(a[0], b[7], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(a[7], b[0], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(a[3], b[3], 1e-5, 1e-5));
}

TEST(relative_location, Trains20StepsWithFallingLoss) {
  torch::manual_seed(4);
  RelativeLocationImpl m(make_backbone("resnet-tiny", 1), {{"patch_fraction", 0.75}, {"head_hidden", 64}});
  auto c = test::train_steps(m, test::fixed_views(16, 1, 30, 1), 20, 0.05);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}

TEST(relative_location, TilesBackToImagesIsTheInverseAndThePictureScoresTheGuesses) {
  auto x = torch::randn({2, 3, 30, 30});
  EXPECT_TRUE(torch::equal(from_tiles(to_tiles(x, 3), 3), x));
  torch::manual_seed(5);
  RelativeLocationImpl m(make_backbone("resnet-tiny", 1), {{"patch_fraction", 0.75}, {"head_hidden", 16}});
  m.eval();
  torch::NoGradGuard no_grad;
  const auto pic = m.picture(torch::randn({3, 1, 30, 30}));
  ASSERT_EQ(pic.rows.size(), 1u);
  EXPECT_EQ(pic.rows[0].second.sizes(), (std::vector<int64_t>{3, 1, 24, 24}));  // 3 x 8 px patches a side
  EXPECT_EQ(pic.captions.size(), 3u);
  EXPECT_GE(pic.score, 0.0);
  EXPECT_LE(pic.score, 1.0);
}
