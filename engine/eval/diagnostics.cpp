#include "engine/eval/diagnostics.h"

#include <cmath>

namespace pretext {
namespace {
torch::Tensor l2(const torch::Tensor& z) {
  return torch::nn::functional::normalize(z.to(torch::kFloat64), torch::nn::functional::NormalizeFuncOptions().dim(1));
}
}  // namespace

double z_std(const torch::Tensor& z) {
  torch::NoGradGuard g;
  return l2(z).std(0, /*unbiased=*/true).mean().item<double>();
}

double rankme(const torch::Tensor& z, double eps) {
  torch::NoGradGuard g;
  auto s = torch::linalg_svdvals(z.to(torch::kFloat64));
  auto p = s / (s.sum() + eps) + eps;
  return std::exp(-(p * p.log()).sum().item<double>());
}

double alignment(const torch::Tensor& z1, const torch::Tensor& z2, double alpha) {
  torch::NoGradGuard g;
  return (l2(z1) - l2(z2)).norm(2, 1).pow(alpha).mean().item<double>();
}

double uniformity(const torch::Tensor& z, double t) {
  torch::NoGradGuard g;
  auto zn = l2(z);
  const int64_t n = zn.size(0);
  auto sq = torch::cdist(zn, zn).pow(2);
  auto upper = torch::triu(torch::ones({n, n}, torch::kBool), 1);
  return sq.masked_select(upper).mul(-t).exp().mean().log().item<double>();
}

std::vector<float> similarity_histogram(const torch::Tensor& z1, const torch::Tensor& z2, bool positives, int bins) {
  torch::NoGradGuard g;
  auto sim = torch::mm(l2(z1), l2(z2).t());
  const int64_t n = sim.size(0);
  auto eye = torch::eye(n, torch::kBool);
  auto values = positives ? sim.diagonal() : sim.masked_select(eye.logical_not());
  auto h = torch::histc(values.clamp(-1, 1).to(torch::kFloat32), bins, -1, 1);
  h = h / std::max<int64_t>(1, values.numel());
  return std::vector<float>(h.data_ptr<float>(), h.data_ptr<float>() + bins);
}

torch::Tensor cross_correlation(const torch::Tensor& z1, const torch::Tensor& z2, int64_t dims) {
  torch::NoGradGuard g;
  const int64_t d = std::min<int64_t>(dims, z1.size(1));
  auto a = z1.slice(1, 0, d).to(torch::kFloat64), b = z2.slice(1, 0, d).to(torch::kFloat64);
  a = (a - a.mean(0)) / (a.std(0, false) + 1e-8);
  b = (b - b.mean(0)) / (b.std(0, false) + 1e-8);
  return torch::mm(a.t(), b) / a.size(0);
}

DiagnosticsEvent diagnose(const torch::Tensor& z1, const torch::Tensor& z2, int64_t run_id, int64_t step) {
  DiagnosticsEvent e;
  e.run_id = run_id;
  e.step = step;
  auto a = z1.detach().cpu(), b = z2.detach().cpu();
  e.z_std = z_std(a);
  e.z_std_healthy = 1.0 / std::sqrt(double(a.size(1)));
  e.rankme = rankme(a);
  e.alignment = alignment(a, b);
  e.uniformity = uniformity(a);
  e.positive_hist = similarity_histogram(a, b, true);
  e.negative_hist = similarity_histogram(a, b, false);
  auto c = cross_correlation(a, b).to(torch::kFloat32).contiguous();
  e.corr_dim = static_cast<int>(c.size(0));
  e.cross_corr.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return e;
}

}  // namespace pretext
