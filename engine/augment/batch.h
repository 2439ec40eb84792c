#pragma once
// Builds training tensors from augmented views: the only place where augmentation meets LibTorch.
#include <torch/torch.h>

#include <vector>

#include "engine/augment/pipeline.h"
#include "engine/data/image_mat.h"
#include "engine/data/image_set.h"

namespace pretext {

struct ChannelStats {
  std::vector<double> mean, std;  // in [0,1] units, one per channel
};
ChannelStats channel_stats(const ImageSet& set, size_t max_images = 5000);

// uint8 HWC images of one size -> float NCHW, normalised.
torch::Tensor images_to_tensor(const std::vector<cv::Mat>& images, const ChannelStats& stats);

// Dataset images without augmentation (for feature extraction).
torch::Tensor dataset_tensor(const ImageSet& set, const std::vector<size_t>& indices, const ChannelStats& stats);

// All views of a batch: result[v] is the tensor of view v for every index.
std::vector<torch::Tensor> augment_batch(const ImageSet& set, const std::vector<size_t>& indices,
                                         const Pipeline& pipeline, size_t n_views, uint64_t seed, int64_t epoch,
                                         const ChannelStats& stats);

}  // namespace pretext
