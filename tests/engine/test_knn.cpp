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

// A known answer for top-1 and top-5: eight classes of ten items on the unit circle, one query per
// class 0.2 rad past its class (the next class is 0.785 rad on). The 50 nearest items of a query are
// then exactly five classes: its own, the next, the previous, the one after next and the one before
// previous, in that order of distance.
TEST(knn, TopOneAndTopFiveOnAConstructedCase) {
  const int classes = 8, per = 10;
  std::vector<float> bank_v, query_v;
  std::vector<int64_t> bank_l, query_l;
  for (int c = 0; c < classes; ++c) {
    const double a = 2 * M_PI * c / classes;
    for (int i = 0; i < per; ++i) {
      const double j = a + 0.01 * (i - per / 2);
      bank_v.insert(bank_v.end(), {float(std::cos(j)), float(std::sin(j))});
      bank_l.push_back(c);
    }
    query_v.insert(query_v.end(), {float(std::cos(a + 0.2)), float(std::sin(a + 0.2))});
    query_l.push_back(c);
  }
  const auto bank = torch::tensor(bank_v).view({classes * per, 2}), query = torch::tensor(query_v).view({classes, 2});
  const auto labels = torch::tensor(bank_l), truth = torch::tensor(query_l);
  const auto r = knn_classify(bank, labels, query, truth, 50, 0.1);
  EXPECT_DOUBLE_EQ(r.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(r.top5, 1.0);
  EXPECT_EQ(r.bank, classes * per);
  // Bank labels moved one class on: the nearest cluster now votes for the next class (top-1 fails
  // everywhere), but the previous cluster, third nearest, votes for the truth (top-5 holds).
  const auto one_on = knn_classify(bank, (labels + 1) % classes, query, truth, 50, 0.1);
  EXPECT_DOUBLE_EQ(one_on.accuracy, 0.0);
  EXPECT_DOUBLE_EQ(one_on.top5, 1.0);
  // Moved half way round: the five voted classes are c+2..c+6, never the truth.
  const auto opposite = knn_classify(bank, (labels + 4) % classes, query, truth, 50, 0.1);
  EXPECT_DOUBLE_EQ(opposite.accuracy, 0.0);
  EXPECT_DOUBLE_EQ(opposite.top5, 0.0);
}

// Top-5 counts only classes that got votes: with k = 2 two classes are voted for, and a query whose
// class got no vote is a miss, whatever order the tied zero-vote classes sort in (they used to fill
// the other three slots in torch's tie order: 6, 9, 7 here, so class 9 counted as a hit).
TEST(knn, TopFiveCountsOnlyClassesWithVotes) {
  const auto bank = torch::tensor({1.0f, 0.0f, 0.9f, 0.1f, -1.0f, 0.0f}).view({3, 2});
  const auto bank_labels = torch::tensor({int64_t(0), int64_t(1), int64_t(9)});
  const auto query = torch::tensor({1.0f, 0.05f, 1.0f, 0.05f}).view({2, 2});
  const auto query_labels = torch::tensor({int64_t(9), int64_t(1)});
  const auto r = knn_classify(bank, bank_labels, query, query_labels, 2, 0.1);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.0);  // class 0 is the nearer neighbour for both
  EXPECT_DOUBLE_EQ(r.top5, 0.5);      // class 1 was voted for; class 9 (far away) was not
}

// Banks larger than one block (65,536 items) are scanned in blocks with a running top-k: the votes
// equal those of one full similarity matrix.
TEST(knn, BlockwiseScanEqualsTheFullMatrix) {
  torch::manual_seed(4);
  const auto bank = torch::nn::functional::normalize(torch::randn({70000, 8}), torch::nn::functional::NormalizeFuncOptions().dim(1));
  const auto labels = torch::randint(10, {70000}, torch::kLong);
  const auto query = torch::nn::functional::normalize(torch::randn({600, 8}), torch::nn::functional::NormalizeFuncOptions().dim(1));
  const auto votes = knn_votes(bank, labels, query, 10, 50, 0.1);
  auto [sim, idx] = torch::mm(query, bank.t()).topk(50, 1);
  auto expected = torch::zeros({600, 10}).scatter_add_(1, labels.index_select(0, idx.flatten()).view_as(idx), (sim / 0.1).exp());
  EXPECT_TRUE(torch::allclose(votes, expected, 1e-5, 1e-5));
}

// PCA against an independent route: the SVD of the centred data. Each projected component equals
// U_i * s_i up to its sign, so its variance is s_i^2 / (n - 1).
TEST(knn, PcaMatchesTheSvdOfTheCentredData) {
  torch::manual_seed(7);
  const auto x = torch::randn({300, 6}, torch::kFloat64) * torch::tensor({5.0, 3.0, 2.0, 1.0, 0.5, 0.1}, torch::kFloat64);
  const auto p = pca_project(x.to(torch::kFloat32), 3).to(torch::kFloat64);
  const auto xc = x - x.mean(0, true);
  auto [u, s, vh] = torch::linalg_svd(xc, false);
  for (int64_t i = 0; i < 3; ++i) {
    const auto expected = u.select(1, i) * s[i];
    const double sign = (p.select(1, i) * expected).sum().item<double>() > 0 ? 1 : -1;
    EXPECT_TRUE(torch::allclose(p.select(1, i), sign * expected, 1e-3, 1e-3)) << "component " << i;
    EXPECT_NEAR(p.select(1, i).var().item<double>(), (s[i] * s[i]).item<double>() / 299.0, 1e-3);
  }
}

// The probes table: every entry runs on the same features and names itself in its event; an unknown
// name is refused with the known ones listed.
TEST(knn, EveryProbeInTheTableRunsAndNamesItsKind) {
  torch::manual_seed(5);
  const auto centres = torch::randn({3, 8}) * 4;
  auto make = [&](int n) {
    const auto y = torch::arange(n, torch::kLong) % 3;
    return std::make_pair(torch::nn::functional::normalize(centres.index_select(0, y) + torch::randn({n, 8}),
                                                           torch::nn::functional::NormalizeFuncOptions().dim(1)),
                          y);
  };
  const auto [bank, bank_y] = make(90);
  const auto [query, query_y] = make(30);
  const ProbeData data{bank, bank_y, query, query_y};
  ProbeOptions options;
  options.k = 10;
  ASSERT_GE(probe_kinds().size(), 2u);
  for (const auto& kind : probe_kinds()) {
    const ProbeEvent e = kind.run(data, options, {});
    EXPECT_EQ(e.kind, kind.name);
    EXPECT_EQ(e.queries, 30);
    EXPECT_GT(e.accuracy, 0.9) << kind.name;  // three well separated clusters
    EXPECT_FALSE(kind.help.empty());
  }
  EXPECT_EQ(probe_kind("knn").run(data, options, {}).k, 10);
  try {
    probe_kind("svm");
    FAIL() << "an unknown probe was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("unknown probe 'svm' (known: knn, linear", 0), 0u) << e.what();
  }
}

// The nearest-class-mean probe reads the class centres, not the neighbours: a class-0 outlier sitting
// on the query fools a 1-NN vote but not the centroid.
TEST(knn, TheCentroidProbeVotesForTheNearestClassMean) {
  const auto norm = [](const torch::Tensor& x) {
    return torch::nn::functional::normalize(x, torch::nn::functional::NormalizeFuncOptions().dim(1));
  };
  const auto bank = norm(torch::tensor({{1.0f, 0.0f}, {1.0f, 0.1f}, {0.01f, 1.0f}, {0.0f, 1.0f}, {0.1f, 1.0f}}));
  const auto bank_y = torch::tensor({0, 0, 0, 1, 1}, torch::kLong);
  const auto query = norm(torch::tensor({{0.01f, 1.0f}, {1.0f, 0.05f}}));
  const auto query_y = torch::tensor({1, 0}, torch::kLong);
  const ProbeData data{bank, bank_y, query, query_y};
  ProbeOptions one;
  one.k = 1;
  EXPECT_DOUBLE_EQ(probe_kind("knn").run(data, one, {}).accuracy, 0.5);  // the outlier wins the first query
  const ProbeEvent c = probe_kind("centroid").run(data, one, {});
  EXPECT_EQ(c.kind, "centroid");
  EXPECT_DOUBLE_EQ(c.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(c.top5, 1.0);  // two classes: both in the top five
  EXPECT_EQ(c.queries, 2);
  EXPECT_EQ(c.bank, 5);
}
