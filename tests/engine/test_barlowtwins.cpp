// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "engine/methods/barlowtwins.h"
#include "tests/engine/method_support.h"

using namespace pretext;

TEST(barlowtwins, MatchesLoopFormula) {
  torch::manual_seed(0);
  const int64_t n = 6, d = 4;
  auto z1 = torch::randn({n, d}, torch::kDouble), z2 = torch::randn({n, d}, torch::kDouble);
  const double lambda = 0.3, scale = 0.5;
  // Standardise each column by hand (biased variance, eps 1e-5), then C_ij = sum_b a_bi b_bj / N.
  auto standardise = [&](const torch::Tensor& z) {
    std::vector<std::vector<double>> out(n, std::vector<double>(d));
    for (int64_t j = 0; j < d; ++j) {
      double m = 0, v = 0;
      for (int64_t b = 0; b < n; ++b) m += z[b][j].item<double>() / n;
      for (int64_t b = 0; b < n; ++b) v += std::pow(z[b][j].item<double>() - m, 2) / n;
      for (int64_t b = 0; b < n; ++b) out[b][j] = (z[b][j].item<double>() - m) / std::sqrt(v + 1e-5);
    }
    return out;
  };
  auto a = standardise(z1), b = standardise(z2);
  double on = 0, off = 0;
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = 0; j < d; ++j) {
      double c = 0;
      for (int64_t k = 0; k < n; ++k) c += a[k][i] * b[k][j] / n;
      if (i == j) on += (1 - c) * (1 - c);
      else off += c * c;
    }
  auto t = barlow_twins_loss(z1, z2, lambda, scale);
  EXPECT_NEAR(t.invariance.item<double>(), scale * on, 1e-9);
  EXPECT_NEAR(t.redundancy.item<double>(), scale * lambda * off, 1e-9);
}

TEST(barlowtwins, IdenticalDecorrelatedEmbeddingsCostNothing) {
  // Columns with mean 0, variance 1 and zero correlation: C = I (up to the eps), loss ~ 0.
  auto z = torch::tensor({{1.0, 1.0}, {1.0, -1.0}, {-1.0, 1.0}, {-1.0, -1.0}});
  auto t = barlow_twins_loss(z, z, 0.0051, 1.0);
  EXPECT_NEAR(t.invariance.item<double>(), 0.0, 1e-8);
  EXPECT_NEAR(t.redundancy.item<double>(), 0.0, 1e-12);
  // Swapping the columns of one view: C = [[0,1],[1,0]]: on = 2, off = 2.
  auto s = barlow_twins_loss(z, z.flip(1), 0.5, 1.0);
  EXPECT_NEAR(s.invariance.item<double>(), 2.0, 1e-4);
  EXPECT_NEAR(s.redundancy.item<double>(), 0.5 * 2.0, 1e-4);
}

TEST(barlowtwins, Trains20StepsWithFallingLoss) {
  torch::manual_seed(4);
  BarlowTwinsImpl m(make_backbone("resnet-tiny", 3), {{"lambda", 0.0051}, {"scale_loss", 0.1}, {"proj_hidden", 64}, {"proj_dim", 64}});
  auto c = test::train_steps(m, test::fixed_views(32, 3, 16, 2), 20, 0.05);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}
