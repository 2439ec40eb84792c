#include "engine/models/resnet.h"

#include "engine/methods/method_info.h"

#include <stdexcept>

namespace pretext {
namespace nn = torch::nn;

namespace {
nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(false));
}
}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in, int64_t out, int64_t stride) {
  conv1 = register_module("conv1", conv(in, out, 3, stride, 1));
  bn1 = register_module("bn1", nn::BatchNorm2d(out));
  conv2 = register_module("conv2", conv(out, out, 3, 1, 1));
  bn2 = register_module("bn2", nn::BatchNorm2d(out));
  if (stride != 1 || in != out) {
    downsample = register_module("downsample", nn::Sequential(conv(in, out, 1, stride, 0), nn::BatchNorm2d(out)));
  }
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
  auto y = torch::relu(bn1(conv1(x)));
  y = bn2(conv2(y));
  return torch::relu(y + (downsample ? downsample->forward(x) : x));
}

ResNetImpl::ResNetImpl(const ResNetOptions& o) : opt_(o) {
  conv1 = register_module("conv1", o.cifar_stem ? conv(o.in_channels, o.width, 3, 1, 1)
                                                : conv(o.in_channels, o.width, 7, 2, 3));
  bn1 = register_module("bn1", nn::BatchNorm2d(o.width));
  int64_t in = o.width;
  nn::Sequential* layers[] = {&layer1, &layer2, &layer3, &layer4};
  for (int s = 0; s < 4; ++s) {
    const int64_t out = o.width << s;
    nn::Sequential seq;
    for (int64_t b = 0; b < o.blocks[s]; ++b) {
      seq->push_back(BasicBlock(in, out, (b == 0 && s > 0) ? 2 : 1));
      in = out;
    }
    *layers[s] = register_module("layer" + std::to_string(s + 1), seq);
  }
  dim_ = in;
  // Kaiming init as torchvision; BN weight 1, bias 0 (LibTorch defaults).
  for (auto& m : modules(false)) {
    if (auto* c = m->as<nn::Conv2d>()) nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
  }
}

torch::Tensor ResNetImpl::forward(torch::Tensor x) {
  x = torch::relu(bn1(conv1(x)));
  if (!opt_.cifar_stem) x = torch::max_pool2d(x, 3, 2, 1);
  x = layer4->forward(layer3->forward(layer2->forward(layer1->forward(x))));
  return torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
}

std::vector<std::string> backbone_names() {
  return {"resnet-tiny", "resnet-small", "resnet18", "resnet34", "resnet18-imagenet", "resnet34-imagenet"};
}

std::shared_ptr<BackboneImpl> make_backbone(const std::string& name, int64_t in_channels) {
  ResNetOptions o;
  o.in_channels = in_channels;
  if (name == "resnet-tiny") {
    o.blocks = {1, 1, 1, 1};
    o.width = 16;
  } else if (name == "resnet-small") {
    o.width = 32;
  } else if (name == "resnet18" || name == "resnet18-imagenet") {
  } else if (name == "resnet34" || name == "resnet34-imagenet") {
    o.blocks = {3, 4, 6, 3};
  } else {
    throw std::runtime_error("unknown backbone '" + name + "'");
  }
  o.cifar_stem = name.find("imagenet") == std::string::npos;
  return std::make_shared<ResNetImpl>(o);
}

}  // namespace pretext
