#pragma once
// One interface for every SSL method: it owns its heads (and any target network or queue), takes the
// augmented views of a batch and returns the loss with its named parts.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/augment/batch.h"
#include "engine/methods/method_info.h"
#include "engine/models/backbone.h"

namespace pretext {

// The objective written out for the formula panel: its expression and the live values of its
// terms, each for the whole batch (a 0-d tensor) or per row of the loss (a [R] tensor, R the rows the
// loss averages over: for a contrastive loss the views stacked, view 1's images then view 2's).
struct Formula {
  std::string expression;  // Unicode maths, the terms named as in `terms`
  std::vector<std::pair<std::string, torch::Tensor>> terms;
  torch::Tensor row_loss;                    // [R]: the loss is its mean; undefined when it is not a row mean
  torch::Tensor positive, nearest_negative;  // [R] int64 rows, when a row has a positive and negatives
};

struct LossOutput {
  torch::Tensor total;
  std::vector<std::pair<std::string, torch::Tensor>> components;
  torch::Tensor embeddings;  // projector outputs of the first view, detached, for diagnostics
  // Quantities worth watching that are not loss terms (DINO's teacher entropy, RotNet's accuracy):
  // they go to the monitors panel, not into the loss plot.
  std::vector<std::pair<std::string, torch::Tensor>> monitors = {};
  Formula formula = {};  // empty expression: the method does not write its objective out (yet)
};

class MethodImpl : public torch::nn::Module {
 public:
  // The loss of one batch: its views, and the pretext targets and masks the augmentation drew.
  virtual LossOutput compute(const Batch& batch) = 0;
  // After each optimiser step: momentum targets, queues, schedules. step is 1-based.
  virtual void after_step(int64_t step, int64_t total_steps) {}
  // After a checkpoint replaced the parameters and buffers: methods that keep a host-side copy of a
  // buffer (so that a step never waits on the GPU to read it) re-read it here.
  virtual void restored() {}
  // Methods whose targets are fitted to the data (a patch vocabulary, a colour prior) name what they
  // fit, so that runs on the same data can share it; "" for the rest. Before the first step the
  // trainer calls fit_to_data (or takes a cached result of an earlier fit), then use_fitted; the
  // method keeps the result in buffers, so the checkpoint holds it.
  struct DataSample {
    std::function<torch::Tensor(int64_t count)> images;  // up to count un-augmented training images,
                                                         // normalised as the views are
    std::vector<double> mean, std;                       // that normalisation, per channel, [0, 1] units
  };
  using Fitted = std::vector<torch::Tensor>;
  virtual std::string data_fit_key() const { return ""; }
  virtual Fitted fit_to_data(const DataSample& /*sample*/) { return {}; }
  virtual void use_fitted(const Fitted& /*fitted*/) {}
  // The task drawn on a few images for the live prediction panel: rows of images in the views'
  // normalised space [N, C, H, W] (what the network saw, the target, its prediction), a caption per
  // image where the prediction is a class, and the task's accuracy on them. No rows: nothing to draw
  // (the joint-embedding methods). Called in eval mode without gradients.
  struct Picture {
    std::vector<std::pair<std::string, torch::Tensor>> rows;
    std::vector<std::string> captions;
    std::string score_name;
    double score = -1;
  };
  virtual Picture picture(const torch::Tensor& /*x*/) { return {}; }
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
