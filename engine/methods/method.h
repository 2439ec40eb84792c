#pragma once
// One interface for every SSL method: it owns its heads (and any target network or queue), takes the
// augmented views of a batch and returns the loss with its named parts.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/methods/method_info.h"
#include "engine/models/backbone.h"

namespace pretext {

struct LossOutput {
  torch::Tensor total;
  std::vector<std::pair<std::string, torch::Tensor>> components;
  torch::Tensor embeddings;  // projector outputs of the first view, detached, for diagnostics
  // Quantities worth watching that are not loss terms (DINO's teacher entropy): they go to the
  // diagnostics panel, not into the loss plot.
  std::vector<std::pair<std::string, torch::Tensor>> monitors = {};
};

class MethodImpl : public torch::nn::Module {
 public:
  virtual LossOutput compute(const std::vector<torch::Tensor>& views) = 0;
  // After each optimiser step: momentum targets, queues, schedules. step is 1-based.
  virtual void after_step(int64_t step, int64_t total_steps) {}
  // Backbone features: what probes and projections use.
  virtual torch::Tensor features(const torch::Tensor& x) { return backbone->forward(x); }
  // The space the loss works in (projector output), for the collapse diagnostics.
  virtual torch::Tensor embed(const torch::Tensor& x) { return features(x); }
  std::shared_ptr<BackboneImpl> backbone;
};

// params overrides the method's defaults key by key.
std::shared_ptr<MethodImpl> make_method(const std::string& name, const nlohmann::json& params,
                                        std::shared_ptr<BackboneImpl> backbone);

}  // namespace pretext
