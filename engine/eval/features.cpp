#include "engine/eval/features.h"

namespace pretext {

torch::Tensor extract_features(const std::function<torch::Tensor(const torch::Tensor&)>& encode,
                               const ImageSet& set, const std::vector<size_t>& indices, const ChannelStats& stats,
                               const torch::Device& device, int64_t batch) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (size_t start = 0; start < indices.size(); start += static_cast<size_t>(batch)) {
    const size_t end = std::min(indices.size(), start + static_cast<size_t>(batch));
    std::vector<size_t> chunk(indices.begin() + start, indices.begin() + end);
    auto x = dataset_tensor(set, chunk, stats).to(device);
    parts.push_back(encode(x).to(torch::kCPU, torch::kFloat32));
  }
  auto f = torch::cat(parts, 0);
  return torch::nn::functional::normalize(f, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

}  // namespace pretext
