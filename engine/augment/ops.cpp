#include "engine/augment/ops.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

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
