#include "engine/train/optim.h"

#include <torch/torch.h>  // named here so that the engine build gives this file its precompiled header

#include <cmath>
#include <stdexcept>

#include "engine/train/options.h"


namespace pretext {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerOptions& o,
                                                        const std::vector<torch::Tensor>& params) {
  if (o.name == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
  }
  if (o.name == "lars") {
    std::vector<torch::Tensor> adapted, excluded;
    for (const auto& p : params) (p.dim() <= 1 ? excluded : adapted).push_back(p);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    auto opts = [&](double wd) {
      return std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(wd));
    };
    if (!adapted.empty()) groups.emplace_back(adapted, opts(o.weight_decay));
    if (!excluded.empty()) groups.emplace_back(excluded, opts(0.0));
    return std::make_unique<LARS>(std::move(groups), torch::optim::SGDOptions(o.lr).momentum(o.momentum), o.lars_eta);
  }
  if (o.name == "adamw") {
    return std::make_unique<torch::optim::AdamW>(
        params, torch::optim::AdamWOptions(o.lr).betas({o.momentum, 0.999}).weight_decay(o.weight_decay));
  }
  require_choice("optimizer", o.name, optimizer_names());
  throw std::logic_error("optimizer '" + o.name + "' is offered but not built");
}

torch::Tensor LARS::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    auto& opt = static_cast<torch::optim::SGDOptions&>(group.options());
    const double wd = opt.weight_decay(), momentum = opt.momentum(), lr = opt.lr();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      torch::Tensor d = p.grad();
      if (wd != 0) {
        const double p_norm = p.norm().item<double>(), g_norm = d.norm().item<double>();
        if (p_norm != 0 && g_norm != 0) {
          const double local = eta_ * p_norm / (g_norm + p_norm * wd + eps_);
          d = (d + wd * p) * local;
        }
      }
      if (momentum != 0) {
        auto key = p.unsafeGetTensorImpl();
        auto it = state_.find(key);
        if (it == state_.end()) {
          auto st = std::make_unique<torch::optim::SGDParamState>();
          st->momentum_buffer(d.clone().detach());
          state_[key] = std::move(st);
          d = static_cast<torch::optim::SGDParamState&>(*state_[key]).momentum_buffer();
        } else {
          auto& buf = static_cast<torch::optim::SGDParamState&>(*it->second).momentum_buffer();
          buf.mul_(momentum).add_(d);
          d = buf;
        }
      }
      p.add_(d, -lr);
    }
  }
  return loss;
}

void set_learning_rate(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

double warmup_cosine(double peak, int64_t step, int64_t total, int64_t warmup) {
  if (step < warmup) return peak * double(step + 1) / double(warmup);
  const double t = double(step - warmup) / double(std::max<int64_t>(1, total - warmup));
  return peak * 0.5 * (1.0 + std::cos(M_PI * t));
}

}  // namespace pretext
