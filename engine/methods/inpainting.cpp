#include "engine/methods/inpainting.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "engine/methods/heads.h"

namespace pretext {
namespace F = torch::nn::functional;

torch::Tensor inpainting_region(int64_t n, int64_t h, int64_t w, double fraction, bool random_place,
                                std::mt19937_64& rng, const torch::Device& device) {
  const int64_t side = std::max<int64_t>(1, std::lround(fraction * double(std::min(h, w))));
  auto region = torch::zeros({n, 1, h, w});
  for (int64_t i = 0; i < n; ++i) {
    int64_t top = (h - side) / 2, left = (w - side) / 2;
    if (random_place) {
      top = std::uniform_int_distribution<int64_t>(0, h - side)(rng);
      left = std::uniform_int_distribution<int64_t>(0, w - side)(rng);
    }
    region[i].slice(1, top, top + side).slice(2, left, left + side).fill_(1.0f);
  }
  return region.to(device);
}

torch::Tensor hidden_region_loss(const torch::Tensor& pred, const torch::Tensor& x, const torch::Tensor& region) {
  auto r = region.to(pred.dtype());
  return ((pred - x).pow(2) * r).sum() / (r.sum() * double(x.size(1))).clamp_min(1);
}

namespace {

// The channels a backbone takes: those of its stem, the first convolution (every backbone here,
// the ViT's patch embedding included, starts with one).
int64_t input_channels(torch::nn::Module& backbone) {
  for (const auto& p : backbone.parameters())
    if (p.dim() == 4) return p.size(1);
  throw std::runtime_error("inpainting: the backbone has no convolution to take images");
}

}  // namespace

MethodInfo inpainting_info() {
  // The central square of half the side (a quarter of the image, the paper's 64 of 128 px); the
  // decoder paints a 16 x 16 canvas upsampled to the image (the pooled features carry no finer
  // layout). SGD as the other pretext tasks here (the paper used Adam with its adversarial term).
  return {"inpainting",
          "Context inpainting: reconstruct a hidden square of the image from its surroundings (L2)",
          "inpainting",
          1,
          {{"region", 0.5}, {"placement", "centre"}, {"canvas", 16}, {"head_hidden", 512}, {"optimizer", "sgd"}},
          MethodInfo::kPretextTask};
}

InpaintingImpl::InpaintingImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : fraction_(param_double(p, "region")), canvas_(param_int(p, "canvas")) {
  if (!(fraction_ > 0 && fraction_ < 1)) throw std::runtime_error("inpainting: region must be in (0, 1)");
  const std::string placement = p.at("placement").is_string() ? p.at("placement").get<std::string>() : "";
  if (placement != "centre" && placement != "random") throw std::runtime_error("inpainting: placement must be \"centre\" or \"random\"");
  if (canvas_ < 2 || canvas_ > 64) throw std::runtime_error("inpainting: canvas must be 2 to 64 px");
  random_place_ = placement == "random";
  backbone = register_module("backbone", bb);
  decoder = register_module("decoder", mlp(bb->feature_dim(), param_int(p, "head_hidden"),
                                           input_channels(*bb) * canvas_ * canvas_, 2));
}

torch::Tensor InpaintingImpl::paint(const torch::Tensor& x, const torch::Tensor& region) {
  auto f = backbone->forward(x * (1 - region.to(x.dtype())));
  auto canvas = decoder->forward(f).view({x.size(0), x.size(1), canvas_, canvas_});
  return F::interpolate(canvas, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{x.size(2), x.size(3)})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

MethodImpl::Picture InpaintingImpl::picture(const torch::Tensor& x) {
  std::mt19937_64 rng(0);  // a fixed region: the panel changes only as the network learns
  auto region = inpainting_region(x.size(0), x.size(2), x.size(3), fraction_, random_place_, rng, x.device());
  auto kept = x * (1 - region);
  Picture pic;
  pic.rows = {{"input", kept}, {"original", x}, {"painted", kept + paint(x, region) * region}};
  return pic;
}

LossOutput InpaintingImpl::compute(const Batch& batch) {
  const auto& x = batch.views[0];
  std::mt19937_64 rng = engine_from_torch_generator();
  auto region = inpainting_region(x.size(0), x.size(2), x.size(3), fraction_, random_place_, rng, x.device());
  auto loss = hidden_region_loss(paint(x, region), x, region);
  torch::Tensor emb;
  {
    torch::NoGradGuard no_grad;
    emb = backbone->forward(x);  // the whole image, as the probes see it
  }
  return {loss, {{"reconstruction", loss.detach()}}, emb};
}

}  // namespace pretext
