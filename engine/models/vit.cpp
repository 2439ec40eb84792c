#include "engine/models/vit.h"

#include <cmath>
#include <stdexcept>

namespace pretext {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

ViTOptions parse_vit_name(const std::string& name) {
  ViTOptions o;
  const auto slash = name.find('/'), at = name.find('@');
  const std::string base = name.substr(0, std::min(slash, at));
  if (base == "vit-tiny") {
  } else if (base == "vit-small") {
    o.dim = 384;
    o.heads = 6;
    o.mlp_dim = 1536;
  } else {
    throw std::runtime_error("unknown backbone '" + name + "' (ViTs: vit-tiny, vit-small)");
  }
  auto number = [&](size_t from, const char* what) -> int64_t {
    const size_t end = std::min(name.find_first_of("/@", from), name.size());
    const std::string s = name.substr(from, end - from);
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 4 || std::stoll(s) < 1)
      throw std::runtime_error("backbone '" + name + "': " + what + " must be a positive integer");
    return std::stoll(s);
  };
  if (slash != std::string::npos) o.patch = number(slash + 1, "the patch size after '/'");
  if (at != std::string::npos) o.image_size = number(at + 1, "the image size after '@'");
  if (o.image_size < o.patch)
    throw std::runtime_error("backbone '" + name + "': the image size is smaller than one patch");
  return o;
}

SelfAttentionImpl::SelfAttentionImpl(int64_t dim, int64_t heads) : heads_(heads) {
  if (dim % heads != 0) throw std::runtime_error("attention width must be a multiple of the head count");
  in_proj_weight = register_parameter("in_proj_weight", torch::empty({3 * dim, dim}));
  in_proj_bias = register_parameter("in_proj_bias", torch::zeros({3 * dim}));
  out_proj = register_module("out_proj", nn::Linear(dim, dim));
  nn::init::xavier_uniform_(in_proj_weight);
  nn::init::zeros_(out_proj->bias);
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x) {
  const int64_t n = x.size(0), l = x.size(1), d = x.size(2);
  auto qkv = F::linear(x, in_proj_weight, in_proj_bias).view({n, l, 3, heads_, d / heads_}).permute({2, 0, 3, 1, 4});
  auto o = at::scaled_dot_product_attention(qkv[0], qkv[1], qkv[2]);
  return out_proj(o.transpose(1, 2).reshape({n, l, d}));
}

EncoderBlockImpl::EncoderBlockImpl(int64_t dim, int64_t heads, int64_t mlp_dim) {
  // eps 1e-6 as torchvision's ViT.
  ln_1 = register_module("ln_1", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)));
  self_attention = register_module("self_attention", SelfAttention(dim, heads));
  ln_2 = register_module("ln_2", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)));
  // Indices 0 and 3 hold the weights, as torchvision's MLPBlock (Linear, GELU, Dropout, Linear, Dropout).
  mlp = register_module("mlp", nn::Sequential(nn::Linear(dim, mlp_dim), nn::GELU(), nn::Dropout(0.0),
                                              nn::Linear(mlp_dim, dim), nn::Dropout(0.0)));
  for (auto& m : mlp->modules(false)) {
    if (auto* lin = m->as<nn::Linear>()) {
      nn::init::xavier_uniform_(lin->weight);
      nn::init::zeros_(lin->bias);
    }
  }
}

torch::Tensor EncoderBlockImpl::forward(torch::Tensor x) {
  x = x + self_attention(ln_1(x));
  return x + mlp->forward(ln_2(x));
}

TransformerImpl::TransformerImpl(int64_t grid, int64_t dim, int64_t depth, int64_t heads, int64_t mlp_dim)
    : grid_(grid) {
  pos_embedding = register_parameter("pos_embedding", torch::randn({1, 1 + grid * grid, dim}) * 0.02);
  layers = register_module("layers", nn::ModuleDict());
  for (int64_t i = 0; i < depth; ++i) {
    blocks_.push_back(EncoderBlock(dim, heads, mlp_dim));
    layers->update({{"encoder_layer_" + std::to_string(i), blocks_.back().ptr()}});
  }
  ln = register_module("ln", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)));
}

torch::Tensor TransformerImpl::forward(torch::Tensor x) {
  for (auto& b : blocks_) x = b(x);
  return ln(x);
}

torch::Tensor TransformerImpl::positions(int64_t gh, int64_t gw) const {
  if (gh == grid_ && gw == grid_) return pos_embedding;
  const int64_t d = pos_embedding.size(2);
  auto patch = pos_embedding.slice(1, 1).reshape({1, grid_, grid_, d}).permute({0, 3, 1, 2});
  patch = F::interpolate(patch, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{gh, gw})
                                    .mode(torch::kBicubic)
                                    .align_corners(false));
  return torch::cat({pos_embedding.slice(1, 0, 1), patch.permute({0, 2, 3, 1}).reshape({1, gh * gw, d})}, 1);
}

ViTImpl::ViTImpl(const ViTOptions& o) : opt_(o) {
  conv_proj = register_module(
      "conv_proj", nn::Conv2d(nn::Conv2dOptions(o.in_channels, o.dim, o.patch).stride(o.patch)));
  class_token = register_parameter("class_token", torch::zeros({1, 1, o.dim}));
  encoder = register_module("encoder", Transformer(o.image_size / o.patch, o.dim, o.depth, o.heads, o.mlp_dim));
  // torchvision: conv_proj ~ normal with std sqrt(1 / fan_in), truncated at +-2 (absolute), which
  // LibTorch lacks and which never bites at this std.
  const double fan_in = double(o.in_channels * o.patch * o.patch);
  nn::init::normal_(conv_proj->weight, 0.0, std::sqrt(1.0 / fan_in));
  nn::init::zeros_(conv_proj->bias);
}

torch::Tensor ViTImpl::patch_embeddings(const torch::Tensor& x) {
  if (x.size(2) < opt_.patch || x.size(3) < opt_.patch)
    throw std::runtime_error("images of " + std::to_string(x.size(2)) + " px are smaller than one ViT patch (" +
                             std::to_string(opt_.patch) + " px)");
  return conv_proj(x);
}

torch::Tensor ViTImpl::encode(torch::Tensor patches, const torch::Tensor& pos) {
  auto cls = (class_token + pos.slice(1, 0, 1)).expand({patches.size(0), -1, -1});
  return encoder(torch::cat({cls, patches}, 1));
}

torch::Tensor ViTImpl::tokens(const torch::Tensor& x, const torch::Tensor& keep) {
  auto p = patch_embeddings(x);
  const int64_t d = p.size(1);
  auto pos = encoder->positions(p.size(2), p.size(3));
  p = p.flatten(2).transpose(1, 2) + pos.slice(1, 1);
  if (keep.defined()) p = p.gather(1, keep.unsqueeze(-1).expand({-1, -1, d}));
  return encode(p, pos);
}

torch::Tensor ViTImpl::masked_tokens(const torch::Tensor& x, const torch::Tensor& replace, const torch::Tensor& mask_token) {
  auto p = patch_embeddings(x);
  auto pos = encoder->positions(p.size(2), p.size(3));
  p = p.flatten(2).transpose(1, 2);
  auto w = replace.to(p.dtype()).unsqueeze(-1);
  p = p * (1 - w) + mask_token.to(p.dtype()) * w + pos.slice(1, 1);
  return encode(p, pos);
}

torch::Tensor ViTImpl::forward(torch::Tensor x) { return tokens(x).select(1, 0); }

torch::Tensor ViTImpl::patchify(const torch::Tensor& x) const {
  const int64_t n = x.size(0), c = x.size(1), p = opt_.patch, gh = x.size(2) / p, gw = x.size(3) / p;
  // Like conv_proj, a remainder of fewer than `patch` pixels at the bottom/right is dropped.
  auto t = x.slice(2, 0, gh * p).slice(3, 0, gw * p).reshape({n, c, gh, p, gw, p});
  return t.permute({0, 2, 4, 3, 5, 1}).reshape({n, gh * gw, p * p * c});
}

}  // namespace pretext
