// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/methods/heads.h"
#include "engine/methods/moco.h"
#include "engine/train/evaluation.h"
#include "tests/engine/method_support.h"

using namespace pretext;
namespace F = torch::nn::functional;

namespace {
std::shared_ptr<MoCoImpl> small_moco(int64_t queue = 64) {
  torch::manual_seed(1);
  return std::make_shared<MoCoImpl>(make_backbone("resnet-tiny", 3),
                                    nlohmann::json{{"temperature", 0.2}, {"queue_size", queue}, {"momentum", 0.9},
                                                   {"proj_hidden", 32}, {"proj_dim", 16}});
}
torch::Tensor unit_rows(torch::Tensor x) { return F::normalize(x, F::NormalizeFuncOptions().dim(1)); }
}  // namespace

TEST(moco, InfoNCEMatchesLoopFormula) {
  torch::manual_seed(0);
  auto q = unit_rows(torch::randn({4, 5})), k = unit_rows(torch::randn({4, 5})), queue = unit_rows(torch::randn({6, 5}));
  const double t = 0.2;
  double total = 0;
  for (int64_t i = 0; i < 4; ++i) {
    const double pos = std::exp(torch::dot(q[i], k[i]).item<double>() / t);
    double denom = pos;
    for (int64_t j = 0; j < 6; ++j) denom += std::exp(torch::dot(q[i], queue[j]).item<double>() / t);
    total += -std::log(pos / denom);
  }
  EXPECT_NEAR(moco_infonce(q, k, queue, t).item<double>(), total / 4, 1e-5);
}

TEST(moco, TheFormulaRowsRecomputeToTheLoss) {
  auto m = small_moco();
  auto out = m->compute(batch_of_views(test::fixed_views(6, 3, 16, 2)));
  const Formula& f = out.formula;
  ASSERT_EQ(f.row_loss.size(0), 12);  // both views' queries
  EXPECT_NEAR(f.row_loss.mean().item<double>(), out.total.item<double>(), 1e-5);
  ASSERT_EQ(f.terms.size(), 4u);
  const double t = 0.2;
  for (int64_t i = 0; i < 12; ++i) {
    const double positive = f.terms[0].second[i].item<double>(), nearest = f.terms[1].second[i].item<double>();
    const double lse = f.terms[2].second[i].item<double>();
    EXPECT_NEAR(f.row_loss[i].item<double>(), lse - positive / t, 1e-5);
    // log-sum-exp over the positive and 64 queued keys, none closer than the nearest.
    EXPECT_LE(lse, std::log(std::exp(positive / t) + 64 * std::exp(nearest / t)) + 1e-5);
    EXPECT_GE(lse, std::log(std::exp(positive / t) + std::exp(nearest / t)) - 1e-5);
    EXPECT_EQ(f.positive[i].item<int64_t>(), (i + 6) % 12);
  }
  EXPECT_FALSE(f.nearest_negative.defined()) << "a queued key has no image in the batch";
  // The panel's event shows the row's view and its positive, and no negative.
  const Batch batch = batch_of_views(test::fixed_views(6, 3, 16, 2));
  const auto e = formula_event(f, batch, ChannelStats{{0.5, 0.5, 0.5}, {0.25, 0.25, 0.25}}, 1, 5, out.total.item<double>(), 2);
  ASSERT_TRUE(e.has_value());
  ASSERT_EQ(e->images.size(), 2u);
  EXPECT_EQ(e->images[1].first, "positive");
  EXPECT_NEAR(e->row_loss, f.row_loss[2].item<double>(), 1e-9);
}

TEST(moco, HandComputedOrthogonalCase) {
  // q = k = e1 and one queued key e2 at T = 1: -log(e / (e + 1)).
  auto e1 = torch::tensor({{1.0f, 0.0f}}), e2 = torch::tensor({{0.0f, 1.0f}});
  EXPECT_NEAR(moco_infonce(e1, e1, e2, 1.0).item<double>(), std::log(std::exp(1.0) + 1.0) - 1.0, 1e-6);
}

TEST(moco, KeyEncoderGetsNoGradientAndFollowsExactEma) {
  auto m = small_moco();
  auto views = test::fixed_views(8, 3, 16, 2);
  // The key encoder starts as a copy of the query encoder.
  auto online0 = test::snapshot(*m->backbone);
  auto target0 = test::snapshot(*m->target_backbone);
  for (size_t i = 0; i < online0.size(); ++i) EXPECT_TRUE(torch::equal(online0[i].second, target0[i].second));

  m->train();
  auto out = m->compute(batch_of_views(views));
  out.total.backward();
  test::expect_frozen(*m->target_backbone);
  test::expect_frozen(*m->target_projector);
  double online_grad = 0;
  for (auto& p : m->backbone->parameters()) online_grad += p.grad().abs().sum().item<double>();
  EXPECT_GT(online_grad, 0);

  {
    torch::NoGradGuard g;
    for (auto& p : m->backbone->parameters()) p.sub_(0.1 * p.grad());
  }
  auto online1 = test::snapshot(*m->backbone);
  m->after_step(1, 10);
  EXPECT_LT(test::ema_error(target0, online1, *m->target_backbone, 0.9), 1e-6);
}

TEST(moco, QueueReceivesBothViewsKeysInOrder) {
  auto m = small_moco(20);
  auto views = test::fixed_views(8, 3, 16, 2);
  m->train();
  m->compute(batch_of_views(views));
  torch::Tensor k1, k2;
  {
    torch::NoGradGuard g;
    k1 = unit_rows(m->target_projector->forward(m->target_backbone->forward(views[0])));
    k2 = unit_rows(m->target_projector->forward(m->target_backbone->forward(views[1])));
  }
  m->after_step(1, 10);
  EXPECT_LT((m->queue.slice(0, 0, 16) - torch::cat({k1, k2})).abs().max().item<double>(), 1e-5);
  EXPECT_EQ(m->queue_ptr.item<int64_t>(), 16);
  // The ring wraps: 16 more keys land at rows 16..19 and 0..11.
  m->compute(batch_of_views(views));
  m->after_step(2, 10);
  EXPECT_EQ(m->queue_ptr.item<int64_t>(), 12);
}

TEST(moco, Trains20StepsWithFallingLoss) {
  auto m = small_moco(256);
  auto views = test::fixed_views(32, 3, 16, 2);
  // Fill the queue with this batch's keys first, as after the first steps of a run: a queue of
  // random vectors is easy to tell apart and would make the early losses artificially low.
  m->train();
  for (int i = 0; i < 4; ++i) {
    torch::NoGradGuard g;
    m->compute(batch_of_views(views));
    m->after_step(i + 1, 100);
  }
  auto c = test::train_steps(*m, views, 20, 0.05);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}
