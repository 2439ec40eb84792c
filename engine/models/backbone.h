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
  // A new, independently initialised network of the same architecture: methods with a momentum
  // target (MoCo, BYOL, DINO) build their target from it and copy the weights over.
  virtual std::shared_ptr<BackboneImpl> same_architecture() const = 0;
};

// Names (backbone_names() in engine/models/names.h lists them):
//   resnet18, resnet34, resnet50            CIFAR stem: 3x3 stride-1 conv, no max-pool (32 px inputs)
//   resnet18-imagenet, resnet34-imagenet,
//   resnet50-imagenet                       7x7 stride-2 conv + max-pool (torchvision's stem)
//   resnet-small                            ResNet-18 at half width (32 channels), CPU runs
//   resnet-tiny                             [1,1,1,1] basic blocks, width 16, classroom runs
//   convnet                                 four conv-BN-ReLU(-pool) stages, 32..256 channels
//   vit-tiny, vit-small                     ViT (Touvron et al. 2021 widths); optional "/P" patch
//                                           size and "@S" reference image size: "vit-tiny/4@32".
//                                           Default patch 4 at a 32 px reference (an 8x8 grid, as
//                                           the CIFAR ViTs of solo-learn); position embeddings are
//                                           interpolated when images of another size come in.
std::shared_ptr<BackboneImpl> make_backbone(const std::string& name, int64_t in_channels);

}  // namespace pretext
