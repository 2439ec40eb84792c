#include "engine/eval/knn.h"

#include <algorithm>

namespace pretext {
namespace {

// 512 queries x 65,536 bank items of float similarities: 128 MB a block.
constexpr int64_t kQueryBlock = 512;
constexpr int64_t kBankBlock = 65536;

}  // namespace

torch::Tensor knn_votes(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                        int64_t num_classes, int k, double temperature) {
  torch::NoGradGuard no_grad;
  const int64_t kk = std::min<int64_t>(k, bank.size(0));
  std::vector<torch::Tensor> out;
  for (int64_t s = 0; s < query.size(0); s += kQueryBlock) {
    const auto q = query.slice(0, s, std::min(query.size(0), s + kQueryBlock));
    torch::Tensor best_sim, best_idx;  // the running top-k over the bank blocks seen so far
    for (int64_t b = 0; b < bank.size(0); b += kBankBlock) {
      const int64_t end = std::min(bank.size(0), b + kBankBlock);
      auto [sim, idx] = torch::mm(q, bank.slice(0, b, end).t()).topk(std::min<int64_t>(kk, end - b), 1);
      idx += b;
      if (best_sim.defined()) {
        sim = torch::cat({best_sim, sim}, 1);
        idx = torch::cat({best_idx, idx}, 1);
      }
      auto [top, pos] = sim.topk(std::min<int64_t>(kk, sim.size(1)), 1);
      best_sim = top;
      best_idx = idx.gather(1, pos);
    }
    const auto labels = bank_labels.index_select(0, best_idx.flatten()).view_as(best_idx);
    auto votes = torch::zeros({q.size(0), num_classes}, q.options());
    votes.scatter_add_(1, labels, (best_sim / temperature).exp());
    out.push_back(votes);
  }
  return torch::cat(out);
}

torch::Tensor knn_predict(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                          int64_t num_classes, int k, double temperature) {
  return knn_votes(bank, bank_labels, query, num_classes, k, temperature).argmax(1);
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
