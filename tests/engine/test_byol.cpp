// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/methods/byol.h"
#include "engine/methods/heads.h"
#include "tests/engine/method_support.h"

using namespace pretext;

namespace {
std::shared_ptr<BYOLImpl> small_byol() {
  torch::manual_seed(2);
  return std::make_shared<BYOLImpl>(make_backbone("resnet-tiny", 3),
                                    nlohmann::json{{"proj_hidden", 32}, {"proj_dim", 16}, {"pred_hidden", 32},
                                                   {"base_tau", 0.99}, {"final_tau", 1.0}});
}
}  // namespace

TEST(byol, RegressionEqualsSquaredDistanceOfUnitVectors) {
  // Paper, eq. 2: ||p/|p| - z/|z|||^2, the second formula.
  torch::manual_seed(0);
  auto p = torch::randn({5, 7}), z = torch::randn({5, 7});
  auto d = (p / p.norm(2, 1, true) - z / z.norm(2, 1, true)).pow(2).sum(1).mean();
  EXPECT_NEAR(byol_regression(p, z).item<double>(), d.item<double>(), 1e-5);
  // By hand: orthogonal vectors give 2, equal ones 0.
  EXPECT_NEAR(byol_regression(torch::tensor({{1.0f, 0.0f}}), torch::tensor({{0.0f, 3.0f}})).item<double>(), 2.0, 1e-6);
  EXPECT_NEAR(byol_regression(torch::tensor({{1.0f, 2.0f}}), torch::tensor({{2.0f, 4.0f}})).item<double>(), 0.0, 1e-6);
}

TEST(byol, CosineTauSchedule) {
  EXPECT_DOUBLE_EQ(cosine_tau(0.99, 1.0, 0, 100), 0.99);
  EXPECT_NEAR(cosine_tau(0.99, 1.0, 50, 100), 0.995, 1e-12);
  EXPECT_DOUBLE_EQ(cosine_tau(0.99, 1.0, 100, 100), 1.0);
  // tau = 1 - (1 - base)(cos(pi k / K) + 1) / 2 at k = 25.
  EXPECT_NEAR(cosine_tau(0.99, 1.0, 25, 100), 1 - 0.01 * (std::cos(M_PI / 4) + 1) / 2, 1e-12);
}

TEST(byol, TargetGetsNoGradientAndFollowsExactEma) {
  auto m = small_byol();
  auto views = test::fixed_views(8, 3, 16, 2);
  m->train();
  auto out = m->compute(batch_of_views(views));
  out.total.backward();
  test::expect_frozen(*m->target_backbone);
  test::expect_frozen(*m->target_projector);
  double pred_grad = 0;
  for (auto& p : m->predictor->parameters()) pred_grad += p.grad().abs().sum().item<double>();
  EXPECT_GT(pred_grad, 0);

  {
    torch::NoGradGuard g;
    for (auto& p : m->projector->parameters()) p.add_(0.05);
  }
  auto target0 = test::snapshot(*m->target_projector);
  auto online1 = test::snapshot(*m->projector);
  m->after_step(51, 101);  // k = 50 of 101
  const double tau = cosine_tau(0.99, 1.0, 50, 101);
  EXPECT_DOUBLE_EQ(m->tau(), tau);
  EXPECT_LT(test::ema_error(target0, online1, *m->target_projector, tau), 1e-6);
}

TEST(byol, Trains20StepsWithFallingLoss) {
  auto m = small_byol();
  auto c = test::train_steps(*m, test::fixed_views(32, 3, 16, 2), 20, 0.05);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}

// The formula panel's rows: each image's two regression terms from its own cosines; the rows
// average to the loss.
TEST(byol, TheFormulaRowsRecomputeToTheLoss) {
  torch::manual_seed(6);
  BYOLImpl m(make_backbone("resnet-tiny", 1), merged_method_params("byol", {{"proj_hidden", 32}, {"pred_hidden", 32}, {"proj_dim", 16}}));
  auto out = m.compute(batch_of_views(test::fixed_views(8, 1, 16, 2)));
  const Formula& f = out.formula;
  ASSERT_EQ(f.row_loss.size(0), 8);
  EXPECT_NEAR(f.row_loss.mean().item<double>(), out.total.item<double>(), 1e-5);
  ASSERT_EQ(f.terms.size(), 2u);
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_NEAR(f.row_loss[i].item<double>(),
                4 - 2 * f.terms[0].second[i].item<double>() - 2 * f.terms[1].second[i].item<double>(), 1e-5);
}
