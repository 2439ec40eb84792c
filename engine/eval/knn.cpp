#include "engine/eval/knn.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/eval/neighbours.h"

namespace pretext {

torch::Tensor knn_votes(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                        int64_t num_classes, int k, double temperature) {
  torch::NoGradGuard no_grad;
  // Queries in blocks too, so that their neighbour lists ([block, k]) stay small whatever M is.
  constexpr int64_t kQueries = 4096;
  std::vector<torch::Tensor> out;
  for (int64_t s = 0; s < query.size(0); s += kQueries) {
    const auto q = query.slice(0, s, std::min(query.size(0), s + kQueries));
    const Nearest found = nearest(q, bank, k, Closeness::kDot);
    const auto labels = bank_labels.index_select(0, found.index.flatten()).view_as(found.index);
    auto votes = torch::zeros({q.size(0), num_classes}, q.options());
    votes.scatter_add_(1, labels, (found.score / temperature).exp());
    out.push_back(votes);
  }
  return out.empty() ? torch::zeros({0, num_classes}, query.options()) : torch::cat(out);
}

torch::Tensor knn_predict(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                          int64_t num_classes, int k, double temperature) {
  return knn_votes(bank, bank_labels, query, num_classes, k, temperature).argmax(1);
}

ProbeEvent knn_probe_event(const ProbeData& d, const ProbeOptions& options, const CancelFn&) {
  const KnnResult r = knn_classify(d.bank, d.bank_labels, d.query, d.query_labels, options.k, options.temperature);
  ProbeEvent e;
  e.kind = "knn";
  e.accuracy = r.accuracy;
  e.queries = r.queries;
  e.k = r.k;
  e.top5 = r.top5;
  e.bank = r.bank;
  e.params = nlohmann::json({{"k", r.k}, {"t", r.temperature}}).dump();
  return e;
}

KnnResult knn_classify(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                       const torch::Tensor& query_labels, int k, double temperature) {
  auto bmask = bank_labels >= 0;
  auto qmask = query_labels >= 0;
  auto b = bank.index({bmask}), bl = bank_labels.index({bmask}).to(torch::kLong);
  auto q = query.index({qmask}), ql = query_labels.index({qmask}).to(torch::kLong);
  KnnResult r;
  r.k = k;
  r.temperature = temperature;
  r.queries = q.size(0);
  r.bank = b.size(0);
  if (b.size(0) == 0 || q.size(0) == 0) return r;
  const int64_t classes = std::max(bl.max().item<int64_t>(), ql.max().item<int64_t>()) + 1;
  const auto votes = knn_votes(b, bl, q, classes, k, temperature);
  r.accuracy = votes.argmax(1).eq(ql).to(torch::kDouble).mean().item<double>();
  // Only classes with votes count: with fewer than five voted, the rest of the five are ties at zero
  // whose order is torch's, not the data's.
  const auto [top_votes, top] = votes.topk(std::min<int64_t>(5, classes), 1);
  r.top5 = (top.eq(ql.unsqueeze(1)) & top_votes.gt(0)).any(1).to(torch::kDouble).mean().item<double>();
  return r;
}

KnnResult knn_probe(const Encoder& encode, const ImageSet& bank_set, const std::vector<size_t>& bank,
                    const ImageSet& query_set, const std::vector<size_t>& query, const ChannelStats& stats,
                    const torch::Device& device, int k, double temperature, torch::Tensor* query_features,
                    const CancelFn& cancelled) {
  const auto b = extract_features(encode, bank_set, bank, stats, device, 256, cancelled);
  const auto q = extract_features(encode, query_set, query, stats, device, 256, cancelled);
  if (query_features) *query_features = q;
  return knn_classify(b, labels_of(bank_set, bank), q, labels_of(query_set, query), k, temperature);
}

}  // namespace pretext
