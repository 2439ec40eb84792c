#include "engine/eval/projections.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "engine/eval/pca.h"
#include "engine/eval/neighbours.h"
#include "engine/eval/tsne.h"
#include "engine/eval/umap.h"

namespace pretext {
namespace {

using ProjectFn = std::vector<float> (*)(const std::vector<float>&, size_t, size_t, const ProjectionOptions&);

std::vector<float> pca_rows(const std::vector<float>& rows, size_t n, size_t dim, const ProjectionOptions&) {
  const torch::Tensor x =
      torch::from_blob(const_cast<float*>(rows.data()), {int64_t(n), int64_t(dim)}, torch::kFloat32);
  const torch::Tensor p = pca_project(x, 2).contiguous().to(torch::kFloat32);
  return {p.data_ptr<float>(), p.data_ptr<float>() + p.numel()};
}

// The neighbour search is the first tenth of the progress bar, the layout the rest.
constexpr double kNeighbourShare = 0.1;

bool report(const ProjectionOptions& o, double fraction, const std::string& what) {
  return !o.progress || o.progress(fraction, what);
}

// A parameter's value as given, else its default from the table.
double parameter(const ProjectionOptions& o, const std::string& projection, const std::string& name);

std::string counted(const char* what, int done, int total) {
  return std::string(what) + " " + std::to_string(done) + "/" + std::to_string(total);
}

// Both layouts start from the principal components: a deterministic start that keeps the global
// arrangement (Kobak & Linderman 2021 for t-SNE; umap-learn's init="pca").
std::vector<float> tsne_rows(const std::vector<float>& rows, size_t n, size_t dim, const ProjectionOptions& o) {
  TsneOptions t;
  t.seed = o.seed;
  t.perplexity = parameter(o, "tsne", "perplexity");
  t.iterations = int(parameter(o, "tsne", "iterations"));
  t.exaggeration = parameter(o, "tsne", "exaggeration");
  t.exaggeration_iterations = std::min(t.exaggeration_iterations, t.iterations / 3);  // a third, as 250 of 750
  report(o, 0, "nearest neighbours");
  const NeighbourGraph graph = neighbour_graph(rows, n, dim, tsne_neighbour_count(t.perplexity));
  std::vector<float> init = pca_rows(rows, n, dim, o);
  // openTSNE's rescaling: the first component's standard deviation becomes 1e-4.
  double mean = 0, sq = 0;
  for (size_t i = 0; i < n; ++i) mean += init[2 * i] / double(n);
  for (size_t i = 0; i < n; ++i) sq += (init[2 * i] - mean) * (init[2 * i] - mean) / double(n);
  const double scale = sq > 0 ? 1e-4 / std::sqrt(sq) : 1.0;
  for (auto& v : init) v = float(v * scale);
  if (o.progress)
    t.progress = [&](int it, int total, double kl) {
      return report(o, kNeighbourShare + (1 - kNeighbourShare) * it / total,
                    counted("iteration", it, total) + ", KL " + std::to_string(kl));
    };
  return tsne(graph, init, t);
}

std::vector<float> umap_rows(const std::vector<float>& rows, size_t n, size_t dim, const ProjectionOptions& o) {
  UmapOptions u;
  u.seed = o.seed;
  u.neighbours = size_t(parameter(o, "umap", "neighbours"));
  u.min_dist = parameter(o, "umap", "min_dist");
  u.epochs = int(parameter(o, "umap", "epochs"));
  report(o, 0, "nearest neighbours");
  const NeighbourGraph graph = neighbour_graph(rows, n, dim, u.neighbours - 1);
  if (o.progress)
    u.progress = [&](int epoch, int total) {
      return report(o, kNeighbourShare + (1 - kNeighbourShare) * epoch / total, counted("epoch", epoch, total));
    };
  return umap(graph, pca_rows(rows, n, dim, o), u);
}

struct ProjectionEntry {
  ProjectionInfo info;
  ProjectFn project;
};

const std::vector<ProjectionEntry>& entries() {
  static const std::vector<ProjectionEntry> table = {
      {{"pca", "principal components: linear, global structure, instant", {}}, pca_rows},
      {{"tsne",
        "t-SNE (van der Maaten and Hinton 2008), Barnes-Hut or FFT-accelerated: local neighbourhoods",
        {{"perplexity", "effective number of neighbours each point attends to (30: openTSNE, scikit-learn)", 30, 2,
          100, false},
         {"iterations", "gradient steps in all, the first third exaggerated (750: openTSNE's 250 + 500)", 750, 50,
          5000, true},
         {"exaggeration", "early exaggeration: how hard clusters are pulled together at first (12: openTSNE)", 12,
          1, 50, false}}},
       tsne_rows},
      {{"umap",
        "UMAP (McInnes et al. 2018): local neighbourhoods, more global layout",
        {{"neighbours", "size of the neighbourhood, the point itself included (umap-learn's n_neighbors, 15)", 15,
          2, 200, true},
         {"min_dist", "how tightly points may pack in the map (umap-learn's 0.1)", 0.1, 0, 0.99, false},
         {"epochs", "layout epochs; 0: umap-learn's choice (500 up to 10,000 points, else 200)", 0, 0, 5000,
          true}}},
       umap_rows},
  };
  return table;
}

const ProjectionInfo& info_of(const std::string& name) {
  for (const auto& e : entries())
    if (e.info.name == name) return e.info;
  std::string offer;
  for (const auto& e : entries()) offer += (offer.empty() ? "" : ", ") + e.info.name;
  throw std::invalid_argument("unknown projection '" + name + "' (offered: " + offer + ")");
}

double parameter(const ProjectionOptions& o, const std::string& projection, const std::string& name) {
  const auto given = o.parameters.find(name);
  if (given != o.parameters.end()) return given->second;
  for (const auto& p : info_of(projection).parameters)
    if (p.name == name) return p.value;
  throw std::logic_error("projection " + projection + " has no parameter " + name);
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

void check_projection_parameters(const std::string& name, const ProjectionParameters& parameters) {
  const ProjectionInfo& info = info_of(name);
  for (const auto& [key, value] : parameters) {
    const auto p = std::find_if(info.parameters.begin(), info.parameters.end(),
                                [&key = key](const ProjectionParameter& q) { return q.name == key; });
    if (p == info.parameters.end()) {
      std::string takes;
      for (const auto& q : info.parameters) takes += (takes.empty() ? "" : ", ") + q.name;
      throw std::invalid_argument(name + " has no parameter '" + key + "' (it takes " +
                                  (takes.empty() ? std::string("none") : takes) + ")");
    }
    if (!(value >= p->min && value <= p->max) || (p->integer && value != std::round(value)))
      throw std::invalid_argument(name + ": " + key + " must be " + (p->integer ? "a whole number " : "") + "in [" +
                                  number(p->min) + ", " + number(p->max) + "], got " + number(value));
  }
}

std::string projection_label(const std::string& name, const ProjectionParameters& parameters) {
  check_projection_parameters(name, parameters);
  std::string changed;
  for (const auto& p : info_of(name).parameters) {
    const auto given = parameters.find(p.name);
    if (given == parameters.end() || given->second == p.value) continue;
    changed += (changed.empty() ? "" : ",") + p.name + "=" + number(given->second);
  }
  return changed.empty() ? name : name + "(" + changed + ")";
}

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

std::vector<float> aligned_to(const std::vector<float>& reference, const std::vector<float>& layout) {
  if (reference.size() != layout.size() || layout.size() % 2 != 0 || layout.empty())
    throw std::invalid_argument("aligned_to: two layouts of the same n x 2 points");
  const auto n = int64_t(layout.size() / 2);
  auto as_rows = [n](const std::vector<float>& v) {
    return torch::from_blob(const_cast<float*>(v.data()), {n, 2}, torch::kFloat32).to(torch::kDouble);
  };
  const torch::Tensor y = as_rows(reference), x = as_rows(layout);
  const torch::Tensor ym = y.mean(0), xm = x.mean(0), yc = y - ym, xc = x - xm;
  // x_c R s + y_mean with R = U V^T from the SVD of x_c^T y_c, s = trace(S) / |x_c|^2.
  const auto [u, sv, vt] = torch::linalg_svd(xc.t().mm(yc), /*full_matrices=*/false);
  const double norm = xc.pow(2).sum().item<double>();
  const double scale = norm > 0 ? sv.sum().item<double>() / norm : 1.0;
  const torch::Tensor out = (xc.mm(u.mm(vt)) * scale + ym).to(torch::kFloat32).contiguous();
  return {out.data_ptr<float>(), out.data_ptr<float>() + out.numel()};
}

std::vector<float> project(const std::string& name, const std::vector<float>& rows, size_t n, size_t dim,
                           const ProjectionOptions& options) {
  if (n < 3) throw std::invalid_argument("a projection needs at least 3 points");
  if (rows.size() != n * dim) throw std::invalid_argument("a projection's rows must be n x dim values");
  check_projection_parameters(name, options.parameters);
  for (const auto& e : entries())
    if (e.info.name == name) return e.project(rows, n, dim, options);
  throw std::logic_error("projection table out of step");  // info_of found it above
}

}  // namespace pretext
