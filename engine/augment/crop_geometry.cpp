#include "engine/augment/crop_geometry.h"

#include <algorithm>
#include <array>
#include <string>

#include "engine/core/parallel.h"
#include "engine/data/image_mat.h"

namespace pretext {

namespace {
// Ops that move pixels: a crop traced after one of them is not a box of the source image.
bool moves_pixels(const std::string& op) {
  return op == "hflip" || op == "vflip" || op == "rotation" || op == "rot90" || op == "jigsaw";
}

double value_of(const OpTrace& t, const std::string& key) {
  for (const auto& [k, v] : t.values)
    if (k == key) return v;
  return 0;
}
}  // namespace

std::optional<CropBox> crop_of(const View& view) {
  for (const OpTrace& t : view.trace) {
    if (t.op == "random_resized_crop") {
      CropBox b;
      b.top = static_cast<int>(value_of(t, "top"));
      b.left = static_cast<int>(value_of(t, "left"));
      b.height = static_cast<int>(value_of(t, "height"));
      b.width = static_cast<int>(value_of(t, "width"));
      return b;
    }
    if (t.applied && moves_pixels(t.op)) return std::nullopt;
  }
  return std::nullopt;
}

double box_iou(const CropBox& a, const CropBox& b) {
  const int top = std::max(a.top, b.top), left = std::max(a.left, b.left);
  const int bottom = std::min(a.top + a.height, b.top + b.height), right = std::min(a.left + a.width, b.left + b.width);
  const double inter = double(std::max(0, bottom - top)) * std::max(0, right - left);
  const double uni = double(a.height) * a.width + double(b.height) * b.width - inter;
  return uni > 0 ? inter / uni : 0.0;
}

CropDistribution sample_crop_distribution(const ImageSet& set, const Pipeline& pipeline, size_t draws, uint64_t seed,
                                          unsigned threads) {
  CropDistribution out;
  if (set.size() == 0 || draws == 0) return out;
  constexpr size_t kViews = 2;  // the positive pair; a one-spec pipeline makes both from its spec
  std::vector<std::array<std::optional<CropBox>, kViews>> boxes(draws);
  std::vector<double> area(draws);
  parallel_for(
      draws,
      [&](size_t d) {
        const size_t index = d % set.size();
        const cv::Mat image = image_mat(set, index);
        area[d] = double(image.rows) * image.cols;
        for (size_t v = 0; v < kViews; ++v)
          boxes[d][v] = crop_of(pipeline.apply(image, v, seed, int64_t(index), int64_t(d / set.size())));
      },
      threads);
  out.draws = draws;
  out.scale.resize(kViews);
  for (size_t d = 0; d < draws; ++d) {
    for (size_t v = 0; v < kViews; ++v)
      if (boxes[d][v] && area[d] > 0) out.scale[v].push_back(double(boxes[d][v]->height) * boxes[d][v]->width / area[d]);
    if (boxes[d][0] && boxes[d][1]) out.iou.push_back(box_iou(*boxes[d][0], *boxes[d][1]));
  }
  return out;
}

std::vector<double> share_histogram(const std::vector<double>& values, double lo, double hi, int bins) {
  std::vector<double> h(static_cast<size_t>(std::max(bins, 1)), 0.0);
  if (values.empty() || hi <= lo) return h;
  for (double v : values) {
    const int b = static_cast<int>((v - lo) / (hi - lo) * h.size());
    h[static_cast<size_t>(std::clamp(b, 0, int(h.size()) - 1))] += 1.0 / values.size();
  }
  return h;
}

}  // namespace pretext
