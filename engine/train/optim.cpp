#include "engine/train/optim.h"

#include <cmath>
#include <stdexcept>

namespace pretext {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& name, std::vector<torch::Tensor> params,
                                                        double lr, double momentum, double weight_decay) {
  if (name == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        std::move(params), torch::optim::SGDOptions(lr).momentum(momentum).weight_decay(weight_decay));
  }
  throw std::runtime_error("unknown optimizer '" + name + "'");
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
