#pragma once
// Where a view's pixels came from, and what a pipeline's crops ask the network to be invariant to
// before any training: the share of the image each view keeps, and how much two views of one image
// overlap (IoU). Small overlaps make the positive pair hard; the SimCLR paper (Chen et al. 2020,
// fig. 3) credits exactly this "global-to-local and adjacent views" prediction for its results.
#include <optional>
#include <vector>

#include "engine/augment/ops.h"
#include "engine/augment/pipeline.h"
#include "engine/data/image_set.h"

namespace pretext {

// The box a view was cropped from, in its source image's pixels: the first random_resized_crop of its
// trace, when no flip or rotation applied before it moved the pixels (the box would not be in source
// coordinates). Empty when the view has no such crop.
std::optional<CropBox> crop_of(const View& view);

// Intersection over union of two boxes in the same image.
double box_iou(const CropBox& a, const CropBox& b);

// Many draws of a pipeline's first two views (the positive pair) over a dataset's images (draw d uses image d modulo the
// set, epoch d / size, as training would): each view's crop area as a share of its image, and the IoU of
// the two views' crops where both have one.
struct CropDistribution {
  size_t draws = 0;
  std::vector<std::vector<double>> scale;  // [view 0, view 1][draw]; a view without a crop left empty
  std::vector<double> iou;                 // one per draw whose views 1 and 2 both have a crop
};
CropDistribution sample_crop_distribution(const ImageSet& set, const Pipeline& pipeline, size_t draws,
                                          uint64_t seed, unsigned threads = 0);

// Equal-width bins of [lo, hi] holding each value's share of the total (values outside are clamped in).
std::vector<double> share_histogram(const std::vector<double>& values, double lo, double hi, int bins);

}  // namespace pretext
