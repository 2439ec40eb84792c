#include "engine/export/table_groups.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/eval/neighbours.h"
#include "engine/methods/vocabulary.h"

namespace pretext {

namespace {
torch::Tensor rows_of(const EmbeddingTable& t) {
  return torch::from_blob(const_cast<float*>(t.values.data()), {int64_t(t.n), int64_t(t.dim)}, torch::kFloat32);
}
}  // namespace

std::vector<int> neighbour_votes(const EmbeddingTable& t, int k, double temperature) {
  std::vector<int> predicted(t.n, -1);
  if (t.labels.size() != t.n || t.n < 2) return predicted;
  int classes = 0;
  for (int l : t.labels) classes = std::max(classes, l + 1);
  const auto bank = rows_of(t);
  const Nearest found = nearest_within(bank, std::min<int64_t>(k + 1, int64_t(t.n)), Closeness::kDot);
  const auto index = found.index.contiguous();
  const auto score = found.score.contiguous();
  const auto* idx = index.data_ptr<int64_t>();
  const auto* sim = score.data_ptr<float>();
  const int64_t width = index.size(1);
  std::vector<double> votes(size_t(std::max(classes, 1)));
  for (size_t row = 0; row < t.n; ++row) {
    if (t.labels[row] < 0) continue;
    std::fill(votes.begin(), votes.end(), 0.0);
    int used = 0;
    for (int64_t j = 0; j < width && used < k; ++j) {
      const auto other = size_t(idx[int64_t(row) * width + j]);
      if (other == row) continue;
      ++used;
      const int label = t.labels[other];
      if (label >= 0) votes[size_t(label)] += std::exp(sim[int64_t(row) * width + j] / temperature);
    }
    predicted[row] = int(std::max_element(votes.begin(), votes.end()) - votes.begin());
  }
  return predicted;
}

std::vector<int> feature_clusters(const EmbeddingTable& t, int k, uint64_t seed) {
  if (t.n == 0) return {};
  const int64_t clusters = std::clamp<int64_t>(k, 1, int64_t(t.n));
  const auto points = rows_of(t);
  const auto codes = nearest_codes(points, kmeans(points, clusters, 100, seed)).contiguous();
  return std::vector<int>(codes.data_ptr<int64_t>(), codes.data_ptr<int64_t>() + t.n);
}

double cluster_purity(const std::vector<int>& clusters, const std::vector<int>& labels) {
  std::map<int, std::map<int, size_t>> counts;  // cluster -> class -> rows
  size_t labelled = 0;
  for (size_t i = 0; i < clusters.size() && i < labels.size(); ++i) {
    if (labels[i] < 0) continue;
    ++counts[clusters[i]][labels[i]];
    ++labelled;
  }
  size_t majority = 0;
  for (const auto& [cluster, by_class] : counts) {
    size_t most = 0;
    for (const auto& [label, n] : by_class) most = std::max(most, n);
    majority += most;
  }
  return labelled ? double(majority) / labelled : 0.0;
}

}  // namespace pretext
