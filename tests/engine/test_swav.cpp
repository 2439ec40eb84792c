// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "engine/methods/swav.h"
#include "tests/engine/method_support.h"

using namespace pretext;

namespace {
// Sinkhorn-Knopp written out with loops in double: scale Q = exp(S / eps) alternately so that the
// prototype rows sum to 1/K and the sample columns to 1/B; return B * Q^T.
std::vector<std::vector<double>> sinkhorn_loops(const torch::Tensor& s, double eps, int iters) {
  const int64_t b = s.size(0), k = s.size(1);
  std::vector<std::vector<double>> q(k, std::vector<double>(b));
  double total = 0;
  for (int64_t j = 0; j < k; ++j)
    for (int64_t i = 0; i < b; ++i) total += q[j][i] = std::exp(s[i][j].item<double>() / eps);
  for (auto& row : q)
    for (auto& v : row) v /= total;
  for (int it = 0; it < iters; ++it) {
    for (auto& row : q) {
      double r = 0;
      for (double v : row) r += v;
      for (auto& v : row) v /= r * k;
    }
    for (int64_t i = 0; i < b; ++i) {
      double c = 0;
      for (int64_t j = 0; j < k; ++j) c += q[j][i];
      for (int64_t j = 0; j < k; ++j) q[j][i] /= c * b;
    }
  }
  std::vector<std::vector<double>> out(b, std::vector<double>(k));
  for (int64_t i = 0; i < b; ++i)
    for (int64_t j = 0; j < k; ++j) out[i][j] = q[j][i] * b;
  return out;
}

nlohmann::json small_params(int64_t queue) {
  return {{"num_prototypes", 10}, {"temperature", 0.1}, {"epsilon", 0.05}, {"sinkhorn_iterations", 3},
          {"queue_size", queue}, {"queue_start_fraction", 0.0}, {"proj_hidden", 32}, {"proj_dim", 16}};
}
}  // namespace

TEST(swav, SinkhornMatchesLoopsAndBalancesPrototypes) {
  torch::manual_seed(0);
  auto s = torch::rand({6, 4}) * 2 - 1;
  auto q = sinkhorn(s, 0.05, 3);
  const auto ref = sinkhorn_loops(s, 0.05, 3);
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 4; ++j) EXPECT_NEAR(q[i][j].item<double>(), ref[i][j], 1e-5);
  // Each sample's code is a distribution; with many iterations every prototype gets B/K of the mass.
  EXPECT_LT((q.sum(1) - 1).abs().max().item<double>(), 1e-5);
  auto q50 = sinkhorn(s, 0.05, 50);
  EXPECT_LT((q50.sum(0) - 6.0 / 4.0).abs().max().item<double>(), 1e-3);
}

TEST(swav, SwappedPredictionMatchesLoop) {
  torch::manual_seed(1);
  std::vector<torch::Tensor> scores = {torch::randn({3, 4}), torch::randn({3, 4}), torch::randn({3, 4})};
  std::vector<torch::Tensor> codes = {torch::softmax(torch::randn({3, 4}), 1), torch::softmax(torch::randn({3, 4}), 1)};
  double total = 0;
  int pairs = 0;
  for (int i = 0; i < 2; ++i)
    for (int v = 0; v < 3; ++v) {
      if (v == i) continue;
      for (int64_t b = 0; b < 3; ++b) {
        double z = 0;
        for (int64_t j = 0; j < 4; ++j) z += std::exp(scores[v][b][j].item<double>() / 0.1);
        for (int64_t j = 0; j < 4; ++j)
          total -= codes[i][b][j].item<double>() * (scores[v][b][j].item<double>() / 0.1 - std::log(z)) / 3;
      }
      ++pairs;
    }
  EXPECT_NEAR(swav_loss(scores, codes, 0.1).item<double>(), total / pairs, 1e-4);
}

TEST(swav, QueueFillsNewestFirstAndPrototypesStayNormalised) {
  torch::manual_seed(2);
  SwAVImpl m(make_backbone("resnet-tiny", 3), small_params(8));
  auto views = test::fixed_views(4, 3, 16, 2);
  m.train();
  EXPECT_FALSE(m.queue_in_use());
  auto out = m.compute(batch_of_views(views));
  out.total.backward();
  {
    torch::NoGradGuard g;
    m.prototypes->weight.mul_(3.0);
  }
  m.after_step(1, 10);
  EXPECT_LT((m.prototypes->weight.norm(2, 1) - 1).abs().max().item<double>(), 1e-5);
  EXPECT_EQ(m.queue_filled.item<int64_t>(), 4);
  EXPECT_FALSE(m.queue_in_use());
  auto first = m.queue.slice(1, 0, 4).clone();
  m.compute(batch_of_views(views));
  m.after_step(2, 10);
  EXPECT_TRUE(m.queue_in_use());
  // The older batch moved down by one batch.
  EXPECT_TRUE(torch::allclose(m.queue.slice(1, 4, 8), first));
}

TEST(swav, Trains20StepsWithFallingLoss) {
  torch::manual_seed(3);
  SwAVImpl m(make_backbone("resnet-tiny", 3), small_params(0));
  auto c = test::train_steps(m, test::fixed_views(32, 3, 16, 2), 20, 0.05);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}
