// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/eval/diagnostics.h"

using namespace pretext;

TEST(diagnostics, ZStdSeparatesSpreadFromCollapse) {
  torch::manual_seed(0);
  auto spread = torch::randn({2000, 64});
  EXPECT_NEAR(z_std(spread), 1.0 / 8.0, 0.01);  // isotropic: 1/sqrt(d)
  auto collapsed = torch::ones({100, 64}) + 1e-6 * torch::randn({100, 64});
  EXPECT_LT(z_std(collapsed), 1e-4);
}

TEST(diagnostics, RankMeMatchesHandComputedSpectrum) {
  // Singular values 3, 1 (diagonal matrix): p = (0.75, 0.25), entropy H = -(.75 ln .75 + .25 ln .25).
  auto z = torch::tensor({{3.0, 0.0}, {0.0, 1.0}});
  const double h = -(0.75 * std::log(0.75) + 0.25 * std::log(0.25));
  EXPECT_NEAR(rankme(z), std::exp(h), 1e-5);
  // Rank-one data: effective rank 1.
  auto r1 = torch::mm(torch::randn({50, 1}), torch::randn({1, 16}));
  EXPECT_NEAR(rankme(r1), 1.0, 1e-3);
}

TEST(diagnostics, AlignmentAndUniformityByHand) {
  auto z1 = torch::tensor({{1.0, 0.0}, {0.0, 1.0}});
  auto z2 = torch::tensor({{0.0, 1.0}, {0.0, 1.0}});
  // Pair 0: distance sqrt(2) -> squared 2; pair 1: 0. Mean 1.
  EXPECT_NEAR(alignment(z1, z2), 1.0, 1e-9);
  // Two orthogonal unit vectors: one pair, squared distance 2: log exp(-2*2) = -4.
  EXPECT_NEAR(uniformity(z1), -4.0, 1e-9);
}

TEST(diagnostics, HistogramsSumToOneAndSeparate) {
  torch::manual_seed(1);
  auto z1 = torch::randn({32, 16});
  auto z2 = z1 + 0.01 * torch::randn({32, 16});
  auto pos = similarity_histogram(z1, z2, true, 20), neg = similarity_histogram(z1, z2, false, 20);
  double ps = 0, ns = 0;
  for (float v : pos) ps += v;
  for (float v : neg) ns += v;
  EXPECT_NEAR(ps, 1.0, 1e-5);
  EXPECT_NEAR(ns, 1.0, 1e-5);
  EXPECT_GT(pos.back(), 0.9);  // near-identical views: similarity ~1, last bin
}

TEST(diagnostics, CrossCorrelationOfIdenticalViewsHasUnitDiagonal) {
  torch::manual_seed(2);
  auto z = torch::randn({256, 8});
  auto c = cross_correlation(z, z, 8);
  EXPECT_LT((c.diagonal() - 1).abs().max().item<double>(), 1e-6);
  const auto e = diagnose(z, z, 7, 3);
  EXPECT_EQ(e.corr_dim, 8);
  EXPECT_EQ(e.cross_corr.size(), 64u);
  EXPECT_EQ(e.step, 3);
}
