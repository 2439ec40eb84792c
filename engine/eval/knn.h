#pragma once
#include <torch/torch.h>

namespace pretext {

struct KnnResult {
  double accuracy = 0;  // fraction of queries whose weighted vote is their label
  int64_t queries = 0;
  int k = 0;
};

// Weighted kNN on L2-normalised features (Wu et al. 2018, InstDisc): each of the k most
// cosine-similar bank items votes for its class with weight exp(sim / T).
// bank [N,D], bank_labels [N] (int64), query [M,D], query_labels [M]. Unlabelled (-1) rows are ignored.
KnnResult knn_classify(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                       const torch::Tensor& query_labels, int k = 200, double temperature = 0.1);

// Predicted classes only (for callers that need the votes themselves).
torch::Tensor knn_predict(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                          int64_t num_classes, int k, double temperature);

}  // namespace pretext

#include "engine/eval/features.h"

namespace pretext {

// The kNN probe end to end, as the trainer (online and at the end), `eval` and the GUI run it: the
// `query` images of query_set voted by the `bank` images of bank_set, on un-augmented features.
// query_features (when given) receives the query features, for a projection. Throws Cancelled.
KnnResult knn_probe(const Encoder& encode, const ImageSet& bank_set, const std::vector<size_t>& bank,
                    const ImageSet& query_set, const std::vector<size_t>& query, const ChannelStats& stats,
                    const torch::Device& device, int k, double temperature, torch::Tensor* query_features = nullptr,
                    const CancelFn& cancelled = {});

}  // namespace pretext
