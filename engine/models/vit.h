#pragma once
#include "engine/models/backbone.h"

namespace pretext {

struct ViTOptions {
  int64_t dim = 192;      // ViT-Tiny (Touvron et al. 2021, DeiT table 1)
  int64_t depth = 12;
  int64_t heads = 3;
  int64_t mlp_dim = 768;  // 4 x dim
  int64_t patch = 4;
  int64_t image_size = 32;  // the position table covers (image_size / patch)^2 patches
  int64_t in_channels = 3;
};

// "vit-tiny", "vit-small", each with an optional "/P" (patch) and "@S" (reference image size).
ViTOptions parse_vit_name(const std::string& name);

// Multi-head self-attention with torchvision's (nn.MultiheadAttention's) parameter names.
class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(int64_t dim, int64_t heads);
  torch::Tensor forward(const torch::Tensor& x);  // [N, L, D]

 private:
  int64_t heads_;
  torch::Tensor in_proj_weight, in_proj_bias;
  torch::nn::Linear out_proj{nullptr};
};
TORCH_MODULE(SelfAttention);

// Pre-norm transformer block, named as torchvision's EncoderBlock (ln_1, self_attention, ln_2, mlp.0/3).
class EncoderBlockImpl : public torch::nn::Module {
 public:
  EncoderBlockImpl(int64_t dim, int64_t heads, int64_t mlp_dim);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
  SelfAttention self_attention{nullptr};
  torch::nn::Sequential mlp{nullptr};
};
TORCH_MODULE(EncoderBlock);

// A stack of blocks with its own learned position table (torchvision's "encoder"); MAE's decoder
// is one too.
class TransformerImpl : public torch::nn::Module {
 public:
  TransformerImpl(int64_t grid, int64_t dim, int64_t depth, int64_t heads, int64_t mlp_dim);
  torch::Tensor forward(torch::Tensor x);  // blocks + final LayerNorm
  // Position table for a cls token + a grid x grid patch map; bicubic interpolation of the patch
  // part when grid differs from the trained one (as DINO does for other resolutions).
  torch::Tensor positions(int64_t grid_h, int64_t grid_w) const;
  torch::Tensor pos_embedding;

 private:
  int64_t grid_;
  std::vector<EncoderBlock> blocks_;
  torch::nn::ModuleDict layers{nullptr};
  torch::nn::LayerNorm ln{nullptr};
};
TORCH_MODULE(Transformer);

class ViTImpl : public BackboneImpl {
 public:
  explicit ViTImpl(const ViTOptions& o);
  // The class token after the final LayerNorm (torchvision's representation).
  torch::Tensor forward(torch::Tensor x) override;
  int64_t feature_dim() const override { return opt_.dim; }
  std::shared_ptr<BackboneImpl> same_architecture() const override { return std::make_shared<ViTImpl>(opt_); }

  // All tokens [N, 1 + K, D] after the final LayerNorm; with keep [N, K] (patch indices, row-major)
  // only those patches enter the encoder (MAE).
  torch::Tensor tokens(const torch::Tensor& x, const torch::Tensor& keep = {});
  // All tokens, with the patches where replace [N, L] is 1 entering as mask_token [1, 1, D] (plus
  // their position): BEiT's corrupted input (Bao et al. 2022, sec. 2.3).
  torch::Tensor masked_tokens(const torch::Tensor& x, const torch::Tensor& replace, const torch::Tensor& mask_token);
  // [N, C, H, W] -> [N, L, patch*patch*C], patches row-major, pixels (row, col, channel) inside.
  torch::Tensor patchify(const torch::Tensor& x) const;
  const ViTOptions& options() const { return opt_; }

 private:
  torch::Tensor patch_embeddings(const torch::Tensor& x);         // [N, D, h, w]
  torch::Tensor encode(torch::Tensor patches, const torch::Tensor& pos);  // class token + blocks
  ViTOptions opt_;
  torch::nn::Conv2d conv_proj{nullptr};
  torch::Tensor class_token;
  Transformer encoder{nullptr};
};

}  // namespace pretext
