#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>

namespace pretext {

// "sgd" (momentum). Throws for unknown names.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& name, std::vector<torch::Tensor> params,
                                                        double lr, double momentum, double weight_decay);
void set_learning_rate(torch::optim::Optimizer& opt, double lr);

// Linear warm-up to `peak` over `warmup` steps, then cosine decay to 0 at `total`. step is 0-based.
double warmup_cosine(double peak, int64_t step, int64_t total, int64_t warmup);

}  // namespace pretext
