#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace pretext {

// A feature extractor: images [N,C,H,W] -> features [N, feature_dim]. Parameter names follow
// torchvision (conv1, bn1, layer1.0.conv1, ...) so weights can be exported for torchvision models.
class BackboneImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  virtual int64_t feature_dim() const = 0;
};

// Names: resnet18, resnet34 (CIFAR stem: 3x3 conv, no max-pool), resnet18-imagenet,
// resnet34-imagenet (7x7 stride-2 conv + max-pool), resnet-small (ResNet-18 at half width),
// resnet-tiny ([1,1,1,1] blocks, width 16) for CPU and classroom runs.
// backbone_names() lists them (engine/methods/method_info.h, free of LibTorch headers).
std::shared_ptr<BackboneImpl> make_backbone(const std::string& name, int64_t in_channels);

}  // namespace pretext
