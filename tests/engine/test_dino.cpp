// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/methods/dino.h"
#include "engine/methods/heads.h"
#include "tests/engine/method_support.h"

using namespace pretext;

namespace {
nlohmann::json small_params() {
  return {{"num_prototypes", 32}, {"proj_hidden", 32}, {"proj_dim", 16}, {"student_temp", 0.1},
          {"teacher_temp", 0.07}, {"warmup_teacher_temp", 0.04}, {"warmup_teacher_temp_fraction", 0.1},
          {"center_momentum", 0.9}, {"base_tau", 0.996}, {"final_tau", 1.0}};
}
}  // namespace

TEST(dino, LossMatchesLoopFormula) {
  torch::manual_seed(0);
  const int64_t n = 3, k = 5;
  std::vector<torch::Tensor> teacher = {torch::randn({n, k}), torch::randn({n, k})};
  std::vector<torch::Tensor> student = {torch::randn({n, k}), torch::randn({n, k}), torch::randn({n, k}),
                                        torch::randn({n, k})};
  auto center = torch::randn({1, k});
  const double tt = 0.05, ts = 0.1;
  double total = 0;
  int pairs = 0;
  for (int t = 0; t < 2; ++t)
    for (int s = 0; s < 4; ++s) {
      if (s == t) continue;
      for (int64_t b = 0; b < n; ++b) {
        // softmax by hand in double
        double zt = 0, zs = 0;
        for (int64_t j = 0; j < k; ++j) {
          zt += std::exp((teacher[t][b][j].item<double>() - center[0][j].item<double>()) / tt);
          zs += std::exp(student[s][b][j].item<double>() / ts);
        }
        for (int64_t j = 0; j < k; ++j) {
          const double q = std::exp((teacher[t][b][j].item<double>() - center[0][j].item<double>()) / tt) / zt;
          total += -q * std::log(std::exp(student[s][b][j].item<double>() / ts) / zs) / n;
        }
      }
      ++pairs;
    }
  EXPECT_NEAR(dino_loss(teacher, student, center, tt, ts).item<double>(), total / pairs, 1e-4);
}

TEST(dino, TeacherTemperatureWarmUp) {
  EXPECT_DOUBLE_EQ(dino_teacher_temp(0.04, 0.07, 0, 10), 0.04);
  EXPECT_NEAR(dino_teacher_temp(0.04, 0.07, 5, 10), 0.055, 1e-12);
  EXPECT_DOUBLE_EQ(dino_teacher_temp(0.04, 0.07, 10, 10), 0.07);
  EXPECT_DOUBLE_EQ(dino_teacher_temp(0.04, 0.07, 99, 10), 0.07);
  torch::manual_seed(1);
  DINOImpl m(make_backbone("resnet-tiny", 3), small_params());
  EXPECT_DOUBLE_EQ(m.teacher_temp(), 0.04);  // before the first step
  m.after_step(5, 100);                      // warm-up over 10 steps: half way
  EXPECT_NEAR(m.teacher_temp(), 0.055, 1e-12);
}

TEST(dino, CentreAndTeacherFollowExactUpdatesWithoutGradients) {
  torch::manual_seed(2);
  DINOImpl m(make_backbone("resnet-tiny", 3), small_params());
  auto views = test::fixed_views(8, 3, 16, 4, {16, 16, 8, 8});
  m.train();
  auto out = m.compute(batch_of_views(views));
  out.total.backward();
  test::expect_frozen(*m.target_backbone);
  test::expect_frozen(*m.target_head);
  torch::Tensor teacher_out;
  {
    torch::NoGradGuard g;
    teacher_out = m.target_head->forward(m.target_backbone->forward(torch::cat({views[0], views[1]})));
  }
  {
    torch::NoGradGuard g;
    for (auto& p : m.head->parameters()) p.add_(0.05);
  }
  auto target0 = test::snapshot(*m.target_head);
  auto online = test::snapshot(*m.head);
  m.after_step(1, 10);
  EXPECT_LT((m.center - 0.1 * teacher_out.mean(0, true)).abs().max().item<double>(), 1e-6);
  EXPECT_DOUBLE_EQ(m.tau(), 0.996);
  EXPECT_LT(test::ema_error(target0, online, *m.target_head, 0.996), 1e-6);
}

TEST(dino, Trains20StepsOnMultiCropWithFallingLoss) {
  torch::manual_seed(3);
  DINOImpl m(make_backbone("resnet-tiny", 3), small_params());
  auto c = test::train_steps(m, test::fixed_views(32, 3, 16, 6, {16, 16, 8, 8, 8, 8}), 20, 1e-3, /*adam=*/true);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}

TEST(dino, TeacherEntropyIsAMonitorWithinItsBounds) {
  torch::manual_seed(4);
  DINOImpl m(make_backbone("resnet-tiny", 3), small_params());
  const auto out = m.compute(batch_of_views(test::fixed_views(8, 3, 16, 2, {16, 16})));
  ASSERT_EQ(out.monitors.size(), 1u);
  EXPECT_EQ(out.monitors[0].first, "teacher_entropy");
  const double h = out.monitors[0].second.item<double>();
  EXPECT_GT(h, 0.0);
  EXPECT_LE(h, std::log(32.0) + 1e-6);  // at most uniform over the 32 prototypes
  for (const auto& [name, value] : out.components) EXPECT_NE(name, "teacher_entropy");  // not a loss term
}
