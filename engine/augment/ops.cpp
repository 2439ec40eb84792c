#include "engine/augment/ops.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace pretext {

CropBox sample_resized_crop(int h, int w, double scale_lo, double scale_hi, double ratio_lo, double ratio_hi,
                            Rng& rng) {
  const double area = double(h) * w;
  const double log_lo = std::log(ratio_lo), log_hi = std::log(ratio_hi);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * rng.uniform(scale_lo, scale_hi);
    const double aspect = std::exp(rng.uniform(log_lo, log_hi));
    const int cw = static_cast<int>(std::lround(std::sqrt(target * aspect)));
    const int ch = static_cast<int>(std::lround(std::sqrt(target / aspect)));
    if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
      const int top = static_cast<int>(rng.integer(0, h - ch));
      const int left = static_cast<int>(rng.integer(0, w - cw));
      return {top, left, ch, cw};
    }
  }
  // Fallback as torchvision: the whole image, clamped to the allowed ratio.
  const double in_ratio = double(w) / h;
  int cw = w, ch = h;
  if (in_ratio < ratio_lo) ch = static_cast<int>(std::lround(w / ratio_lo));
  else if (in_ratio > ratio_hi) cw = static_cast<int>(std::lround(h * ratio_hi));
  return {(h - ch) / 2, (w - cw) / 2, ch, cw};
}

cv::Mat crop_resize(const cv::Mat& img, const CropBox& b, int out_h, int out_w, int interpolation) {
  cv::Mat roi = img(cv::Rect(b.left, b.top, b.width, b.height));
  cv::Mat out;
  cv::resize(roi, out, cv::Size(out_w, out_h), 0, 0, interpolation);
  return out;
}

cv::Mat flip_horizontal(const cv::Mat& img) {
  cv::Mat out;
  cv::flip(img, out, 1);
  return out;
}

cv::Mat flip_vertical(const cv::Mat& img) {
  cv::Mat out;
  cv::flip(img, out, 0);
  return out;
}

cv::Mat to_grayscale(const cv::Mat& rgb) {
  if (rgb.channels() == 1) return rgb.clone();
  cv::Mat out(rgb.size(), rgb.type());
  for (int y = 0; y < rgb.rows; ++y) {
    const uint8_t* s = rgb.ptr<uint8_t>(y);
    uint8_t* d = out.ptr<uint8_t>(y);
    for (int x = 0; x < rgb.cols; ++x, s += 3, d += 3) {
      // PIL's fixed-point form of 0.299/0.587/0.114 with rounding.
      const uint8_t l = static_cast<uint8_t>((s[0] * 19595 + s[1] * 38470 + s[2] * 7471 + 0x8000) >> 16);
      d[0] = d[1] = d[2] = l;
    }
  }
  return out;
}

JitterParams sample_jitter(double b, double c, double s, double h, Rng& rng) {
  JitterParams p;
  // Fisher-Yates, so each of the 24 orders is equally likely.
  for (int i = 3; i > 0; --i) std::swap(p.order[i], p.order[rng.integer(0, i)]);
  if (b > 0) p.brightness = rng.uniform(std::max(0.0, 1 - b), 1 + b);
  if (c > 0) p.contrast = rng.uniform(std::max(0.0, 1 - c), 1 + c);
  if (s > 0) p.saturation = rng.uniform(std::max(0.0, 1 - s), 1 + s);
  if (h > 0) p.hue = rng.uniform(-h, h);
  return p;
}

namespace {

void blend(cv::Mat& f, const cv::Mat& other, double factor) {
  // factor*img + (1-factor)*other, clamped as torchvision's _blend.
  cv::addWeighted(f, factor, other, 1.0 - factor, 0.0, f);
  cv::min(cv::max(f, 0.0), 255.0, f);
}

cv::Mat gray_float(const cv::Mat& f) {
  cv::Mat g;
  if (f.channels() == 1) return f.clone();
  cv::transform(f, g, cv::Matx13f(0.299f, 0.587f, 0.114f));
  return g;
}

}  // namespace

cv::Mat color_jitter(const cv::Mat& img, const JitterParams& p) {
  cv::Mat f;
  img.convertTo(f, CV_32F);
  const bool rgb = f.channels() == 3;
  for (int k : p.order) {
    if (k == 0 && p.brightness != 1) {
      f *= p.brightness;
      cv::min(f, 255.0, f);
    } else if (k == 1 && p.contrast != 1) {
      const double mean = cv::mean(gray_float(f))[0];
      blend(f, cv::Mat(f.size(), f.type(), cv::Scalar::all(mean)), p.contrast);
    } else if (k == 2 && p.saturation != 1 && rgb) {
      cv::Mat g = gray_float(f), g3;
      cv::Mat planes[] = {g, g, g};
      cv::merge(planes, 3, g3);
      blend(f, g3, p.saturation);
    } else if (k == 3 && p.hue != 0 && rgb) {
      cv::Mat hsv;
      cv::Mat unit = f / 255.0;
      cv::cvtColor(unit, hsv, cv::COLOR_RGB2HSV);  // H in [0, 360)
      const float shift = static_cast<float>(p.hue * 360.0);
      for (int y = 0; y < hsv.rows; ++y) {
        auto* px = hsv.ptr<cv::Vec3f>(y);
        for (int x = 0; x < hsv.cols; ++x) {
          float hh = std::fmod(px[x][0] + shift, 360.0f);
          px[x][0] = hh < 0 ? hh + 360.0f : hh;
        }
      }
      cv::cvtColor(hsv, unit, cv::COLOR_HSV2RGB);
      f = unit * 255.0;
    }
  }
  cv::Mat out;
  f.convertTo(out, CV_8U);  // saturating, rounding
  return out;
}

cv::Mat gaussian_blur(const cv::Mat& img, double sigma) {
  // Kernel covers +-3 sigma, at least 3 taps, odd.
  int k = 2 * static_cast<int>(std::ceil(3 * sigma)) + 1;
  k = std::max(3, k);
  cv::Mat out;
  cv::GaussianBlur(img, out, cv::Size(k, k), sigma, sigma, cv::BORDER_REFLECT_101);
  return out;
}

cv::Mat solarize(const cv::Mat& img, int threshold) {
  cv::Mat lut(1, 256, CV_8U);
  for (int v = 0; v < 256; ++v) lut.at<uint8_t>(v) = static_cast<uint8_t>(v >= threshold ? 255 - v : v);
  cv::Mat out;
  cv::LUT(img, lut, out);
  return out;
}

}  // namespace pretext

namespace pretext {

cv::Mat equalize(const cv::Mat& img) {
  const int cn = img.channels();
  std::vector<cv::Mat> planes;
  cv::split(img, planes);
  for (auto& plane : planes) {
    int hist[256] = {0};
    for (int y = 0; y < plane.rows; ++y) {
      const uint8_t* p = plane.ptr<uint8_t>(y);
      for (int x = 0; x < plane.cols; ++x) ++hist[p[x]];
    }
    // PIL: step = (total - count of the last non-empty bin) // 255; identity when step is 0.
    int last = 255;
    while (last > 0 && hist[last] == 0) --last;
    const int total = plane.rows * plane.cols;
    const int step = (total - hist[last]) / 255;
    if (step == 0) continue;
    cv::Mat lut(1, 256, CV_8U);
    int n = step / 2;
    for (int v = 0; v < 256; ++v) {
      lut.at<uint8_t>(v) = static_cast<uint8_t>(std::min(255, n / step));
      n += hist[v];
    }
    cv::LUT(plane, lut, plane);
  }
  cv::Mat out;
  cv::merge(planes, out);
  CV_Assert(out.channels() == cn);
  return out;
}

cv::Mat posterize(const cv::Mat& img, int bits) {
  bits = std::clamp(bits, 0, 8);
  const int mask = ~((1 << (8 - bits)) - 1) & 0xff;
  cv::Mat out;
  cv::bitwise_and(img, cv::Scalar::all(mask), out);
  return out;
}

cv::Mat rotate(const cv::Mat& img, double degrees, int interpolation, int fill) {
  const cv::Point2f centre((img.cols - 1) * 0.5f, (img.rows - 1) * 0.5f);
  const cv::Mat m = cv::getRotationMatrix2D(centre, degrees, 1.0);  // positive = counter-clockwise
  cv::Mat out;
  cv::warpAffine(img, out, m, img.size(), interpolation, cv::BORDER_CONSTANT, cv::Scalar::all(fill));
  return out;
}

cv::Mat rotate90(const cv::Mat& img, int k) {
  k = ((k % 4) + 4) % 4;
  if (k == 0) return img.clone();
  cv::Mat out;
  cv::rotate(img, out, k == 1 ? cv::ROTATE_90_COUNTERCLOCKWISE : k == 2 ? cv::ROTATE_180 : cv::ROTATE_90_CLOCKWISE);
  return out;
}

CropBox sample_erasing(int h, int w, double scale_lo, double scale_hi, double ratio_lo, double ratio_hi, Rng& rng) {
  const double area = double(h) * w;
  const double log_lo = std::log(ratio_lo), log_hi = std::log(ratio_hi);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * rng.uniform(scale_lo, scale_hi);
    const double aspect = std::exp(rng.uniform(log_lo, log_hi));
    const int eh = static_cast<int>(std::lround(std::sqrt(target * aspect)));
    const int ew = static_cast<int>(std::lround(std::sqrt(target / aspect)));
    if (!(eh < h && ew < w) || eh <= 0 || ew <= 0) continue;
    const int top = static_cast<int>(rng.integer(0, h - eh));
    const int left = static_cast<int>(rng.integer(0, w - ew));
    return {top, left, eh, ew};
  }
  return {};
}

cv::Mat erase(const cv::Mat& img, const CropBox& b, int value) {
  cv::Mat out = img.clone();
  if (b.height > 0 && b.width > 0) out(cv::Rect(b.left, b.top, b.width, b.height)).setTo(cv::Scalar::all(value));
  return out;
}

std::vector<uint8_t> sample_patch_mask(int rows, int cols, double ratio, Rng& rng) {
  const int total = rows * cols;
  std::vector<int> order(total);
  for (int i = 0; i < total; ++i) order[i] = i;
  for (int i = total - 1; i > 0; --i) std::swap(order[i], order[rng.integer(0, i)]);
  const int keep = static_cast<int>(total * (1.0 - ratio));
  std::vector<uint8_t> mask(total, 1);
  for (int i = 0; i < keep; ++i) mask[order[i]] = 0;
  return mask;
}

namespace {
// One block of the grid: a share of its patches drawn from [scale_lo, scale_hi] and an aspect
// (rows / cols) from [aspect_lo, aspect_hi], at a uniform place. Sides are at least 1, at most the grid.
cv::Rect sample_grid_block(int rows, int cols, double scale_lo, double scale_hi, double aspect_lo, double aspect_hi,
                           Rng& rng) {
  const double area = rng.uniform(scale_lo, scale_hi) * rows * cols;
  const double aspect = rng.uniform(aspect_lo, aspect_hi);
  const int h = std::clamp(static_cast<int>(std::lround(std::sqrt(area * aspect))), 1, rows);
  const int w = std::clamp(static_cast<int>(std::lround(std::sqrt(area / aspect))), 1, cols);
  const int top = static_cast<int>(rng.integer(0, rows - h));
  const int left = static_cast<int>(rng.integer(0, cols - w));
  return {left, top, w, h};
}
}  // namespace

std::vector<uint8_t> sample_jepa_blocks(int rows, int cols, const JepaBlockSpec& spec, Rng& rng) {
  if (spec.targets < 1 || spec.targets > kMaxJepaTargets)
    throw std::invalid_argument("jepa blocks: 1 to " + std::to_string(kMaxJepaTargets) + " target blocks");
  const int total = rows * cols;
  std::vector<uint8_t> cells(static_cast<size_t>(total), 0);
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::fill(cells.begin(), cells.end(), uint8_t(1));  // outside the context until the context block
    for (int i = 0; i < spec.targets; ++i) {
      const cv::Rect b = sample_grid_block(rows, cols, spec.target_scale_lo, spec.target_scale_hi,
                                           spec.target_aspect_lo, spec.target_aspect_hi, rng);
      for (int r = b.y; r < b.y + b.height; ++r)
        for (int c = b.x; c < b.x + b.width; ++c) cells[size_t(r * cols + c)] |= uint8_t(2u << i);
    }
    const cv::Rect ctx = sample_grid_block(rows, cols, spec.context_scale_lo, spec.context_scale_hi, 1.0, 1.0, rng);
    int context = 0;
    for (int r = ctx.y; r < ctx.y + ctx.height; ++r)
      for (int c = ctx.x; c < ctx.x + ctx.width; ++c) {
        uint8_t& cell = cells[size_t(r * cols + c)];
        if (cell == 1) cell = 0, ++context;  // in the context block and in no target
      }
    if (context >= std::min(spec.min_context, total)) return cells;
  }
  for (auto& cell : cells)
    if (cell == 1) cell = 0;  // the last draw's targets, everything else as context
  return cells;
}

const std::vector<std::vector<uint8_t>>& jigsaw_permutations(int grid, int count) {
  static std::mutex mu;
  static std::map<std::pair<int, int>, std::vector<std::vector<uint8_t>>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& out = cache[{grid, count}];
  if (!out.empty()) return out;
  const int n = grid * grid;
  if (grid < 2 || grid > 8 || count < 1) throw std::invalid_argument("jigsaw: grid must be 2..8 and count >= 1");
  // Candidates: all n! orders when that is small (3x3: 362880) and few picks are wanted, else a
  // fixed random sample of 50000 (the greedy scan costs picks x candidates).
  std::vector<uint8_t> cand;
  std::vector<uint8_t> perm(n);
  for (int i = 0; i < n; ++i) perm[i] = static_cast<uint8_t>(i);
  if (n <= 9 && count <= 100) {
    do cand.insert(cand.end(), perm.begin(), perm.end());
    while (std::next_permutation(perm.begin(), perm.end()));
  } else {
    Rng rng(0x5eedu + static_cast<uint64_t>(n));
    for (int c = 0; c < 50000; ++c) {
      for (int i = n - 1; i > 0; --i) std::swap(perm[i], perm[rng.integer(0, i)]);
      cand.insert(cand.end(), perm.begin(), perm.end());
    }
  }
  const size_t m = cand.size() / n;
  if (static_cast<size_t>(count) > m) throw std::invalid_argument("jigsaw: more permutations asked than exist");
  // Up to 15 tiles pack into one 64-bit word, one nibble each: the Hamming distance is then the
  // number of non-zero nibbles of a XOR, a handful of instructions instead of a loop.
  const bool packed = n <= 15;
  std::vector<uint64_t> words(packed ? m : 0);
  for (size_t i = 0; packed && i < m; ++i) {
    uint64_t w = 0;
    for (int t = 0; t < n; ++t) w |= uint64_t(cand[i * n + t]) << (4 * t);
    words[i] = w;
  }
  std::vector<uint8_t> mind(m, 255);
  size_t pick = static_cast<size_t>(Rng(0x1195a4).integer(0, static_cast<int64_t>(m) - 1));
  for (int k = 0; k < count; ++k) {
    out.emplace_back(&cand[pick * n], &cand[pick * n] + n);
    if (packed) {
      const uint64_t p = words[pick];
      for (size_t i = 0; i < m; ++i) {
        uint64_t x = words[i] ^ p;
        x = (x | (x >> 1) | (x >> 2) | (x >> 3)) & 0x1111111111111111ull;
        // Summing the nibble flags with one multiply: the top nibble collects them (n <= 15 keeps
        // the sum below 16).
        const uint8_t d = static_cast<uint8_t>((x * 0x1111111111111111ull) >> 60);
        mind[i] = std::min(mind[i], d);
      }
    } else {
      for (size_t i = 0; i < m; ++i) {
        uint8_t d = 0;
        for (int t = 0; t < n; ++t) d += cand[i * n + t] != cand[pick * n + t];
        mind[i] = std::min(mind[i], d);
      }
    }
    // The first candidate farthest from every pick so far.
    pick = static_cast<size_t>(std::max_element(mind.begin(), mind.end()) - mind.begin());
  }
  return out;
}

}  // namespace pretext
