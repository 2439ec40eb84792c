// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/methods/vicreg.h"
#include "tests/engine/method_support.h"

using namespace pretext;

TEST(vicreg, TermsMatchLoopFormulas) {
  torch::manual_seed(0);
  const int64_t n = 5, d = 3;
  auto z1 = torch::randn({n, d}, torch::kDouble), z2 = torch::randn({n, d}, torch::kDouble);
  auto at = [](const torch::Tensor& z, int64_t b, int64_t j) { return z[b][j].item<double>(); };
  double inv = 0;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t j = 0; j < d; ++j) inv += std::pow(at(z1, b, j) - at(z2, b, j), 2) / (n * d);
  double var = 0, cov = 0;
  for (const auto* z : {&z1, &z2}) {
    std::vector<double> mean(d, 0);
    for (int64_t j = 0; j < d; ++j)
      for (int64_t b = 0; b < n; ++b) mean[j] += at(*z, b, j) / n;
    for (int64_t i = 0; i < d; ++i) {
      for (int64_t j = 0; j < d; ++j) {
        double c = 0;
        for (int64_t b = 0; b < n; ++b) c += (at(*z, b, i) - mean[i]) * (at(*z, b, j) - mean[j]) / (n - 1);
        if (i == j) var += std::max(0.0, 1 - std::sqrt(c + 1e-4)) / d / 2;
        else cov += c * c / d;
      }
    }
  }
  auto t = vicreg_terms(z1, z2);
  EXPECT_NEAR(t.invariance.item<double>(), inv, 1e-10);
  EXPECT_NEAR(t.variance.item<double>(), var, 1e-10);
  EXPECT_NEAR(t.covariance.item<double>(), cov, 1e-10);
}

TEST(vicreg, HandComputedCollapsedCase) {
  // Both views one constant vector: no invariance or covariance cost, every dimension pays the
  // full hinge 1 - sqrt(0 + 1e-4) = 0.99.
  auto z = torch::ones({4, 3});
  auto t = vicreg_terms(z, z);
  EXPECT_NEAR(t.invariance.item<double>(), 0.0, 1e-7);
  EXPECT_NEAR(t.variance.item<double>(), 0.99, 1e-6);
  EXPECT_NEAR(t.covariance.item<double>(), 0.0, 1e-7);
}

TEST(vicreg, Trains20StepsWithFallingLoss) {
  torch::manual_seed(5);
  VICRegImpl m(make_backbone("resnet-tiny", 3), {{"sim_weight", 25.0}, {"var_weight", 25.0}, {"cov_weight", 1.0},
                                                 {"proj_hidden", 64}, {"proj_dim", 64}});
  auto c = test::train_steps(m, test::fixed_views(32, 3, 16, 2), 20, 0.02);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}
