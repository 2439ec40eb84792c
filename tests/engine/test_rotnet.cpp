// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "engine/methods/rotnet.h"
#include "tests/engine/method_support.h"

using namespace pretext;

TEST(rotnet, RotationBatchByHand) {
  // [[1,2],[3,4]] turned counter-clockwise 0, 90, 180 and 270 degrees.
  auto x = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({1, 1, 2, 2});
  auto [r, labels] = rotation_batch(x);
  ASSERT_EQ(r.size(0), 4);
  EXPECT_TRUE(torch::equal(r[0].flatten(), torch::tensor({1.0f, 2.0f, 3.0f, 4.0f})));
  EXPECT_TRUE(torch::equal(r[1].flatten(), torch::tensor({2.0f, 4.0f, 1.0f, 3.0f})));
  EXPECT_TRUE(torch::equal(r[2].flatten(), torch::tensor({4.0f, 3.0f, 2.0f, 1.0f})));
  EXPECT_TRUE(torch::equal(r[3].flatten(), torch::tensor({3.0f, 1.0f, 4.0f, 2.0f})));
  EXPECT_TRUE(torch::equal(labels, torch::tensor({0, 1, 2, 3}, torch::kLong)));
}

TEST(rotnet, LossIsCrossEntropyOverTheFourRotations) {
  torch::manual_seed(0);
  RotNetImpl m(make_backbone("resnet-tiny", 1), {{"head_hidden", 16}});
  m.eval();  // BatchNorm from running statistics, so the two forwards below agree
  auto x = torch::randn({3, 1, 8, 8});
  auto out = m.compute(batch_of_views({x}));
  auto [r, labels] = rotation_batch(x);
  auto logp = torch::log_softmax(m.classifier->forward(m.backbone->forward(r)), 1);
  double expected = 0;
  for (int64_t i = 0; i < 12; ++i) expected -= logp[i][labels[i].item<int64_t>()].item<double>() / 12;
  EXPECT_NEAR(out.total.item<double>(), expected, 1e-5);
}

TEST(rotnet, Trains20StepsWithFallingLoss) {
  torch::manual_seed(1);
  RotNetImpl m(make_backbone("resnet-tiny", 1), {{"head_hidden", 32}});
  auto c = test::train_steps(m, test::fixed_views(16, 1, 16, 1), 20, 0.05);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}

TEST(rotnet, UsesTheRotationsTheBatchCarriesAndReportsAccuracyAsAMonitor) {
  torch::manual_seed(2);
  RotNetImpl m(make_backbone("resnet-tiny", 1), {{"head_hidden", 16}});
  m.eval();
  const auto x = torch::randn({3, 1, 8, 8});
  Batch b;
  for (int64_t k = 0; k < 4; ++k) {
    b.views.push_back(torch::rot90(x, k, {2, 3}));
    b.targets.push_back(torch::full({3}, k, torch::kLong));
  }
  // Labels deliberately other than the rotation order rotation_batch would use: the batch's win.
  std::swap(b.targets[1], b.targets[3]);
  const auto out = m.compute(b);
  const auto logp = torch::log_softmax(m.classifier->forward(m.backbone->forward(torch::cat(b.views, 0))), 1);
  const auto labels = torch::cat(b.targets, 0);
  double expected = 0;
  for (int64_t i = 0; i < 12; ++i) expected -= logp[i][labels[i].item<int64_t>()].item<double>() / 12;
  EXPECT_NEAR(out.total.item<double>(), expected, 1e-5);
  for (const auto& [name, value] : out.components) EXPECT_NE(name, "rotation_accuracy");  // not a loss term
  ASSERT_EQ(out.monitors.size(), 1u);
  EXPECT_EQ(out.monitors[0].first, "rotation_accuracy");
}
