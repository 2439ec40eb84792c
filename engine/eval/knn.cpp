#include "engine/eval/knn.h"

namespace pretext {

torch::Tensor knn_predict(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                          int64_t num_classes, int k, double temperature) {
  torch::NoGradGuard no_grad;
  const int64_t kk = std::min<int64_t>(k, bank.size(0));
  std::vector<torch::Tensor> preds;
  // Chunks keep the similarity matrix small for 50k-image banks.
  const int64_t chunk = 1024;
  for (int64_t s = 0; s < query.size(0); s += chunk) {
    auto q = query.slice(0, s, std::min(query.size(0), s + chunk));
    auto sim = torch::mm(q, bank.t());
    auto [top_sim, top_idx] = sim.topk(kk, 1);
    auto top_labels = bank_labels.index_select(0, top_idx.flatten()).view_as(top_idx);
    auto weights = (top_sim / temperature).exp();
    auto votes = torch::zeros({q.size(0), num_classes}, q.options());
    votes.scatter_add_(1, top_labels, weights);
    preds.push_back(votes.argmax(1));
  }
  return torch::cat(preds);
}

KnnResult knn_classify(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                       const torch::Tensor& query_labels, int k, double temperature) {
  auto bmask = bank_labels >= 0;
  auto qmask = query_labels >= 0;
  auto b = bank.index({bmask}), bl = bank_labels.index({bmask}).to(torch::kLong);
  auto q = query.index({qmask}), ql = query_labels.index({qmask}).to(torch::kLong);
  KnnResult r;
  r.k = k;
  r.queries = q.size(0);
  if (b.size(0) == 0 || q.size(0) == 0) return r;
  const int64_t classes = std::max(bl.max().item<int64_t>(), ql.max().item<int64_t>()) + 1;
  auto pred = knn_predict(b, bl, q, classes, k, temperature);
  r.accuracy = pred.eq(ql).to(torch::kDouble).mean().item<double>();
  return r;
}

}  // namespace pretext

namespace pretext {

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
