// ctest-labels: unit
// Optimiser steps against the published update rules written out by hand on tiny tensors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/methods/method_info.h"
#include "engine/train/optim.h"
#include "engine/train/resolve.h"

using namespace pretext;

namespace {

double norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

torch::Tensor param(std::vector<float> values) {
  return torch::tensor(values, torch::kFloat).set_requires_grad(true);
}

}  // namespace

TEST(optim, LarsFollowsLightlysUpdateAndExcludesBiases) {
  auto w = param({0.5f, -1.0f, 2.0f, 0.25f}).view({2, 2}).detach().set_requires_grad(true);
  auto b = param({0.1f, -0.2f});
  OptimizerOptions o;
  o.name = "lars";
  o.lr = 0.5;
  o.momentum = 0.9;
  o.weight_decay = 0.1;
  o.lars_eta = 0.02;
  auto opt = make_optimizer(o, {w, b});

  std::vector<double> wv = {0.5, -1.0, 2.0, 0.25}, bv = {0.1, -0.2};
  std::vector<double> wbuf(4, 0), bbuf(2, 0);
  const std::vector<std::vector<double>> wgrads = {{0.3, -0.1, 0.2, 0.4}, {-0.5, 0.2, 0.1, 0.3}};
  const std::vector<std::vector<double>> bgrads = {{1.0, -2.0}, {0.5, 0.5}};
  for (int s = 0; s < 2; ++s) {
    w.mutable_grad() = torch::tensor(std::vector<float>(wgrads[s].begin(), wgrads[s].end())).view({2, 2});
    b.mutable_grad() = torch::tensor(std::vector<float>(bgrads[s].begin(), bgrads[s].end()));
    opt->step();
    // Weight matrix: trust ratio eta*|p|/(|g| + wd*|p| + eps) on (g + wd*p), then momentum.
    const double pn = norm(wv), gn = norm(wgrads[s]);
    const double local = o.lars_eta * pn / (gn + o.weight_decay * pn + 1e-8);
    for (int i = 0; i < 4; ++i) {
      const double d = (wgrads[s][i] + o.weight_decay * wv[i]) * local;
      wbuf[i] = s == 0 ? d : o.momentum * wbuf[i] + d;
      wv[i] -= o.lr * wbuf[i];
    }
    // Bias: excluded, so plain SGD with momentum and no weight decay.
    for (int i = 0; i < 2; ++i) {
      bbuf[i] = s == 0 ? bgrads[s][i] : o.momentum * bbuf[i] + bgrads[s][i];
      bv[i] -= o.lr * bbuf[i];
    }
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(w.view({-1})[i].item<double>(), wv[i], 1e-6) << "step " << s << " w" << i;
    for (int i = 0; i < 2; ++i) EXPECT_NEAR(b[i].item<double>(), bv[i], 1e-6) << "step " << s << " b" << i;
  }
  EXPECT_EQ(opt->param_groups().size(), 2u);
}

TEST(optim, AdamWFirstStepIsDecoupledDecayPlusSignStep) {
  auto p = param({1.0f, -2.0f, 0.5f});
  OptimizerOptions o;
  o.name = "adamw";
  o.lr = 0.01;
  o.momentum = 0.9;
  o.weight_decay = 0.05;
  auto opt = make_optimizer(o, {p});
  const std::vector<double> g = {0.3, -4.0, 1e-3}, p0 = {1.0, -2.0, 0.5};
  p.mutable_grad() = torch::tensor(std::vector<float>(g.begin(), g.end()));
  opt->step();
  // Bias-corrected moments after one step are g and g^2: the step is lr * g / (|g| + eps).
  for (int i = 0; i < 3; ++i) {
    const double expect = p0[i] * (1 - o.lr * o.weight_decay) - o.lr * g[i] / (std::abs(g[i]) + 1e-8);
    EXPECT_NEAR(p[i].item<double>(), expect, 1e-6);
  }
}

TEST(optim, SgdWithMomentumAndWeightDecay) {
  auto p = param({1.0f, -1.0f});
  OptimizerOptions o;
  o.name = "sgd";
  o.lr = 0.1;
  o.momentum = 0.9;
  o.weight_decay = 0.5;
  auto opt = make_optimizer(o, {p});
  std::vector<double> v = {1.0, -1.0}, buf = {0, 0};
  for (int s = 0; s < 3; ++s) {
    p.mutable_grad() = torch::tensor({0.2f, 0.4f});
    opt->step();
    for (int i = 0; i < 2; ++i) {
      const double d = (i == 0 ? 0.2 : 0.4) + o.weight_decay * v[i];
      buf[i] = s == 0 ? d : o.momentum * buf[i] + d;
      v[i] -= o.lr * buf[i];
      EXPECT_NEAR(p[i].item<double>(), v[i], 1e-6);
    }
  }
}

TEST(optim, NamesResolveAndUnknownOnesAreRefused) {
  const auto& simclr = method_info("simclr").defaults;
  EXPECT_EQ(resolve_optimizer_name("lars", simclr), "lars");
  EXPECT_EQ(resolve_optimizer_name("adamw", simclr), "adamw");
  // auto: the method's declared default, else SGD.
  const std::string simclr_default = resolve_optimizer_name("auto", simclr);
  EXPECT_TRUE(simclr_default == "sgd" || simclr_default == "lars" || simclr_default == "adamw") << simclr_default;
  EXPECT_EQ(resolve_optimizer_name("", simclr), simclr_default);
  EXPECT_EQ(resolve_optimizer_name("auto", nlohmann::json::object()), "sgd");
  OptimizerOptions o;
  o.name = "adagrad";
  auto p = param({1.0f});
  EXPECT_THROW(make_optimizer(o, {p}), std::invalid_argument);
}

TEST(optim, WarmupThenCosine) {
  EXPECT_DOUBLE_EQ(warmup_cosine(1.0, 0, 100, 10), 0.1);
  EXPECT_DOUBLE_EQ(warmup_cosine(1.0, 9, 100, 10), 1.0);
  EXPECT_DOUBLE_EQ(warmup_cosine(1.0, 10, 100, 10), 1.0);
  EXPECT_NEAR(warmup_cosine(1.0, 55, 100, 10), 0.5, 1e-12);  // half-way through the cosine
  EXPECT_NEAR(warmup_cosine(2.0, 100, 100, 10), 0.0, 1e-12);
}

TEST(optim, LearningRateAndDecayComeFromTheMethodUnlessGiven) {
  EXPECT_DOUBLE_EQ(resolve_base_lr(0, method_info("dino").defaults), 5e-4);  // AdamW, not SGD's 0.06
  EXPECT_DOUBLE_EQ(resolve_base_lr(0, method_info("mae").defaults), 1.5e-4);
  EXPECT_DOUBLE_EQ(resolve_base_lr(0, method_info("vicreg").defaults), 0.3);
  EXPECT_DOUBLE_EQ(resolve_base_lr(0, method_info("simclr").defaults), 0.06);
  EXPECT_DOUBLE_EQ(resolve_base_lr(0.1, method_info("dino").defaults), 0.1);  // a given value stands
  EXPECT_DOUBLE_EQ(resolve_weight_decay(-1, method_info("mae").defaults), 0.05);
  EXPECT_DOUBLE_EQ(resolve_weight_decay(-1, method_info("simclr").defaults), 5e-4);
  EXPECT_DOUBLE_EQ(resolve_weight_decay(0, method_info("mae").defaults), 0.0);  // so does an explicit 0
  nlohmann::json edited = method_info("dino").defaults;
  edited["base_lr"] = 1e-3;  // as the launcher's parameter table passes it
  EXPECT_DOUBLE_EQ(resolve_base_lr(0, edited), 1e-3);
}
