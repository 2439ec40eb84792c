#include "engine/methods/ijepa.h"

#include <stdexcept>

#include "engine/augment/ops.h"
#include "engine/core/seed.h"
#include "engine/methods/heads.h"
#include "engine/methods/vocabulary.h"

namespace pretext {
namespace F = torch::nn::functional;
namespace nn = torch::nn;

namespace {
// tokens [N, L, D] at indices [N, K] -> [N, K, D]
torch::Tensor tokens_at(const torch::Tensor& tokens, const torch::Tensor& indices) {
  return tokens.gather(1, indices.unsqueeze(-1).expand({-1, -1, tokens.size(-1)}));
}
}  // namespace

torch::Tensor selected_patches(const torch::Tensor& selected, const std::string& what) {
  const int64_t k = selected.sum(1).min().item<int64_t>();
  if (k == 0) throw std::runtime_error("ijepa: an image has no " + what + " patch");
  // A stable sort puts the selected patches first, in patch order.
  auto order = (~selected).to(torch::kInt).argsort(/*stable=*/true, /*dim=*/1, /*descending=*/false);
  return order.slice(1, 0, k);
}

JepaBlockIndices block_indices_of(const torch::Tensor& masks) {
  JepaBlockIndices b;
  b.context = selected_patches(masks.bitwise_and(1) == 0, "context");
  for (int i = 0; i < kMaxJepaTargets; ++i) {
    auto in_block = masks.bitwise_and(2 << i) != 0;
    if (!in_block.any().item<bool>()) break;
    b.targets.push_back(selected_patches(in_block, "target block " + std::to_string(i + 1)));
  }
  if (b.targets.empty()) throw std::runtime_error("ijepa: the mask has no target block");
  return b;
}

torch::Tensor jepa_loss(const std::vector<torch::Tensor>& predictions, const std::vector<torch::Tensor>& targets) {
  auto loss = torch::zeros({}, predictions.at(0).options());
  for (size_t i = 0; i < predictions.size(); ++i) loss = loss + (predictions[i] - targets.at(i)).pow(2).mean();
  return loss / double(predictions.size());
}

MethodInfo ijepa_info() {
  // EMA 0.996 -> 1 linearly over the run; AdamW, lr 1e-3 at batch 2048 (1.25e-4 per 256 images), wd
  // 0.04 (Assran et al. 2023, appendix A.1, the start of their weight-decay ramp). The predictor is a
  // narrow ViT (the paper's: 384 wide on 1280-wide encoders, 12 blocks); here half the encoder's
  // width and 4 blocks, for CPU budgets. The blocks themselves are the pipeline's (jepa_blocks).
  return {"ijepa",
          "I-JEPA: predict an EMA target encoder's representations of target blocks from a context block",
          "ijepa",
          1,
          {{"pred_dim", 96}, {"pred_depth", 4}, {"pred_heads", 3}, {"base_tau", 0.996}, {"final_tau", 1.0},
           {"optimizer", "adamw"}, {"backbone", "vit-tiny"}, {"base_lr", 1.25e-4}, {"weight_decay", 0.04}},
          MethodInfo::kPretextTask};
}

IJEPAImpl::IJEPAImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : base_tau_(param_double(p, "base_tau")), final_tau_(param_double(p, "final_tau")), tau_(base_tau_) {
  vit_ = std::dynamic_pointer_cast<ViTImpl>(bb);
  if (!vit_) throw std::runtime_error("ijepa needs a ViT backbone: use --backbone vit-tiny (or vit-small)");
  const int64_t dim = param_int(p, "pred_dim"), heads = param_int(p, "pred_heads"), depth = param_int(p, "pred_depth");
  if (dim < 1 || heads < 1 || dim % heads != 0) throw std::runtime_error("ijepa: pred_dim must be a multiple of pred_heads");
  if (depth < 1) throw std::runtime_error("ijepa: pred_depth must be at least 1");
  if (!(base_tau_ >= 0 && base_tau_ <= final_tau_ && final_tau_ <= 1))
    throw std::runtime_error("ijepa: need 0 <= base_tau <= final_tau <= 1");
  const auto& o = vit_->options();
  backbone = register_module("backbone", bb);
  target_vit = std::dynamic_pointer_cast<ViTImpl>(bb->same_architecture());
  register_module("target_backbone", target_vit);
  copy_into_target(*backbone, *target_vit);
  predictor_embed = register_module("predictor_embed", nn::Linear(o.dim, dim));
  mask_token = register_parameter("mask_token", torch::randn({1, 1, dim}) * 0.02);
  predictor = register_module("predictor", Transformer(o.image_size / o.patch, dim, depth, heads, 4 * dim));
  predictor_proj = register_module("predictor_proj", nn::Linear(dim, o.dim));
}

torch::Tensor IJEPAImpl::target_representations(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  auto h = target_vit->tokens(x).slice(1, 1);
  return F::layer_norm(h, F::LayerNormFuncOptions({h.size(-1)}));
}

std::vector<torch::Tensor> IJEPAImpl::predict(const torch::Tensor& x, const JepaBlockIndices& blocks) {
  const int64_t p = vit_->options().patch, n = x.size(0);
  auto context = predictor_embed(vit_->tokens(x, blocks.context).slice(1, 1));  // [N, C, d]
  const int64_t d = context.size(-1), c = context.size(1);
  auto positions = predictor->positions(x.size(2) / p, x.size(3) / p).slice(1, 1).expand({n, -1, -1});
  context = context + tokens_at(positions, blocks.context);
  std::vector<torch::Tensor> out;
  for (const auto& target : blocks.targets) {
    // Each block is predicted on its own from the whole context (the authors' predictor does the
    // same, with the blocks stacked along the batch).
    auto queries = mask_token.expand({n, target.size(1), d}) + tokens_at(positions, target);
    out.push_back(predictor_proj(predictor(torch::cat({context, queries}, 1)).slice(1, c)));
  }
  return out;
}

LossOutput IJEPAImpl::compute(const Batch& batch) {
  const auto& x = batch.views.at(0);
  if (batch.masks.empty() || !batch.masks[0].defined())
    throw std::runtime_error("ijepa: the view draws no blocks: its pipeline needs the jepa_blocks op (the ijepa preset has it)");
  const int64_t p = vit_->options().patch, patches = (x.size(2) / p) * (x.size(3) / p);
  const auto& masks = batch.masks[0];
  if (masks.size(1) != patches)
    throw std::runtime_error("ijepa: the pipeline's blocks lie on " + std::to_string(masks.size(1)) +
                             " patches, the backbone cuts the view into " + std::to_string(patches) +
                             ": give jepa_blocks the backbone's patch size (\"patch\": " + std::to_string(p) + ")");
  const JepaBlockIndices blocks = block_indices_of(masks.to(x.device()));
  auto h = target_representations(x);
  std::vector<torch::Tensor> targets;
  for (const auto& t : blocks.targets) targets.push_back(tokens_at(h, t));
  auto loss = jepa_loss(predict(x, blocks), targets);
  torch::Tensor emb, spread;
  {
    torch::NoGradGuard no_grad;
    emb = features(x);  // the whole image, not this step's blocks: steadier diagnostics (as MAE)
    spread = h.flatten(0, 1).std(0).mean();  // falls towards 0 if the target encoder collapses
  }
  Formula f;  // batch terms: each block's patches count alike within it, each block alike in the mean
  double block_patches = 0;
  for (const auto& t : blocks.targets) block_patches += double(t.size(1)) / double(blocks.targets.size());
  f.expression = "L = (1/M) Σᵢ (1/(|Bᵢ|·D)) Σⱼ∈Bᵢ ‖ŝⱼ − sⱼ‖²";  // ŝ predicted from the context, s the target's
  f.terms = {{"M target blocks", torch::full({}, double(blocks.targets.size()))},
             {"|Bᵢ| patches per block (mean)", torch::full({}, block_patches)},
             {"context patches", torch::full({}, double(blocks.context.size(1)))},
             {"D dimensions", torch::full({}, double(h.size(-1)))}};
  return {loss, {{"prediction", loss.detach()}}, emb, {{"target_spread", spread}}, f};
}

void IJEPAImpl::after_step(int64_t step, int64_t total_steps) {
  // The update after step k (1-based) uses tau at k-1: the first update uses the base value.
  const double progress = total_steps > 0 ? double(step - 1) / double(total_steps) : 0.0;
  tau_ = base_tau_ + (final_tau_ - base_tau_) * std::min(1.0, progress);
  ema_update(*backbone, *target_vit, tau_);
}

torch::Tensor IJEPAImpl::features(const torch::Tensor& x) { return vit_->tokens(x).slice(1, 1).mean(1); }

MethodImpl::Picture IJEPAImpl::picture(const torch::Tensor& x) {
  const int64_t p = vit_->options().patch, rows = x.size(2) / p, cols = x.size(3) / p, n = x.size(0), l = rows * cols;
  Rng rng(0);  // the same blocks at every diagnostic step: the panel changes only as the network learns
  std::vector<uint8_t> cells;
  for (int64_t i = 0; i < n; ++i) {
    const auto one = sample_jepa_blocks(int(rows), int(cols), JepaBlockSpec{}, rng);
    cells.insert(cells.end(), one.begin(), one.end());
  }
  const JepaBlockIndices blocks = block_indices_of(torch::tensor(cells, torch::kUInt8).view({n, l}).to(x.device()));
  auto bank = F::normalize(target_representations(x).flatten(0, 1), F::NormalizeFuncOptions().dim(1));  // [N L, D]
  auto patches = image_patches(x.slice(2, 0, rows * p).slice(3, 0, cols * p), p);            // [N, L, P]
  auto all_patches = patches.flatten(0, 1);
  auto first_patch = torch::arange(n, blocks.context.options()).unsqueeze(1) * l;
  auto found = torch::zeros_like(patches), in_targets = torch::zeros({n, l, 1}, x.options());
  const auto predictions = predict(x, blocks);
  int64_t hits = 0, total = 0;
  for (size_t i = 0; i < predictions.size(); ++i) {
    const auto& where = blocks.targets[i];
    auto nearest = F::normalize(predictions[i], F::NormalizeFuncOptions().dim(-1)).matmul(bank.t()).argmax(-1);
    hits += (nearest == where + first_patch).sum().item<int64_t>();
    total += where.numel();
    auto drawn = all_patches.index_select(0, nearest.flatten()).view({n, where.size(1), -1});
    found.scatter_(1, where.unsqueeze(-1).expand({-1, -1, patches.size(-1)}), drawn);
    in_targets.scatter_(1, where.unsqueeze(-1), 1.0);
  }
  auto in_context = torch::zeros({n, l, 1}, x.options()).scatter_(1, blocks.context.unsqueeze(-1), 1.0);
  auto image = [&](const torch::Tensor& ps) { return patches_to_images(ps, p, rows, cols, x.size(1)); };
  Picture pic;
  pic.rows = {{"context", image(patches * in_context)},
              {"targets", image(patches * in_targets)},
              {"predicted", image(patches * in_context + found)}};
  pic.score_name = "target patches found";
  pic.score = total > 0 ? double(hits) / double(total) : 0.0;
  return pic;
}

}  // namespace pretext
