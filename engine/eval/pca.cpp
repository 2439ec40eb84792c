#include "engine/eval/pca.h"

namespace pretext {

torch::Tensor pca_project(const torch::Tensor& x, int64_t dims) {
  torch::NoGradGuard no_grad;
  auto xc = x.to(torch::kFloat64);
  xc = xc - xc.mean(0, true);
  // Eigen-decomposition of the D x D covariance: cheap for the feature sizes we have (D <= 2048).
  auto cov = torch::mm(xc.t(), xc) / std::max<int64_t>(1, x.size(0) - 1);
  auto [evals, evecs] = torch::linalg_eigh(cov);
  auto top = evecs.flip({1}).slice(1, 0, dims);
  // Fix each component's sign (largest loading positive) so plots do not flip between runs.
  auto idx = top.abs().argmax(0);
  auto signs = top.gather(0, idx.unsqueeze(0)).sign();
  signs.masked_fill_(signs.eq(0), 1);
  return torch::mm(xc, top * signs).to(torch::kFloat32);
}

}  // namespace pretext
