#include "engine/eval/features.h"

namespace pretext {

torch::Tensor extract_features(const Encoder& encode, const ImageSet& set, const std::vector<size_t>& indices,
                               const ChannelStats& stats, const torch::Device& device, int64_t batch,
                               const CancelFn& cancelled) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (size_t start = 0; start < indices.size(); start += static_cast<size_t>(batch)) {
    throw_if_cancelled(cancelled);
    const size_t end = std::min(indices.size(), start + static_cast<size_t>(batch));
    std::vector<size_t> chunk(indices.begin() + start, indices.begin() + end);
    auto x = dataset_tensor(set, chunk, stats).to(device);
    parts.push_back(encode(x).to(torch::kCPU, torch::kFloat32));
  }
  auto f = torch::cat(parts, 0);
  return torch::nn::functional::normalize(f, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

torch::Tensor labels_of(const ImageSet& set, const std::vector<size_t>& indices) {
  std::vector<int64_t> l;
  l.reserve(indices.size());
  for (size_t i : indices) l.push_back(set.labels.empty() ? -1 : set.labels[i]);
  return torch::tensor(l, torch::kLong);
}

}  // namespace pretext
