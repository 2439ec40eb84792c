#pragma once
// A visual vocabulary without an external tokenizer: k-means centroids of image patches, the targets
// of masked patch prediction. BEiT (Bao et al. 2022) takes its visual tokens from a pretrained dVAE;
// ViT's masked patch prediction (Dosovitskiy et al. 2021, appendix B.1.2) quantised each patch's mean
// colour into 512 classes. Clustering the dataset's own patches sits between the two: no network to
// download, and codes that carry colour, brightness and edges.
#include <torch/torch.h>

#include <cstdint>

namespace pretext {

// [N, C, H, W] -> [N, L, p*p*C]: patches row-major over the grid, pixels (row, col, channel) inside;
// the order of ViT's patchify, so code i is patch i of the ViT's sequence. A remainder of fewer than
// `patch` pixels at the bottom/right is dropped, as the ViT's patch embedding drops it.
torch::Tensor image_patches(const torch::Tensor& images, int64_t patch);

// The inverse of image_patches: [N, rows * cols, p*p*C] -> [N, C, rows * p, cols * p].
torch::Tensor patches_to_images(const torch::Tensor& patches, int64_t patch, int64_t rows, int64_t cols, int64_t channels);

// Index of the nearest centroid (Euclidean) of every row: points [M, D], centroids [K, D] -> int64 [M].
torch::Tensor nearest_codes(const torch::Tensor& points, const torch::Tensor& centroids);

// k centroids [k, D] of points [M, D] (float, CPU): k-means++ seeding (Arthur & Vassilvitskii 2007),
// then Lloyd iterations until no point changes cluster or `iterations` ran. A cluster left empty is
// re-seeded with the point farthest from its centroid. Deterministic for a seed. Needs M >= k.
torch::Tensor kmeans(const torch::Tensor& points, int64_t k, int64_t iterations, uint64_t seed);

// The vocabulary of a set of images: up to `max_patches` of their patches, drawn evenly at random
// with the seed, clustered into k codes. images [N, C, H, W], normalised as the views are.
torch::Tensor patch_vocabulary(const torch::Tensor& images, int64_t patch, int64_t k, int64_t max_patches,
                               uint64_t seed);

}  // namespace pretext
