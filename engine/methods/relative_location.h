#pragma once
#include <random>

#include "engine/methods/method.h"

namespace pretext {

// The 3x3 grid of patches of Doersch et al. 2015 (sec. 3): each image split into 3x3 cells of
// floor(min(H, W) / 3) px, a patch of `patch` px in each cell, placed at a random offset of up to
// cell - patch px in each direction (the gap between patches plus the jitter, so that neither
// continuing lines nor matching edges give the answer away). [N, C, H, W] -> [N, 9, C, patch, patch],
// cells row-major (4 is the centre).
torch::Tensor jittered_grid_patches(const torch::Tensor& x, int64_t patch, std::mt19937_64& rng);

// Relative patch location (Doersch et al. 2015): given the centre patch and one of its 8 neighbours,
// which neighbour is it? One backbone embeds both patches (the paper's late-fusion siamese network);
// their features, concatenated, go to an MLP over the 8 positions; cross-entropy. Every image gives
// all 8 pairs, so the classes are balanced in every batch.
class RelativeLocationImpl : public MethodImpl {
 public:
  RelativeLocationImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  // Logits over the 8 neighbour positions [N * 8, 8] for patches [N, 9, C, p, p], pairs in
  // neighbour order (positions 0-3 and 5-8 of the grid).
  torch::Tensor classify(const torch::Tensor& patches);
  // Each image's nine jittered patches side by side (as the network sees them), captioned with how
  // many of the 8 neighbours it placed right. One fixed draw of the offsets.
  Picture picture(const torch::Tensor& x) override;
  torch::nn::Sequential classifier{nullptr};

 private:
  int64_t patch_size(const torch::Tensor& x) const;  // patch_fraction of a cell, at least 1 px
  double patch_fraction_;
};

MethodInfo relative_location_info();

}  // namespace pretext
