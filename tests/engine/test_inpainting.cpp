// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

#include "engine/methods/inpainting.h"
#include "tests/engine/method_support.h"

using namespace pretext;

TEST(inpainting, TheCentralRegionIsHalfTheSideInTheMiddle) {
  std::mt19937_64 rng(0);
  auto r = inpainting_region(2, 8, 8, 0.5, false, rng, torch::kCPU);
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{2, 1, 8, 8}));
  EXPECT_EQ(r[0].sum().item<double>(), 16.0);
  EXPECT_EQ(r[0][0].slice(0, 2, 6).slice(1, 2, 6).sum().item<double>(), 16.0);
  EXPECT_TRUE(torch::equal(r[0], r[1]));
}

TEST(inpainting, RandomRegionsMoveAndStayInside) {
  std::mt19937_64 rng(1);
  auto r = inpainting_region(20, 10, 10, 0.3, true, rng, torch::kCPU);
  for (int64_t i = 0; i < 20; ++i) EXPECT_EQ(r[i].sum().item<double>(), 9.0);
  EXPECT_FALSE(torch::equal(r[0], r[1]) && torch::equal(r[1], r[2]) && torch::equal(r[2], r[3]));
}

TEST(inpainting, TheLossIsTheMeanSquaredErrorOverHiddenPixelsOnly) {
  auto x = torch::zeros({1, 2, 2, 2});
  auto pred = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f}).view({1, 2, 2, 2});
  auto region = torch::tensor({1.0f, 0.0f, 0.0f, 1.0f}).view({1, 1, 2, 2});
  // Hidden pixels (0,0) and (1,1) in both channels: 1, 4, 5, 8 -> (1 + 16 + 25 + 64) / 4.
  EXPECT_NEAR(hidden_region_loss(pred, x, region).item<double>(), 26.5, 1e-6);
}

TEST(inpainting, TheHiddenPixelsDoNotReachTheNetwork) {
  torch::manual_seed(3);
  InpaintingImpl m(make_backbone("resnet-tiny", 1), {{"region", 0.5}, {"placement", "centre"}, {"canvas", 8}, {"head_hidden", 16}});
  m.eval();
  std::mt19937_64 rng(0);
  auto region = inpainting_region(1, 16, 16, 0.5, false, rng, torch::kCPU);
  auto x = torch::randn({1, 1, 16, 16});
  auto y = x + region * 5;  // other pixels inside the region only
  EXPECT_TRUE(torch::allclose(m.paint(x, region), m.paint(y, region)));
}

TEST(inpainting, Trains20StepsWithFallingLoss) {
  torch::manual_seed(4);
  InpaintingImpl m(make_backbone("resnet-tiny", 1), {{"region", 0.5}, {"placement", "centre"}, {"canvas", 8}, {"head_hidden", 32}});
  auto c = test::train_steps(m, test::fixed_views(16, 1, 16, 1), 20, 0.05);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}

TEST(inpainting, ThePictureKeepsTheSurroundingsAndPaintsOnlyTheHole) {
  torch::manual_seed(8);
  InpaintingImpl m(make_backbone("resnet-tiny", 1), {{"region", 0.5}, {"placement", "centre"}, {"canvas", 8}, {"head_hidden", 16}});
  m.eval();
  torch::NoGradGuard no_grad;
  auto x = torch::randn({2, 1, 16, 16});
  const auto pic = m.picture(x);
  ASSERT_EQ(pic.rows.size(), 3u);
  auto outside = torch::ones({1, 1, 16, 16});
  outside.slice(2, 4, 12).slice(3, 4, 12).zero_();
  EXPECT_TRUE(torch::equal(pic.rows[2].second * outside, x * outside));
  EXPECT_EQ(pic.rows[0].second.slice(2, 4, 12).slice(3, 4, 12).abs().sum().item<double>(), 0.0);
}
