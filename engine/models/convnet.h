#pragma once
#include "engine/models/backbone.h"

namespace pretext {

// A plain four-stage ConvNet (conv3x3-BN-ReLU, max-pool after the first three stages, global
// average pool): ~0.4 M parameters, for CPU and classroom runs where even resnet-tiny is slow.
// Names: features.{0,1,...} as torchvision's VGG-style Sequential.
class ConvNetImpl : public BackboneImpl {
 public:
  explicit ConvNetImpl(int64_t in_channels, int64_t width = 32);
  torch::Tensor forward(torch::Tensor x) override;
  int64_t feature_dim() const override { return width_ * 8; }
  std::shared_ptr<BackboneImpl> same_architecture() const override {
    return std::make_shared<ConvNetImpl>(in_channels_, width_);
  }

 private:
  int64_t in_channels_, width_;
  torch::nn::Sequential features{nullptr};
};

}  // namespace pretext
