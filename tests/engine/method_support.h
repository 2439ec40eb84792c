#pragma once
// Shared by the method tests: a tiny fixed batch and a plain training loop.
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "engine/methods/method.h"
#include "engine/models/backbone.h"

namespace pretext::test {

// `count` views of a fixed batch of random images: each view is the same images plus its own fixed
// noise, standing in for augmentation. sizes[v] (when given) resizes view v (multi-crop).
inline std::vector<torch::Tensor> fixed_views(int64_t n, int64_t channels, int64_t size, size_t count,
                                              const std::vector<int64_t>& sizes = {}, uint64_t seed = 7) {
  torch::manual_seed(seed);
  auto base = torch::randn({n, channels, size, size});
  std::vector<torch::Tensor> views;
  for (size_t v = 0; v < count; ++v) {
    auto x = base + 0.2 * torch::randn_like(base);
    const int64_t s = v < sizes.size() ? sizes[v] : size;
    if (s != size)
      x = torch::nn::functional::interpolate(
          x, torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{s, s}).mode(torch::kBilinear).align_corners(false));
    views.push_back(x);
  }
  return views;
}

struct Curve {
  std::vector<double> losses;
  double first5() const { return mean(0); }
  double last5() const { return mean(losses.size() - 5); }
  bool finite() const {
    for (double l : losses)
      if (!std::isfinite(l)) return false;
    return true;
  }

 private:
  double mean(size_t from) const {
    double s = 0;
    for (size_t i = from; i < from + 5; ++i) s += losses[i];
    return s / 5;
  }
};

// Plain SGD (momentum 0.9) or Adam over the parameters that take gradients (targets are frozen),
// with after_step called as the trainer does.
inline Curve train_steps(MethodImpl& m, const Batch& batch, int steps, double lr, bool adam = false) {
  std::vector<torch::Tensor> params;
  for (auto& p : m.parameters())
    if (p.requires_grad()) params.push_back(p);
  std::unique_ptr<torch::optim::Optimizer> opt;
  if (adam)
    opt = std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(lr));
  else
    opt = std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(lr).momentum(0.9));
  Curve c;
  m.train();
  for (int s = 0; s < steps; ++s) {
    opt->zero_grad();
    auto out = m.compute(batch);
    c.losses.push_back(out.total.item<double>());
    out.total.backward();
    opt->step();
    m.after_step(s + 1, steps);
  }
  return c;
}

// The same on a batch of views alone (no pretext targets or masks).
inline Curve train_steps(MethodImpl& m, const std::vector<torch::Tensor>& views, int steps, double lr,
                         bool adam = false) {
  return train_steps(m, batch_of_views(views), steps, lr, adam);
}

// Every parameter of `target` is frozen and received no gradient.
inline void expect_frozen(torch::nn::Module& target) {
  for (auto& p : target.parameters()) {
    EXPECT_FALSE(p.requires_grad());
    EXPECT_FALSE(p.grad().defined());
  }
}

// Snapshot of a module's parameters by name.
inline std::vector<std::pair<std::string, torch::Tensor>> snapshot(torch::nn::Module& m) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& item : m.named_parameters()) out.emplace_back(item.key(), item.value().detach().clone());
  return out;
}

// target_after == tau * target_before + (1 - tau) * online, parameter by parameter.
inline double ema_error(const std::vector<std::pair<std::string, torch::Tensor>>& target_before,
                        const std::vector<std::pair<std::string, torch::Tensor>>& online,
                        torch::nn::Module& target_after, double tau) {
  double worst = 0;
  auto after = target_after.named_parameters();
  for (size_t i = 0; i < target_before.size(); ++i) {
    auto expected = tau * target_before[i].second + (1 - tau) * online[i].second;
    worst = std::max(worst, (after[target_before[i].first] - expected).abs().max().item<double>());
  }
  return worst;
}

}  // namespace pretext::test
