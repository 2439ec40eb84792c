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
