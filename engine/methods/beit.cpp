#include "engine/methods/beit.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/methods/heads.h"
#include "engine/methods/vocabulary.h"

namespace pretext {
namespace F = torch::nn::functional;

torch::Tensor block_mask(int64_t rows, int64_t cols, int64_t count, int64_t min_block, std::mt19937_64& rng) {
  std::vector<float> mask(static_cast<size_t>(rows * cols), 0.0f);
  const double log_aspect = std::log(0.3);
  int64_t masked = 0;
  while (masked < count) {
    const int64_t budget = count - masked;
    int64_t added = 0;
    for (int attempt = 0; attempt < 10 && added == 0; ++attempt) {
      const double area = std::uniform_real_distribution<double>(double(min_block), double(std::max(min_block, budget)))(rng);
      const double aspect = std::exp(std::uniform_real_distribution<double>(log_aspect, -log_aspect)(rng));
      const auto h = static_cast<int64_t>(std::lround(std::sqrt(area * aspect)));
      const auto w = static_cast<int64_t>(std::lround(std::sqrt(area / aspect)));
      if (h < 1 || w < 1 || h > rows || w > cols) continue;
      const int64_t top = std::uniform_int_distribution<int64_t>(0, rows - h)(rng);
      const int64_t left = std::uniform_int_distribution<int64_t>(0, cols - w)(rng);
      int64_t fresh = 0;
      for (int64_t r = top; r < top + h; ++r)
        for (int64_t c = left; c < left + w; ++c) fresh += mask[size_t(r * cols + c)] == 0.0f;
      if (fresh == 0 || fresh > budget) continue;
      for (int64_t r = top; r < top + h; ++r)
        for (int64_t c = left; c < left + w; ++c) mask[size_t(r * cols + c)] = 1.0f;
      added = fresh;
    }
    if (added == 0) break;
    masked += added;
  }
  return torch::tensor(mask);
}

torch::Tensor draw_patch_masks(const std::string& masking, int64_t n, int64_t rows, int64_t cols, int64_t count,
                               int64_t min_block, std::mt19937_64& rng) {
  std::vector<torch::Tensor> masks;
  for (int64_t i = 0; i < n; ++i) {
    if (masking == "block") {
      masks.push_back(block_mask(rows, cols, count, min_block, rng));
      continue;
    }
    std::vector<int64_t> order(static_cast<size_t>(rows * cols));
    std::iota(order.begin(), order.end(), int64_t(0));
    std::shuffle(order.begin(), order.end(), rng);
    auto m = torch::zeros({rows * cols});
    for (int64_t j = 0; j < count; ++j) m[order[size_t(j)]] = 1.0f;
    masks.push_back(m);
  }
  return torch::stack(masks);
}

torch::Tensor masked_token_loss(const torch::Tensor& logits, const torch::Tensor& codes, const torch::Tensor& mask) {
  auto per_patch = F::cross_entropy(logits.flatten(0, 1).to(torch::kFloat), codes.flatten(),
                                    F::CrossEntropyFuncOptions().reduction(torch::kNone));
  auto m = mask.flatten().to(per_patch.dtype());
  return (per_patch * m).sum() / m.sum().clamp_min(1);
}

MethodInfo beit_info() {
  // 40 % of the patches masked blockwise, blocks of at least 4 patches (BEiT, sec. 2.3 and its
  // masking generator's default); a vocabulary of 512 codes, the class count of ViT's masked patch
  // prediction (Dosovitskiy et al. 2021, appendix B.1.2), fitted on the patches of 2,000 images.
  // AdamW, wd 0.05 (BEiT, appendix: lr 1.5e-3 at batch 2048, i.e. 1.9e-4 per 256 images).
  return {"beit",
          "BEiT-style masked patch prediction: cross-entropy over a k-means vocabulary of the dataset's patches",
          "beit",
          1,
          {{"vocabulary", 512}, {"mask_ratio", 0.4}, {"masking", "block"}, {"min_block_patches", 4},
           {"fit_images", 2000}, {"optimizer", "adamw"}, {"backbone", "vit-tiny"}, {"base_lr", 1.9e-4},
           {"weight_decay", 0.05}},
          MethodInfo::kPretextTask};
}

BEiTImpl::BEiTImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : mask_ratio_(param_double(p, "mask_ratio")),
      min_block_(param_int(p, "min_block_patches")),
      fit_images_(param_int(p, "fit_images")) {
  vit_ = std::dynamic_pointer_cast<ViTImpl>(bb);
  if (!vit_) throw std::runtime_error("beit needs a ViT backbone: use --backbone vit-tiny (or vit-small)");
  if (!(mask_ratio_ > 0.0 && mask_ratio_ < 1.0)) throw std::runtime_error("beit: mask_ratio must be in (0, 1)");
  masking_ = p.at("masking").is_string() ? p.at("masking").get<std::string>() : "";
  if (masking_ != "block" && masking_ != "random") throw std::runtime_error("beit: masking must be \"block\" or \"random\"");
  const int64_t k = param_int(p, "vocabulary");
  if (k < 2) throw std::runtime_error("beit: vocabulary must have at least 2 codes");
  if (min_block_ < 1) throw std::runtime_error("beit: min_block_patches must be at least 1");
  if (fit_images_ < 1) throw std::runtime_error("beit: fit_images must be at least 1");
  const auto& o = vit_->options();
  backbone = register_module("backbone", bb);
  vocabulary = register_buffer("vocabulary", torch::zeros({k, o.patch * o.patch * o.in_channels}));
  mask_token = register_parameter("mask_token", torch::randn({1, 1, o.dim}) * 0.02);
  head = register_module("head", torch::nn::Linear(o.dim, k));
}

std::string BEiTImpl::data_fit_key() const {
  return "patch-vocabulary-p" + std::to_string(vit_->options().patch) + "-k" + std::to_string(vocabulary.size(0)) +
         "-n" + std::to_string(fit_images_);
}

MethodImpl::Fitted BEiTImpl::fit_to_data(const DataSample& sample) {
  // About 25 patches per code: enough for stable centroids, a few seconds of k-means on a CPU.
  const int64_t max_patches = 25 * vocabulary.size(0);
  return {patch_vocabulary(sample.images(fit_images_), vit_->options().patch, vocabulary.size(0), max_patches, /*seed=*/0)};
}

void BEiTImpl::use_fitted(const Fitted& fitted) {
  if (fitted.size() != 1 || fitted[0].sizes() != vocabulary.sizes())
    throw std::runtime_error("beit: a vocabulary of the wrong shape (another patch size or vocabulary size)");
  torch::NoGradGuard no_grad;
  vocabulary.copy_(fitted[0].to(vocabulary.device(), vocabulary.dtype()));
  fitted_ = true;
}

torch::Tensor BEiTImpl::codes(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  auto patches = image_patches(x.to(torch::kFloat), vit_->options().patch);
  const int64_t n = patches.size(0), l = patches.size(1);
  return nearest_codes(patches.reshape({n * l, -1}), vocabulary).view({n, l});
}

int64_t BEiTImpl::masked_count(int64_t rows, int64_t cols) const {
  return std::max<int64_t>(1, static_cast<int64_t>(std::lround(mask_ratio_ * double(rows * cols))));
}

torch::Tensor BEiTImpl::predict(const torch::Tensor& x, const torch::Tensor& mask) {
  return head(vit_->masked_tokens(x, mask, mask_token).slice(1, 1));
}

LossOutput BEiTImpl::compute(const Batch& batch) {
  if (!fitted_) throw std::logic_error("beit: the patch vocabulary was not fitted to the data before training");
  const auto& x = batch.views[0];
  const int64_t p = vit_->options().patch, rows = x.size(2) / p, cols = x.size(3) / p;
  std::mt19937_64 rng = engine_from_torch_generator();
  auto mask = draw_patch_masks(masking_, x.size(0), rows, cols, masked_count(rows, cols), min_block_, rng).to(x.device());
  auto targets = codes(x);
  auto logits = predict(x, mask);
  auto loss = masked_token_loss(logits, targets, mask);
  torch::Tensor accuracy, emb;
  {
    torch::NoGradGuard no_grad;
    accuracy = ((logits.argmax(-1) == targets).to(torch::kFloat) * mask).sum() / mask.sum().clamp_min(1);
    emb = features(x);  // the whole image, not this step's mask: steadier diagnostics (as MAE)
  }
  Formula f;
  f.expression = "L = −(1/|M|) Σᵢ∈M log p(codeᵢ | masked image)";
  f.terms = {{"|M| masked patches", mask.sum()}, {"mean −log p", loss.detach()}, {"accuracy on M", accuracy}};
  return {loss, {{"masked_token_ce", loss.detach()}}, emb, {{"masked_token_accuracy", accuracy}}, f};
}

MethodImpl::Picture BEiTImpl::picture(const torch::Tensor& x) {
  if (!fitted_) return {};
  const int64_t p = vit_->options().patch, rows = x.size(2) / p, cols = x.size(3) / p, c = x.size(1);
  std::mt19937_64 rng(0);
  auto mask = draw_patch_masks(masking_, x.size(0), rows, cols, masked_count(rows, cols), min_block_, rng).to(x.device());
  auto targets = codes(x);
  auto predicted = predict(x, mask).argmax(-1);
  auto patches = image_patches(x.slice(2, 0, rows * p).slice(3, 0, cols * p), p);
  auto m = mask.unsqueeze(-1).to(patches.dtype());
  auto centroids = [&](const torch::Tensor& codes) { return vocabulary.index_select(0, codes.flatten()).view(patches.sizes()); };
  auto image = [&](const torch::Tensor& ps) { return patches_to_images(ps, p, rows, cols, c); };
  Picture pic;
  pic.rows = {{"masked", image(patches * (1 - m))},
              {"codes", image(centroids(targets))},
              {"predicted", image(patches * (1 - m) + centroids(predicted) * m)}};
  pic.score_name = "masked-token accuracy";
  pic.score = (((predicted == targets).to(torch::kFloat) * mask).sum() / mask.sum().clamp_min(1)).item<double>();
  return pic;
}

torch::Tensor BEiTImpl::features(const torch::Tensor& x) { return vit_->tokens(x).slice(1, 1).mean(1); }

}  // namespace pretext
