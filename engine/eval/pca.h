#pragma once
#include <torch/torch.h>

namespace pretext {

// Projects rows of x [N,D] onto their top `dims` principal components: [N, dims].
torch::Tensor pca_project(const torch::Tensor& x, int64_t dims = 2);

}  // namespace pretext
