#include "engine/augment/preview.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "engine/augment/ops.h"
#include "engine/core/parallel.h"
#include "engine/data/image_mat.h"

namespace pretext {

std::vector<std::vector<View>> preview_views(const ImageSet& set, const std::vector<size_t>& indices,
                                             const Pipeline& pipeline, size_t n_views, uint64_t seed, int64_t epoch,
                                             unsigned threads) {
  std::vector<std::vector<View>> out(indices.size(), std::vector<View>(n_views));
  parallel_for(indices.size() * n_views, [&](size_t t) {
    const size_t r = t / n_views, v = t % n_views;
    out[r][v] = pipeline.apply(image_mat(set, indices[r]), v, seed, static_cast<int64_t>(indices[r]), epoch);
  }, threads);
  return out;
}

namespace {
cv::Mat to_rgb_side(const cv::Mat& img, int side) {
  cv::Mat rgb;
  if (img.channels() == 1) cv::cvtColor(img, rgb, cv::COLOR_GRAY2RGB);
  else rgb = img;
  cv::Mat out;
  cv::resize(rgb, out, cv::Size(side, side), 0, 0, cv::INTER_NEAREST);
  return out;
}

// I-JEPA's target blocks, one colour each (RGB), bright enough on the dimmed outside-context patches.
const cv::Scalar kTargetColours[] = {{255, 150, 0}, {0, 210, 255}, {240, 70, 210}, {130, 235, 60},
                                     {255, 235, 0}, {255, 70, 70}, {235, 235, 235}};

void draw_patch_mask(cv::Mat& out, const PatchMask& mask, double sx, double sy) {
  const int side = out.cols;
  auto cell_rect = [&](int r, int c) {
    return cv::Rect(static_cast<int>(c * mask.patch * sx), static_cast<int>(r * mask.patch * sy),
                    std::max(1, static_cast<int>(mask.patch * sx)), std::max(1, static_cast<int>(mask.patch * sy))) &
           cv::Rect(0, 0, side, out.rows);
  };
  // Hidden patches darkened and tinted, so what the encoder sees (MAE's kept 25 %, I-JEPA's context)
  // stands out; a target block's patches tinted in its colour and the block outlined.
  std::vector<cv::Rect> blocks(static_cast<size_t>(kMaxJepaTargets));
  for (int r = 0; r < mask.rows; ++r)
    for (int c = 0; c < mask.cols; ++c) {
      const auto k = static_cast<size_t>(r * mask.cols + c);
      if (!mask.hidden(k)) continue;
      const uint8_t m = mask.masked[k];
      cv::Mat roi = out(cell_rect(r, c));
      int first_block = -1;
      for (int i = 0; i < kMaxJepaTargets; ++i)
        if (m & (2u << i)) {
          blocks[size_t(i)] |= cell_rect(r, c);
          if (first_block < 0) first_block = i;
        }
      const cv::Scalar tint = first_block < 0 ? cv::Scalar(40, 40, 90) : kTargetColours[first_block] * 0.6;
      cv::addWeighted(roi, first_block < 0 ? 0.25 : 0.55, cv::Mat(roi.size(), roi.type(), tint),
                      first_block < 0 ? 0.75 : 0.45, 0, roi);
    }
  for (int i = 0; i < kMaxJepaTargets; ++i)
    if (!blocks[size_t(i)].empty()) cv::rectangle(out, blocks[size_t(i)], kTargetColours[i], 1);
}
}  // namespace

cv::Mat render_view(const View& v, int side) {
  cv::Mat out = to_rgb_side(v.image, side);
  const double sx = double(side) / v.image.cols, sy = double(side) / v.image.rows;
  if (!v.mask.empty()) draw_patch_mask(out, v.mask, sx, sy);
  for (const auto& t : v.tiles) {
    const cv::Rect r(static_cast<int>(t.placed.x * sx), static_cast<int>(t.placed.y * sy),
                     static_cast<int>(t.placed.width * sx), static_cast<int>(t.placed.height * sy));
    cv::rectangle(out, r, cv::Scalar(255, 200, 0), 1);
    // A dark outline under a light fill: the number reads on light tiles and on dark ones.
    const cv::Point at = r.tl() + cv::Point(2, std::min(r.height - 2, 10));
    const std::string number = std::to_string(t.source_cell);
    cv::putText(out, number, at, cv::FONT_HERSHEY_PLAIN, 0.7, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
    cv::putText(out, number, at, cv::FONT_HERSHEY_PLAIN, 0.7, cv::Scalar(255, 255, 0), 1, cv::LINE_AA);
  }
  return out;
}

cv::Mat preview_grid(const ImageSet& set, const std::vector<size_t>& indices,
                     const std::vector<std::vector<View>>& views, int cell) {
  const int gap = 2;
  const int cols = 1 + static_cast<int>(views.empty() ? 0 : views[0].size());
  const int rows = static_cast<int>(indices.size());
  cv::Mat grid(rows * (cell + gap) + gap, cols * (cell + gap) + gap, CV_8UC3, cv::Scalar(32, 32, 32));
  for (int r = 0; r < rows; ++r) {
    const int y = gap + r * (cell + gap);
    to_rgb_side(image_mat(set, indices[r]), cell).copyTo(grid(cv::Rect(gap, y, cell, cell)));
    for (int v = 0; v + 1 < cols; ++v)
      render_view(views[r][v], cell).copyTo(grid(cv::Rect(gap + (v + 1) * (cell + gap), y, cell, cell)));
  }
  return grid;
}

}  // namespace pretext
