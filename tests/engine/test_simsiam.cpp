// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/methods/simsiam.h"
#include "tests/engine/method_support.h"

using namespace pretext;

TEST(simsiam, HandComputedLoss) {
  // p1 _|_ z2 (cos 0), p2 at 45 degrees to z1 (cos 1/sqrt 2): loss = -(0)/2 - (1/sqrt 2)/2.
  auto p1 = torch::tensor({{1.0f, 0.0f}}), z2 = torch::tensor({{0.0f, 2.0f}});
  auto p2 = torch::tensor({{1.0f, 1.0f}}), z1 = torch::tensor({{3.0f, 0.0f}});
  EXPECT_NEAR(simsiam_loss(p1, p2, z1, z2).item<double>(), -0.5 / std::sqrt(2.0), 1e-6);
}

TEST(simsiam, StopGradientBlocksTheProjectionBranch) {
  torch::manual_seed(0);
  auto p1 = torch::randn({4, 6}, torch::requires_grad()), p2 = torch::randn({4, 6}, torch::requires_grad());
  auto z1 = torch::randn({4, 6}, torch::requires_grad()), z2 = torch::randn({4, 6}, torch::requires_grad());
  simsiam_loss(p1, p2, z1, z2).backward();
  EXPECT_FALSE(z1.grad().defined());
  EXPECT_FALSE(z2.grad().defined());
  EXPECT_GT(p1.grad().abs().sum().item<double>(), 0);
  EXPECT_GT(p2.grad().abs().sum().item<double>(), 0);
}

TEST(simsiam, TheFormulaRowsRecomputeToTheLoss) {
  torch::manual_seed(5);
  SimSiamImpl m(make_backbone("resnet-tiny", 3), {{"proj_hidden", 32}, {"proj_dim", 32}, {"pred_hidden", 16}});
  auto out = m.compute(batch_of_views(test::fixed_views(8, 3, 16, 2)));
  const Formula& f = out.formula;
  ASSERT_EQ(f.row_loss.size(0), 8);
  EXPECT_NEAR(f.row_loss.mean().item<double>(), out.total.item<double>(), 1e-5);
  ASSERT_EQ(f.terms.size(), 2u);
  for (int64_t i = 0; i < 8; ++i) {
    EXPECT_NEAR(f.row_loss[i].item<double>(),
                -(f.terms[0].second[i].item<double>() + f.terms[1].second[i].item<double>()) / 2, 1e-6);
    EXPECT_LE(std::abs(f.terms[0].second[i].item<double>()), 1 + 1e-6);
  }
}

TEST(simsiam, Trains20StepsWithFallingLoss) {
  torch::manual_seed(3);
  SimSiamImpl m(make_backbone("resnet-tiny", 3), {{"proj_hidden", 32}, {"proj_dim", 32}, {"pred_hidden", 16}});
  auto c = test::train_steps(m, test::fixed_views(32, 3, 16, 2), 20, 0.05);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}
