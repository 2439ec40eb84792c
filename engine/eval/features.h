#pragma once
#include <torch/torch.h>

#include <functional>
#include <vector>

#include "engine/augment/batch.h"
#include "engine/core/cancel.h"
#include "engine/data/image_set.h"

namespace pretext {

// What probes embed images with: a method's features(), or a saved backbone's forward().
using Encoder = std::function<torch::Tensor(const torch::Tensor&)>;

// Features of un-augmented images, L2-normalised, on the CPU: [indices.size(), dim]. Polls
// `cancelled` between batches (throws Cancelled).
torch::Tensor extract_features(const Encoder& encode, const ImageSet& set, const std::vector<size_t>& indices,
                               const ChannelStats& stats, const torch::Device& device, int64_t batch = 256,
                               const CancelFn& cancelled = {});

// The dataset labels of the given images as int64 [n] (-1 where the set has none).
torch::Tensor labels_of(const ImageSet& set, const std::vector<size_t>& indices);

}  // namespace pretext
