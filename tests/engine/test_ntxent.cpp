// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/methods/simclr.h"

using pretext::Formula;
using pretext::nt_xent;
using pretext::nt_xent_formula;

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

// The formula panel's rows: each row's loss is -s(i, pos)/tau + log-sum-exp from its own term
// values, the rows average to the loss the method trains on, and the nearest negative is the most
// similar view that is neither the row itself nor its positive.
TEST(ntxent, TheFormulaRowsRecomputeToTheLoss) {
  torch::manual_seed(4);
  auto z1 = torch::randn({6, 5}), z2 = torch::randn({6, 5});
  const double tau = 0.3;
  const Formula f = nt_xent_formula(z1, z2, tau);
  ASSERT_EQ(f.row_loss.size(0), 12);
  EXPECT_NEAR(f.row_loss.mean().item<double>(), nt_xent(z1, z2, tau).item<double>(), 1e-5);
  auto term = [&](const char* name) {
    for (const auto& [n, t] : f.terms)
      if (n.find(name) != std::string::npos) return t;
    ADD_FAILURE() << "no term " << name;
    return torch::Tensor();
  };
  auto z = torch::nn::functional::normalize(torch::cat({z1, z2}), torch::nn::functional::NormalizeFuncOptions().dim(1));
  auto sim = z.mm(z.t());
  for (int64_t i = 0; i < 12; ++i) {
    const int64_t pos = (i + 6) % 12, neg = f.nearest_negative[i].item<int64_t>();
    EXPECT_EQ(f.positive[i].item<int64_t>(), pos);
    EXPECT_NE(neg, i);
    EXPECT_NE(neg, pos);
    double best = -2, lse = 0;
    for (int64_t k = 0; k < 12; ++k) {
      if (k == i) continue;
      lse += std::exp(sim[i][k].item<double>() / tau);
      if (k != pos) best = std::max(best, sim[i][k].item<double>());
    }
    EXPECT_NEAR(term("positive")[i].item<double>(), sim[i][pos].item<double>(), 1e-5);
    EXPECT_NEAR(term("nearest negative")[i].item<double>(), best, 1e-5);
    EXPECT_NEAR(term("log Σ exp")[i].item<double>(), std::log(lse), 1e-4);
    EXPECT_NEAR(f.row_loss[i].item<double>(), -sim[i][pos].item<double>() / tau + std::log(lse), 1e-4);
  }
}
