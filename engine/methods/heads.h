#pragma once
// Pieces several methods share: MLP heads, target networks, EMA schedules.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <memory>
#include <random>
#include <vector>

namespace pretext {

// Linear layers in -> hidden (x layers-1) -> out with BatchNorm + ReLU between them (the
// projectors of BYOL, SimSiam, Barlow Twins, VICReg, SwAV, MoCo v2+). last_bn appends a BatchNorm
// without affine parameters, as SimSiam's projector output.
torch::nn::Sequential mlp(int64_t in, int64_t hidden, int64_t out, int layers, bool last_bn = false,
                          bool hidden_bn = true);

// Copies every parameter and buffer of src into dst (same architecture, same names), and freezes
// dst's parameters: a target network gets no gradient and optimisers skip it.
void copy_into_target(torch::nn::Module& src, torch::nn::Module& dst);

// target <- tau * target + (1 - tau) * online, parameter by parameter; buffers (BN statistics) are
// copied from the online network.
void ema_update(torch::nn::Module& online, torch::nn::Module& target, double tau);

// BYOL's schedule (Grill et al. 2020, sec. 3.2): tau = 1 - (1 - base) * (cos(pi k / K) + 1) / 2,
// rising from base at k = 0 to 1 at k = K. final_tau generalises the end point (solo-learn).
double cosine_tau(double base, double final_tau, int64_t k, int64_t total);

// The off-diagonal elements of a square matrix, flattened.
torch::Tensor off_diagonal(const torch::Tensor& m);

// Each item of a batch of patches [..., C, h, w] shifted and scaled to zero mean and unit RMS over
// its own pixels: colour and brightness then cannot tell neighbouring patches apart (Jigsaw's
// shortcut fix, Noroozi & Favaro 2016, sec. 3.1; Doersch et al. 2015 normalise each patch likewise).
torch::Tensor standardise_patches(const torch::Tensor& patches);

// A standard random engine seeded by one draw from torch's generator, for what a method draws with
// loops rather than tensors (mask rectangles, patch offsets, hidden regions): the trainer reseeds
// torch's generator per step, so those draws are a function of (seed, step) and a resumed run draws
// what the uninterrupted one did.
std::mt19937_64 engine_from_torch_generator();

// A checked read of a method parameter with a clear message for wrong types.
double param_double(const nlohmann::json& p, const char* key);
int64_t param_int(const nlohmann::json& p, const char* key);

}  // namespace pretext
