#pragma once
#include "engine/models/backbone.h"

namespace pretext {

struct ResNetOptions {
  std::vector<int64_t> blocks = {2, 2, 2, 2};
  int64_t width = 64;       // channels of layer1's 3x3 convs; doubled at each later stage
  bool bottleneck = false;  // ResNet-50: 1x1-3x3-1x1 blocks with expansion 4 (torchvision v1.5)
  bool cifar_stem = true;   // 3x3 stride-1 conv and no max-pool, for 32 px inputs
  int64_t in_channels = 3;
};

class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(BasicBlock);

// torchvision's Bottleneck: the stride sits on the 3x3 conv ("ResNet v1.5").
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;
  BottleneckImpl(int64_t in, int64_t planes, int64_t stride);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

class ResNetImpl : public BackboneImpl {
 public:
  explicit ResNetImpl(const ResNetOptions& o);
  torch::Tensor forward(torch::Tensor x) override;
  int64_t feature_dim() const override { return dim_; }
  std::shared_ptr<BackboneImpl> same_architecture() const override { return std::make_shared<ResNetImpl>(opt_); }

 private:
  ResNetOptions opt_;
  int64_t dim_ = 0;
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
};

}  // namespace pretext
