// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "engine/eval/knn.h"
#include "engine/eval/pca.h"

using namespace pretext;

TEST(knn, WeightedVoteFavoursCloserNeighbours) {
  // Query at angle 0. Bank: one class-1 item very close, two class-0 items further away. With k=3
  // and a small temperature the close item's exp(sim/T) weight outvotes the two far ones.
  auto at = [](double deg) {
    const double r = deg * M_PI / 180;
    return std::vector<float>{float(std::cos(r)), float(std::sin(r))};
  };
  std::vector<float> flat;
  for (double d : {5.0, 60.0, -60.0}) {
    auto v = at(d);
    flat.insert(flat.end(), v.begin(), v.end());
  }
  auto bank = torch::tensor(flat).view({3, 2});
  auto labels = torch::tensor(std::vector<int64_t>{1, 0, 0});
  auto q = torch::tensor(at(0)).view({1, 2});
  EXPECT_EQ(knn_predict(bank, labels, q, 2, 3, 0.1).item<int64_t>(), 1);
  // At a very high temperature every neighbour weighs about the same: the majority wins.
  EXPECT_EQ(knn_predict(bank, labels, q, 2, 3, 1000.0).item<int64_t>(), 0);
}

TEST(knn, SeparableClustersAreClassifiedPerfectly) {
  torch::manual_seed(0);
  auto centers = torch::eye(4);
  auto make = [&](int per) {
    std::vector<torch::Tensor> x, y;
    for (int c = 0; c < 4; ++c) {
      x.push_back(centers[c].repeat({per, 1}) + 0.05 * torch::randn({per, 4}));
      y.push_back(torch::full({per}, c, torch::kLong));
    }
    auto f = torch::cat(x);
    return std::make_pair(f / f.norm(2, 1, true), torch::cat(y));
  };
  auto [bank, bl] = make(50);
  auto [query, ql] = make(10);
  const auto r = knn_classify(bank, bl, query, ql, 20, 0.1);
  EXPECT_DOUBLE_EQ(r.accuracy, 1.0);
  EXPECT_EQ(r.queries, 40);
}

TEST(knn, UnlabelledRowsAreIgnored) {
  auto bank = torch::eye(2);
  auto q = torch::eye(2);
  const auto r = knn_classify(bank, torch::tensor(std::vector<int64_t>{0, 1}), q,
                              torch::tensor(std::vector<int64_t>{0, -1}), 1, 0.1);
  EXPECT_EQ(r.queries, 1);
  EXPECT_DOUBLE_EQ(r.accuracy, 1.0);
}

TEST(knn, PcaRecoversDominantAxis) {
  torch::manual_seed(1);
  auto t = torch::randn({200, 1});
  auto x = torch::cat({3 * t, 0.1 * torch::randn({200, 1}), torch::zeros({200, 1})}, 1);
  auto p = pca_project(x, 2);
  ASSERT_EQ(p.sizes(), (std::vector<int64_t>{200, 2}));
  // The first component follows the dominant axis: near-perfect correlation with t.
  auto a = p.select(1, 0) - p.select(1, 0).mean();
  auto b = t.squeeze(1) - t.mean();
  const double corr = (a * b).sum().item<double>() / (a.norm() * b.norm()).item<double>();
  EXPECT_GT(std::abs(corr), 0.999);
  // Variance is ordered: the first component carries more than the second.
  EXPECT_GT(p.select(1, 0).var().item<double>(), p.select(1, 1).var().item<double>());
}
