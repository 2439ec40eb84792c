#pragma once
// Measures that show a representation collapsing before the loss does. All take embeddings of two
// views of the same images, z1 and z2 [N, D] (not necessarily normalised).
#include <torch/torch.h>

#include "engine/core/events.h"

namespace pretext {

// Mean over dimensions of the std of L2-normalised embeddings (Chen & He 2021, SimSiam sec. 4.1):
// about 1/sqrt(D) when spread out, 0 when every image maps to one point.
double z_std(const torch::Tensor& z);

// RankMe (Garrido et al. 2023): exp of the entropy of the normalised singular values.
double rankme(const torch::Tensor& z, double eps = 1e-7);

// Wang & Isola (2020): E ||f(x) - f(y)||^alpha over positive pairs; log E exp(-t ||f(x) - f(y)||^2)
// over all pairs of distinct images. Both on L2-normalised embeddings.
double alignment(const torch::Tensor& z1, const torch::Tensor& z2, double alpha = 2);
double uniformity(const torch::Tensor& z, double t = 2);

// Histograms (fractions summing to 1) of cosine similarity for positive pairs (z1_i, z2_i) and
// negative pairs (z1_i, z2_j), i != j, over `bins` equal bins of [-1, 1].
std::vector<float> similarity_histogram(const torch::Tensor& z1, const torch::Tensor& z2, bool positives, int bins = 40);

// Cross-correlation of the batch-standardised embeddings (Barlow Twins eq. 2), first `dims` dims.
torch::Tensor cross_correlation(const torch::Tensor& z1, const torch::Tensor& z2, int64_t dims = 32);

// Everything above in one event.
DiagnosticsEvent diagnose(const torch::Tensor& z1, const torch::Tensor& z2, int64_t run_id, int64_t step);

}  // namespace pretext
