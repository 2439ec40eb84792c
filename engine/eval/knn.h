#pragma once
#include <torch/torch.h>

#include "engine/eval/features.h"
#include "engine/eval/probes.h"

namespace pretext {

struct KnnResult {
  double accuracy = 0;  // top-1: fraction of queries whose weighted vote is their label
  double top5 = 0;      // fraction whose label is among the five classes with the most votes
  int64_t queries = 0;  // labelled queries
  int64_t bank = 0;     // labelled bank items
  int k = 0;
  double temperature = 0;
};

// Class votes of weighted kNN on L2-normalised features (Wu et al. 2018, InstDisc): each of the k most
// cosine-similar bank items votes for its class with weight exp(sim / T). [M, num_classes]. Memory is
// bounded whatever the bank's size: queries go in blocks, each scanned against the bank in blocks
// with a running top-k, so a million-image bank needs about 256 MB.
torch::Tensor knn_votes(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                        int64_t num_classes, int k, double temperature);

// bank [N,D], bank_labels [N] (int64), query [M,D], query_labels [M]. Unlabelled (-1) rows are ignored.
KnnResult knn_classify(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                       const torch::Tensor& query_labels, int k = 200, double temperature = 0.1);
// The kNN probe as the probes table runs it: knn_classify at options.k and options.temperature.
ProbeEvent knn_probe_event(const ProbeData& data, const ProbeOptions& options, const CancelFn& cancelled);

// Predicted classes only (for callers that need the votes themselves).
torch::Tensor knn_predict(const torch::Tensor& bank, const torch::Tensor& bank_labels, const torch::Tensor& query,
                          int64_t num_classes, int k, double temperature);

// The kNN probe end to end, as the trainer (online and at the end), `eval` and the GUI run it: the
// `query` images of query_set voted by the `bank` images of bank_set, on un-augmented features.
// query_features (when given) receives the query features, for a projection. Throws Cancelled.
KnnResult knn_probe(const Encoder& encode, const ImageSet& bank_set, const std::vector<size_t>& bank,
                    const ImageSet& query_set, const std::vector<size_t>& query, const ChannelStats& stats,
                    const torch::Device& device, int k, double temperature, torch::Tensor* query_features = nullptr,
                    const CancelFn& cancelled = {});

}  // namespace pretext
