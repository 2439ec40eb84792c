// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/methods/simclr.h"

using pretext::nt_xent;

TEST(ntxent, HandComputedOrthogonalCase) {
  // z = [e1, e2, e1, e2] at T = 1: every anchor sees its positive at similarity 1 and two negatives
  // at 0, so each term is -log(e / (e + 2)).
  auto z = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}});
  const double expected = std::log(std::exp(1.0) + 2.0) - 1.0;  // 0.551444...
  EXPECT_NEAR(nt_xent(z, z, 1.0).item<double>(), expected, 1e-6);
}

TEST(ntxent, MatchesExplicitSumOverAnchors) {
  torch::manual_seed(3);
  auto z1 = torch::randn({5, 7}), z2 = torch::randn({5, 7});
  const double t = 0.3;
  // An independent, loop-based formula of eq. 1 in Chen et al. (2020).
  auto z = torch::cat({z1, z2});
  z = z / z.norm(2, 1, true);
  const int64_t n2 = z.size(0), n = n2 / 2;
  double total = 0;
  for (int64_t i = 0; i < n2; ++i) {
    const int64_t pos = (i + n) % n2;
    double denom = 0;
    for (int64_t k = 0; k < n2; ++k)
      if (k != i) denom += std::exp(torch::dot(z[i], z[k]).item<double>() / t);
    total += -std::log(std::exp(torch::dot(z[i], z[pos]).item<double>() / t) / denom);
  }
  EXPECT_NEAR(nt_xent(z1, z2, t).item<double>(), total / n2, 1e-5);
}

TEST(ntxent, LowerWhenPositivesAgree) {
  torch::manual_seed(0);
  auto z1 = torch::randn({8, 16});
  EXPECT_LT(nt_xent(z1, z1, 0.5).item<double>(), nt_xent(z1, torch::randn({8, 16}), 0.5).item<double>());
}

TEST(ntxent, GradientFlowsToBothViews) {
  auto z1 = torch::randn({4, 3}, torch::requires_grad()), z2 = torch::randn({4, 3}, torch::requires_grad());
  nt_xent(z1, z2, 0.5).backward();
  EXPECT_GT(z1.grad().abs().sum().item<double>(), 0);
  EXPECT_GT(z2.grad().abs().sum().item<double>(), 0);
}
