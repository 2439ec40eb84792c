#include "engine/methods/mae.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "engine/methods/heads.h"
#include "engine/methods/method.h"
#include "engine/methods/vocabulary.h"

namespace pretext {
namespace nn = torch::nn;

TokenMask random_patch_mask(int64_t n, int64_t patches, double mask_ratio, const torch::Device& device) {
  const int64_t keep = std::max<int64_t>(1, static_cast<int64_t>(double(patches) * (1.0 - mask_ratio)));
  auto noise = torch::rand({n, patches}, torch::TensorOptions().device(device));
  auto shuffle = noise.argsort(/*stable=*/false, /*dim=*/1, /*descending=*/false);
  TokenMask m;
  m.restore = shuffle.argsort(/*stable=*/false, /*dim=*/1, /*descending=*/false);
  m.keep = shuffle.slice(1, 0, keep);
  auto mask = torch::ones({n, patches}, torch::TensorOptions().device(device));
  mask.slice(1, 0, keep).zero_();
  m.mask = mask.gather(1, m.restore);
  return m;
}

TokenMask token_mask_from(const torch::Tensor& mask) {
  const int64_t keep = mask.size(1) - static_cast<int64_t>(mask[0].sum().item<double>());
  auto shuffle = mask.argsort(/*stable=*/true, /*dim=*/1, /*descending=*/false);  // visible first
  TokenMask m;
  m.restore = shuffle.argsort(/*stable=*/true, /*dim=*/1, /*descending=*/false);
  m.keep = shuffle.slice(1, 0, keep);
  m.mask = mask.to(torch::kFloat);
  return m;
}

torch::Tensor mae_loss(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& mask,
                       bool norm_pix) {
  auto t = target;
  if (norm_pix) {
    const double d = double(t.size(-1));
    auto centred = t - t.mean(-1, true);
    t = centred / torch::sqrt(centred.pow(2).sum(-1, true) / (d - 1) + 1e-6);  // unbiased, as torch.var
  }
  auto per_patch = (pred - t).pow(2).mean(-1);
  return (per_patch * mask).sum() / mask.sum();
}

MethodInfo mae_info() {
  // Mask ratio 0.75 and normalised-pixel targets (paper, sec. 4); decoder 512 wide and 1 block deep
  // with 16 heads as Lightly's MAE example (the paper's ablation, table 1a, shows depth 1 is enough
  // for fine-tuning). AdamW (paper, appendix A.1: lr 1.5e-4 * batch/256, wd 0.05, betas 0.9/0.95).
  // Needs a ViT backbone (vit-tiny, vit-small).
  return {"mae",
          "MAE: ViT masked autoencoder, MSE on masked patches (normalised pixels)",
          "mae",
          1,
          {{"mask_ratio", 0.75}, {"decoder_dim", 512}, {"decoder_depth", 1}, {"decoder_heads", 16},
           {"norm_pix_loss", true}, {"optimizer", "adamw"}, {"backbone", "vit-tiny"},
           {"base_lr", 1.5e-4}, {"weight_decay", 0.05}},
          MethodInfo::kPretextTask};
}

MAEImpl::MAEImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p) : mask_ratio_(param_double(p, "mask_ratio")) {
  vit_ = std::dynamic_pointer_cast<ViTImpl>(bb);
  if (!vit_) throw std::runtime_error("mae needs a ViT backbone: use --backbone vit-tiny (or vit-small)");
  if (mask_ratio_ < 0.0 || mask_ratio_ >= 1.0) throw std::runtime_error("mae: mask_ratio must be in [0, 1)");
  if (!p.contains("norm_pix_loss") || !p.at("norm_pix_loss").is_boolean())
    throw std::runtime_error("method parameter 'norm_pix_loss' must be true or false");
  norm_pix_ = p.at("norm_pix_loss").get<bool>();
  const auto& o = vit_->options();
  const int64_t dim = param_int(p, "decoder_dim"), heads = param_int(p, "decoder_heads");
  if (dim % heads != 0) throw std::runtime_error("mae: decoder_dim must be a multiple of decoder_heads");
  backbone = register_module("backbone", bb);
  decoder_embed = register_module("decoder_embed", nn::Linear(o.dim, dim));
  mask_token = register_parameter("mask_token", torch::randn({1, 1, dim}) * 0.02);
  decoder = register_module("decoder", Transformer(o.image_size / o.patch, dim, param_int(p, "decoder_depth"), heads, 4 * dim));
  decoder_pred = register_module("decoder_pred", nn::Linear(dim, o.patch * o.patch * o.in_channels));
}

torch::Tensor MAEImpl::reconstruct(const torch::Tensor& x, const TokenMask& m) {
  const int64_t n = x.size(0), l = m.restore.size(1), gh = x.size(2) / vit_->options().patch,
                gw = x.size(3) / vit_->options().patch;
  auto y = decoder_embed(vit_->tokens(x, m.keep));  // [N, 1 + keep, d]
  const int64_t d = y.size(2);
  auto patches = torch::cat({y.slice(1, 1), mask_token.expand({n, l - m.keep.size(1), d})}, 1);
  patches = patches.gather(1, m.restore.unsqueeze(-1).expand({-1, -1, d}));  // back to patch order
  y = torch::cat({y.slice(1, 0, 1), patches}, 1) + decoder->positions(gh, gw);
  return decoder_pred(decoder(y)).slice(1, 1);
}

LossOutput MAEImpl::compute(const Batch& batch) {
  const auto& views = batch.views;
  const auto& x = views[0];
  const int64_t p = vit_->options().patch, l = (x.size(2) / p) * (x.size(3) / p);
  auto m = random_patch_mask(x.size(0), l, mask_ratio_, x.device());
  auto pred = reconstruct(x, m);
  auto loss = mae_loss(pred, vit_->patchify(x), m.mask, norm_pix_);
  torch::Tensor emb;
  {
    // A no-grad pass over the whole image: embeddings that depended on the random mask would make
    // the diagnostics noisy from step to step.
    torch::NoGradGuard no_grad;
    emb = features(x);
  }
  return {loss, {{"rebuilt", loss.detach()}}, emb};
}

MethodImpl::Picture MAEImpl::picture(const torch::Tensor& x) {
  const int64_t p = vit_->options().patch, rows = x.size(2) / p, cols = x.size(3) / p, l = rows * cols;
  std::mt19937_64 rng(0);
  std::vector<int64_t> order(static_cast<size_t>(l));
  auto mask = torch::zeros({x.size(0), l});
  const auto hidden = std::min<int64_t>(l - 1, static_cast<int64_t>(double(l) * mask_ratio_));
  for (int64_t i = 0; i < x.size(0); ++i) {
    std::iota(order.begin(), order.end(), int64_t(0));
    std::shuffle(order.begin(), order.end(), rng);
    for (int64_t j = 0; j < hidden; ++j) mask[i][order[size_t(j)]] = 1.0f;
  }
  const TokenMask m = token_mask_from(mask.to(x.device()));
  auto target = vit_->patchify(x);
  auto pred = reconstruct(x, m);
  if (norm_pix_) {
    auto mean = target.mean(-1, true);
    pred = pred * torch::sqrt(target.var(-1, /*unbiased=*/true, /*keepdim=*/true) + 1e-6) + mean;
  }
  auto w = m.mask.unsqueeze(-1);
  const int64_t c = x.size(1);
  auto image = [&](const torch::Tensor& ps) { return patches_to_images(ps, p, rows, cols, c); };
  Picture pic;
  pic.rows = {{"visible", image(target * (1 - w))},
              {"rebuilt", image(target * (1 - w) + pred * w)},
              {"original", image(target)}};
  return pic;
}

torch::Tensor MAEImpl::features(const torch::Tensor& x) { return vit_->tokens(x).slice(1, 1).mean(1); }

}  // namespace pretext
