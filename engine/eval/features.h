#pragma once
#include <torch/torch.h>

#include <functional>
#include <vector>

#include "engine/augment/batch.h"
#include "engine/data/image_set.h"

namespace pretext {

// Features of un-augmented images, L2-normalised, on the CPU: [indices.size(), dim].
torch::Tensor extract_features(const std::function<torch::Tensor(const torch::Tensor&)>& encode,
                               const ImageSet& set, const std::vector<size_t>& indices, const ChannelStats& stats,
                               const torch::Device& device, int64_t batch = 256);

}  // namespace pretext
