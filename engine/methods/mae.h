#pragma once
#include "engine/methods/method.h"
#include "engine/models/vit.h"

namespace pretext {

// Per-sample random masking (He et al. 2022, sec. 3): a uniform random permutation of the L patches
// per sample from torch's generator; the first `keep` of it stay visible.
struct TokenMask {
  torch::Tensor keep;     // [N, keep] visible patch indices
  torch::Tensor restore;  // [N, L] inverse permutation (visible first, then masked -> patch order)
  torch::Tensor mask;     // [N, L] 1 = masked, 0 = visible, in patch order
};
TokenMask random_patch_mask(int64_t n, int64_t patches, double mask_ratio, const torch::Device& device);
// The same structure for a given mask [N, L] (1 = masked; the same count in every row).
TokenMask token_mask_from(const torch::Tensor& mask);

// MSE on masked patches only; with norm_pix the target patch is standardised by its own mean and
// (unbiased) variance, eps 1e-6 (paper, sec. 3 "Reconstruction target"; the authors' forward_loss).
torch::Tensor mae_loss(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& mask,
                       bool norm_pix);

class MAEImpl : public MethodImpl {
 public:
  MAEImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  // Mean of the encoder's patch tokens over the whole, unmasked image: MAE trains no class token
  // objective, and the mean is what its linear probes and kNN use best (paper, appendix A.2).
  torch::Tensor features(const torch::Tensor& x) override;
  torch::Tensor embed(const torch::Tensor& x) override { return features(x); }

  // Pixels predicted for every patch [N, L, p*p*C], given a mask (exposed for tests).
  torch::Tensor reconstruct(const torch::Tensor& x, const TokenMask& m);
  // The visible patches, the reconstruction (visible patches kept, masked ones predicted, brought
  // back from normalised-pixel targets with each patch's own statistics, as the authors' viewer
  // does) and the original. One fixed mask, so the panel changes only as the network learns.
  Picture picture(const torch::Tensor& x) override;

  torch::nn::Linear decoder_embed{nullptr}, decoder_pred{nullptr};
  torch::Tensor mask_token;
  Transformer decoder{nullptr};

 private:
  std::shared_ptr<ViTImpl> vit_;
  double mask_ratio_;
  bool norm_pix_;
};

MethodInfo mae_info();

}  // namespace pretext
