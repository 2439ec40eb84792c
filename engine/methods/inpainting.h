#pragma once
#include <random>

#include "engine/methods/method.h"

namespace pretext {

// The hidden region of context inpainting: a square of `fraction` of the image's shorter side, in
// the centre (Pathak et al. 2016, sec. 3.3 "central region") or at a random place per image
// ("random block"). [N, 1, H, W] float, 1 = hidden. Random places come from rng.
torch::Tensor inpainting_region(int64_t n, int64_t h, int64_t w, double fraction, bool random_place,
                                std::mt19937_64& rng, const torch::Device& device);

// Context inpainting (Pathak et al. 2016, "Context Encoders"): a square region of the image is hidden
// (set to 0, the dataset mean after normalisation) and the network reconstructs its pixels from the
// surroundings, with an L2 loss over the hidden pixels only (the paper's reconstruction loss; its
// adversarial term is left out). The backbone's pooled features feed an MLP decoder that paints the
// whole image at the region's resolution; only the hidden part is scored.
class InpaintingImpl : public MethodImpl {
 public:
  InpaintingImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  // The image as predicted from x with region hidden [N, C, H, W] (the decoder's output, upsampled).
  torch::Tensor paint(const torch::Tensor& x, const torch::Tensor& region);
  // The input with its hole, the original, and the hole painted in.
  Picture picture(const torch::Tensor& x) override;
  torch::nn::Sequential decoder{nullptr};

 private:
  double fraction_;
  bool random_place_;
  int64_t canvas_;
};

// MSE over the hidden pixels: sum((pred - x)^2 * region) / (C * sum(region)).
torch::Tensor hidden_region_loss(const torch::Tensor& pred, const torch::Tensor& x, const torch::Tensor& region);

MethodInfo inpainting_info();

}  // namespace pretext
