#pragma once
#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace pretext {

struct OptimizerOptions {
  std::string name = "sgd";  // one of optimizer_names() (engine/train/options.h)
  double lr = 0.1;
  double momentum = 0.9;     // sgd, lars; adamw uses it as beta1
  double weight_decay = 0;
  double lars_eta = 0.001;   // LARS trust coefficient
};

// Throws std::invalid_argument for unknown names. For LARS, parameters with at most one dimension
// (biases, norm scales and shifts) go into a group without weight decay and without the trust-ratio
// adaptation, as solo-learn's exclude_bias_n_norm and Lightly's LARS benchmarks do.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerOptions& o,
                                                        const std::vector<torch::Tensor>& params);
void set_learning_rate(torch::optim::Optimizer& opt, double lr);

// LARS (You et al. 2017) in the form of Lightly's lightly.utils.lars.LARS: for a group with
// weight_decay != 0, d = lr_local * (g + wd * p) with lr_local = eta * |p| / (|g| + wd * |p| + eps);
// groups with weight_decay == 0 take the plain SGD step. Then heavy-ball momentum as torch SGD.
// Its state is SGD's (one momentum buffer per parameter), so SGD's save/load serialise it.
class LARS : public torch::optim::SGD {
 public:
  LARS(std::vector<torch::optim::OptimizerParamGroup> groups, torch::optim::SGDOptions defaults, double eta,
       double eps = 1e-8)
      : SGD(std::move(groups), std::move(defaults)), eta_(eta), eps_(eps) {}
  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  double eta_, eps_;
};

// Linear warm-up to `peak` over `warmup` steps, then cosine decay to 0 at `total`. step is 0-based.
double warmup_cosine(double peak, int64_t step, int64_t total, int64_t warmup);

}  // namespace pretext
