// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "engine/eval/linear_probe.h"

using namespace pretext;

namespace {

// Four classes separated along their own axis in 16 dimensions, plus noise in every dimension.
std::pair<torch::Tensor, torch::Tensor> separable(int per_class, uint64_t seed) {
  torch::manual_seed(seed);
  std::vector<torch::Tensor> x, y;
  for (int c = 0; c < 4; ++c) {
    auto centre = torch::zeros({16});
    centre[c] = 6.0;  // 4.2 standard deviations from the decision boundary: separable in practice
    x.push_back(centre + torch::randn({per_class, 16}));
    y.push_back(torch::full({per_class}, c, torch::kLong));
  }
  return {torch::cat(x), torch::cat(y)};
}

}  // namespace

TEST(linear_probe, SeparableFeaturesAreClassifiedAlmostPerfectly) {
  auto [train_x, train_y] = separable(200, 1);
  auto [test_x, test_y] = separable(50, 2);
  const auto r = linear_probe(train_x, train_y, test_x, test_y);
  EXPECT_GE(r.test_accuracy, 0.99);
  EXPECT_GE(r.train_accuracy, 0.99);
  EXPECT_EQ(r.classes, 4);
  EXPECT_EQ(r.train, 800);
  EXPECT_EQ(r.test, 200);
  ASSERT_EQ(r.confusion.size(), 16u);
  int64_t diagonal = 0, total = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      total += r.confusion[size_t(i * 4 + j)];
      if (i == j) diagonal += r.confusion[size_t(i * 4 + j)];
    }
  EXPECT_EQ(total, 200);
  EXPECT_DOUBLE_EQ(double(diagonal) / double(total), r.test_accuracy);
}

TEST(linear_probe, ShuffledLabelsGiveChance) {
  auto [train_x, train_y] = separable(200, 3);
  auto [test_x, test_y] = separable(250, 4);
  torch::manual_seed(5);
  const auto shuffled = train_y.index_select(0, torch::randperm(train_y.size(0), torch::kLong));
  const auto r = linear_probe(train_x, shuffled, test_x, test_y);
  EXPECT_NEAR(r.test_accuracy, 0.25, 0.06);  // four classes: a quarter, give or take sampling
}

TEST(linear_probe, WeightDecayIsChosenOnHeldOutTrainingFeaturesAndUnlabelledRowsAreDropped) {
  auto [train_x, train_y] = separable(100, 6);
  auto [test_x, test_y] = separable(20, 7);
  train_y.slice(0, 0, 10).fill_(-1);
  LinearProbeOptions o;
  o.weight_decays = {1e-4, 10.0};  // the second is far too strong to fit
  const auto r = linear_probe(train_x, train_y, test_x, test_y, o);
  EXPECT_LE(r.weight_decay, 1e-4);  // the weak end (the grid may widen below it, as accurate)
  EXPECT_GE(r.weight_decay, 1e-7);
  EXPECT_EQ(r.train, 390);
  // The choice never looks at the test set: the same training data gives the same choice whatever it holds.
  const auto again = linear_probe(train_x, train_y, test_x, (test_y + 1) % 4, o);
  EXPECT_EQ(again.weight_decay, r.weight_decay);
}

// A best weight decay on the edge of the grid that beats its neighbour widens the grid: given only
// {1, 10}, 1 wins on the held-out features, so 0.1 is tried too (as accurate: the weaker decay is
// kept). The probe used to stop at the edge it was given.
TEST(linear_probe, TheGridWidensWhenTheBestDecayIsOnItsEdge) {
  auto [train_x, train_y] = separable(100, 6);
  auto [test_x, test_y] = separable(20, 7);
  LinearProbeOptions o;
  o.weight_decays = {1.0, 10.0};
  const auto r = linear_probe(train_x, train_y, test_x, test_y, o);
  EXPECT_LT(r.weight_decay, 1.0);
  EXPECT_GE(r.weight_decay, 1e-3);  // at most three decades past the edge
  LinearProbeOptions one = o;
  one.weight_decays = {10.0};  // one value: nothing to choose, nothing to widen
  EXPECT_EQ(linear_probe(train_x, train_y, test_x, test_y, one).weight_decay, 10.0);
}

// A stop (the app closing, Ctrl-C) must not wait for minutes of L-BFGS: the fit polls for it.
TEST(linear_probe, ACancelStopsTheFitWithinAnIteration) {
  torch::manual_seed(3);
  const auto x = torch::randn({400, 64}), y = torch::randint(0, 10, {400}, torch::kLong);
  LinearProbeOptions o;
  int polls = 0;
  o.cancelled = [&] { return ++polls > 5; };
  EXPECT_THROW(linear_probe(x, y, x, y, o), Cancelled);
  EXPECT_EQ(polls, 6);
}
