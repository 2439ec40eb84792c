#include "engine/methods/heads.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/methods/method.h"

namespace pretext {
namespace nn = torch::nn;

nn::Sequential mlp(int64_t in, int64_t hidden, int64_t out, int layers, bool last_bn, bool hidden_bn) {
  nn::Sequential s;
  int64_t d = in;
  for (int i = 0; i + 1 < layers; ++i) {
    s->push_back(nn::Linear(d, hidden));
    if (hidden_bn) s->push_back(nn::BatchNorm1d(hidden));
    s->push_back(nn::ReLU());
    d = hidden;
  }
  s->push_back(nn::Linear(d, out));
  if (last_bn) s->push_back(nn::BatchNorm1d(nn::BatchNorm1dOptions(out).affine(false)));
  return s;
}

void copy_into_target(nn::Module& src, nn::Module& dst) {
  torch::NoGradGuard no_grad;
  auto sp = src.named_parameters(), dp = dst.named_parameters();
  auto sb = src.named_buffers(), db = dst.named_buffers();
  if (sp.size() != dp.size() || sb.size() != db.size())
    throw std::runtime_error("target network does not match the online network");
  for (auto& item : dp) {
    item.value().copy_(sp[item.key()]);
    item.value().set_requires_grad(false);
  }
  for (auto& item : db) item.value().copy_(sb[item.key()]);
}

void ema_update(nn::Module& online, nn::Module& target, double tau) {
  torch::NoGradGuard no_grad;
  auto op = online.named_parameters();
  for (auto& item : target.named_parameters()) item.value().mul_(tau).add_(op[item.key()], 1.0 - tau);
  auto ob = online.named_buffers();
  for (auto& item : target.named_buffers()) item.value().copy_(ob[item.key()]);
}

double cosine_tau(double base, double final_tau, int64_t k, int64_t total) {
  if (total <= 0) return base;
  const double c = (std::cos(M_PI * double(std::min(k, total)) / double(total)) + 1.0) / 2.0;
  return final_tau - (final_tau - base) * c;
}

torch::Tensor off_diagonal(const torch::Tensor& m) {
  const int64_t n = m.size(0);
  // The trick of the Barlow Twins code: drop the last element, view as (n-1) x (n+1), skip column 0.
  return m.flatten().slice(0, 0, n * n - 1).view({n - 1, n + 1}).slice(1, 1).flatten();
}

double param_double(const nlohmann::json& p, const char* key) {
  if (!p.contains(key) || !p.at(key).is_number())
    throw std::runtime_error(std::string("method parameter '") + key + "' must be a number");
  return p.at(key).get<double>();
}

int64_t param_int(const nlohmann::json& p, const char* key) {
  const double v = param_double(p, key);
  if (v != std::floor(v)) throw std::runtime_error(std::string("method parameter '") + key + "' must be an integer");
  return static_cast<int64_t>(v);
}

torch::Tensor standardise_patches(const torch::Tensor& patches) {
  const std::vector<int64_t> own = {-3, -2, -1};
  auto centred = patches - patches.mean(own, true);
  return centred / (torch::sqrt(centred.pow(2).mean(own, true)) + 1e-5);
}

std::mt19937_64 engine_from_torch_generator() {
  return std::mt19937_64(static_cast<uint64_t>(torch::randint(1LL << 62, {1}, torch::kLong).item<int64_t>()));
}

}  // namespace pretext
