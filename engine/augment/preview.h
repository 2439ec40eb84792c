#pragma once
// The studio's grid without Qt: rows = images, columns = the original and its views, each view drawn
// with what the trainer sees plus its MAE mask (masked patches shaded) and jigsaw tile borders.
// `pretext-cli preview` writes it to a PNG; the GUI may use the same views and overlays.
#include <opencv2/core.hpp>
#include <vector>

#include "engine/augment/pipeline.h"
#include "engine/data/image_set.h"

namespace pretext {

// All views of the given images: result[row][v], computed in parallel, deterministic as training.
std::vector<std::vector<View>> preview_views(const ImageSet& set, const std::vector<size_t>& indices,
                                             const Pipeline& pipeline, size_t n_views, uint64_t seed,
                                             int64_t epoch = 0, unsigned threads = 0);

// An RGB copy of v.image scaled (nearest) to side x side, with the mask and tiles drawn on it.
cv::Mat render_view(const View& v, int side);

// RGB grid image: one row per image, first column the original, then the views; `cell` pixels each.
cv::Mat preview_grid(const ImageSet& set, const std::vector<size_t>& indices,
                     const std::vector<std::vector<View>>& views, int cell);

}  // namespace pretext
