#include "engine/models/resnet.h"

#include <stdexcept>

#include "engine/models/names.h"
#include "engine/models/convnet.h"
#include "engine/models/vit.h"

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

BottleneckImpl::BottleneckImpl(int64_t in, int64_t planes, int64_t stride) {
  const int64_t out = planes * kExpansion;
  conv1 = register_module("conv1", conv(in, planes, 1, 1, 0));
  bn1 = register_module("bn1", nn::BatchNorm2d(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, stride, 1));
  bn2 = register_module("bn2", nn::BatchNorm2d(planes));
  conv3 = register_module("conv3", conv(planes, out, 1, 1, 0));
  bn3 = register_module("bn3", nn::BatchNorm2d(out));
  if (stride != 1 || in != out) {
    downsample = register_module("downsample", nn::Sequential(conv(in, out, 1, stride, 0), nn::BatchNorm2d(out)));
  }
}

torch::Tensor BottleneckImpl::forward(torch::Tensor x) {
  auto y = torch::relu(bn1(conv1(x)));
  y = torch::relu(bn2(conv2(y)));
  y = bn3(conv3(y));
  return torch::relu(y + (downsample ? downsample->forward(x) : x));
}

ResNetImpl::ResNetImpl(const ResNetOptions& o) : opt_(o) {
  conv1 = register_module("conv1", o.cifar_stem ? conv(o.in_channels, o.width, 3, 1, 1)
                                                : conv(o.in_channels, o.width, 7, 2, 3));
  bn1 = register_module("bn1", nn::BatchNorm2d(o.width));
  int64_t in = o.width;
  nn::Sequential* layers[] = {&layer1, &layer2, &layer3, &layer4};
  for (int s = 0; s < 4; ++s) {
    const int64_t planes = o.width << s;
    nn::Sequential seq;
    for (int64_t b = 0; b < o.blocks[s]; ++b) {
      const int64_t stride = (b == 0 && s > 0) ? 2 : 1;
      if (o.bottleneck) {
        seq->push_back(Bottleneck(in, planes, stride));
        in = planes * BottleneckImpl::kExpansion;
      } else {
        seq->push_back(BasicBlock(in, planes, stride));
        in = planes;
      }
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
  return {"resnet-tiny", "resnet-small", "convnet",          "resnet18",          "resnet34",
          "resnet50",    "resnet18-imagenet", "resnet34-imagenet", "resnet50-imagenet", "vit-tiny",
          "vit-small"};
}

std::shared_ptr<BackboneImpl> make_backbone(const std::string& name, int64_t in_channels) {
  if (name.rfind("vit-", 0) == 0) {
    ViTOptions v = parse_vit_name(name);
    v.in_channels = in_channels;
    return std::make_shared<ViTImpl>(v);
  }
  if (name == "convnet") return std::make_shared<ConvNetImpl>(in_channels);
  ResNetOptions o;
  o.in_channels = in_channels;
  std::string base = name;
  const auto suffix = name.find("-imagenet");
  if (suffix != std::string::npos && suffix + 9 == name.size()) {
    o.cifar_stem = false;
    base = name.substr(0, suffix);
  }
  if (base == "resnet-tiny" && o.cifar_stem) {
    o.blocks = {1, 1, 1, 1};
    o.width = 16;
  } else if (base == "resnet-small" && o.cifar_stem) {
    o.width = 32;
  } else if (base == "resnet18") {
  } else if (base == "resnet34") {
    o.blocks = {3, 4, 6, 3};
  } else if (base == "resnet50") {
    o.blocks = {3, 4, 6, 3};
    o.bottleneck = true;
  } else {
    std::string known;
    for (const auto& n : backbone_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::runtime_error("unknown backbone '" + name + "' (known: " + known + "; ViTs take /PATCH and @SIZE)");
  }
  return std::make_shared<ResNetImpl>(o);
}

}  // namespace pretext
