#include "engine/eval/projections.h"

#include <stdexcept>

#include "engine/eval/pca.h"
#include "engine/eval/tsne.h"

namespace pretext {
namespace {

using ProjectFn = std::vector<float> (*)(const std::vector<float>&, size_t, size_t, const ProjectionOptions&);

std::vector<float> pca_rows(const std::vector<float>& rows, size_t n, size_t dim, const ProjectionOptions&) {
  const torch::Tensor x =
      torch::from_blob(const_cast<float*>(rows.data()), {int64_t(n), int64_t(dim)}, torch::kFloat32);
  const torch::Tensor p = pca_project(x, 2).contiguous().to(torch::kFloat32);
  return {p.data_ptr<float>(), p.data_ptr<float>() + p.numel()};
}

std::vector<float> tsne_rows(const std::vector<float>& rows, size_t n, size_t dim, const ProjectionOptions& o) {
  TsneOptions t;
  t.seed = o.seed;
  if (o.progress)
    t.progress = [&](int it, int total, double kl) {
      return o.progress(double(it) / total,
                        "iteration " + std::to_string(it) + "/" + std::to_string(total) + ", KL " + std::to_string(kl));
    };
  return tsne(rows, n, dim, t);
}

struct ProjectionEntry {
  ProjectionInfo info;
  ProjectFn project;
};

const std::vector<ProjectionEntry>& entries() {
  static const std::vector<ProjectionEntry> table = {
      {{"pca", "principal components: linear, global structure, instant"}, pca_rows},
      {{"tsne", "t-SNE (van der Maaten and Hinton 2008), perplexity 30: local neighbourhoods, exact, slow past a few thousand points"},
       tsne_rows},
  };
  return table;
}

}  // namespace

const std::vector<ProjectionInfo>& projection_infos() {
  static const std::vector<ProjectionInfo> infos = [] {
    std::vector<ProjectionInfo> out;
    for (const auto& e : entries()) out.push_back(e.info);
    return out;
  }();
  return infos;
}

std::vector<std::string> projection_names() {
  std::vector<std::string> out;
  for (const auto& p : projection_infos()) out.push_back(p.name);
  return out;
}

std::vector<float> project(const std::string& name, const std::vector<float>& rows, size_t n, size_t dim,
                           const ProjectionOptions& options) {
  if (n < 3) throw std::invalid_argument("a projection needs at least 3 points");
  if (rows.size() != n * dim) throw std::invalid_argument("a projection's rows must be n x dim values");
  for (const auto& e : entries())
    if (e.info.name == name) return e.project(rows, n, dim, options);
  std::string offer;
  for (const auto& p : projection_names()) offer += (offer.empty() ? "" : ", ") + p;
  throw std::invalid_argument("unknown projection '" + name + "' (offered: " + offer + ")");
}

}  // namespace pretext
