#pragma once
#include "engine/methods/method.h"

namespace pretext {

// The four rotations of a batch (Gidaris et al. 2018): [x, rot90(x), rot180(x), rot270(x)]
// (counter-clockwise, torch::rot90 over H, W) and labels 0..3 per block.
std::pair<torch::Tensor, torch::Tensor> rotation_batch(const torch::Tensor& x);

class RotNetImpl : public MethodImpl {
 public:
  RotNetImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  // Image i turned by (i mod 4) quarter turns, captioned with the turn and the network's guess.
  Picture picture(const torch::Tensor& x) override;
  torch::nn::Sequential classifier{nullptr};
};

MethodInfo rotnet_info();

}  // namespace pretext
