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

// One training batch: the views and what the augmentation drew for the pretext task. Methods take
// the whole batch, so a task whose targets come from the augmentation (rotations, tiles, masks) reads
// them here.
struct Batch {
  int64_t step = 0, epoch = 0;
  std::vector<size_t> indices;             // into the ImageSet
  std::vector<torch::Tensor> views;        // views[v]: float [B, C, H, W], normalised, on the device
  torch::Tensor labels;                    // int64 [B], dataset labels (-1 = none), on the CPU; for
                                           // probes and tests, never for a self-supervised loss
  std::vector<torch::Tensor> targets;      // per view: int64 [B] pretext labels (rotation class,
                                           // jigsaw permutation), undefined when the view has none
  std::vector<torch::Tensor> masks;        // per view: uint8 [B, rows*cols], the view's PatchMask
                                           // bytes (bit 0 = hidden; I-JEPA: bit 1 + i = target block
                                           // i), undefined when the view has none
};

// A batch of views alone (no pretext targets): tests and fixed batches.
Batch batch_of_views(std::vector<torch::Tensor> views);

// One batch built synchronously: the loader's unit of work, also usable on its own.
Batch make_batch(const ImageSet& set, const std::vector<size_t>& indices, const Pipeline& pipeline, size_t n_views,
                 uint64_t seed, int64_t epoch, const ChannelStats& stats, unsigned threads = 1);

// All views of a batch: result[v] is the tensor of view v for every index.
std::vector<torch::Tensor> augment_batch(const ImageSet& set, const std::vector<size_t>& indices,
                                         const Pipeline& pipeline, size_t n_views, uint64_t seed, int64_t epoch,
                                         const ChannelStats& stats);

}  // namespace pretext
