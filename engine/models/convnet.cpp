#include "engine/models/convnet.h"

namespace pretext {
namespace nn = torch::nn;

ConvNetImpl::ConvNetImpl(int64_t in_channels, int64_t width) : in_channels_(in_channels), width_(width) {
  nn::Sequential s;
  int64_t in = in_channels;
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t out = width << stage;
    s->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
    s->push_back(nn::BatchNorm2d(out));
    s->push_back(nn::ReLU());
    // Pooling stops at the last stage so 28-32 px inputs keep a 3-4 px map for the global pool.
    if (stage < 3) s->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
    in = out;
  }
  features = register_module("features", s);
  for (auto& m : modules(false)) {
    if (auto* c = m->as<nn::Conv2d>()) nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
  }
}

torch::Tensor ConvNetImpl::forward(torch::Tensor x) {
  return torch::adaptive_avg_pool2d(features->forward(x), {1, 1}).flatten(1);
}

}  // namespace pretext
