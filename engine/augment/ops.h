#pragma once
// Image operations on 8-bit HWC images (1 or 3 channels), following torchvision's semantics so that
// published recipes mean the same thing here. Each random op draws only from the Rng it is given.
#include <opencv2/core.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/seed.h"

namespace pretext {

struct OpTrace {
  std::string op;
  bool applied = false;
  std::vector<std::pair<std::string, double>> values;  // what was sampled
};

struct CropBox {
  int top = 0, left = 0, height = 0, width = 0;
};

// torchvision.transforms.RandomResizedCrop.get_params: ten tries, then a centre crop.
CropBox sample_resized_crop(int h, int w, double scale_lo, double scale_hi, double ratio_lo, double ratio_hi, Rng& rng);
cv::Mat crop_resize(const cv::Mat& img, const CropBox& box, int out_h, int out_w, int interpolation);

cv::Mat flip_horizontal(const cv::Mat& img);
cv::Mat flip_vertical(const cv::Mat& img);

// PIL's "L" conversion (ITU-R 601-2 luma): L = R*299/1000 + G*587/1000 + B*114/1000, rounded as PIL.
cv::Mat to_grayscale(const cv::Mat& rgb);  // keeps the channel count (grey replicated)

// Colour jitter factors as torchvision samples them; order is a permutation of {0:b, 1:c, 2:s, 3:h}.
struct JitterParams {
  double brightness = 1, contrast = 1, saturation = 1, hue = 0;
  int order[4] = {0, 1, 2, 3};
};
JitterParams sample_jitter(double b, double c, double s, double h, Rng& rng);
cv::Mat color_jitter(const cv::Mat& img, const JitterParams& p);

cv::Mat gaussian_blur(const cv::Mat& img, double sigma);
cv::Mat solarize(const cv::Mat& img, int threshold);  // v >= threshold -> 255 - v

// PIL ImageOps.equalize, per channel: the same lookup table PIL builds, so results match bit for bit.
cv::Mat equalize(const cv::Mat& img);
// Keeps the top `bits` bits of every channel value (PIL ImageOps.posterize).
cv::Mat posterize(const cv::Mat& img, int bits);

// torchvision.transforms.functional.rotate: counter-clockwise degrees about the image centre
// ((w-1)/2, (h-1)/2), same size (expand=False), uncovered pixels set to `fill`.
cv::Mat rotate(const cv::Mat& img, double degrees, int interpolation, int fill = 0);
// Exact quarter turns counter-clockwise (RotNet's four classes): k in {0,1,2,3}.
cv::Mat rotate90(const cv::Mat& img, int k);

// torchvision.transforms.RandomErasing.get_params: ten tries at an area in `scale` (of the image) and
// a log-uniform aspect in `ratio`; height 0 when no try fits (the image is left unchanged).
CropBox sample_erasing(int h, int w, double scale_lo, double scale_hi, double ratio_lo, double ratio_hi, Rng& rng);
cv::Mat erase(const cv::Mat& img, const CropBox& box, int value);

// MAE random masking (He et al. 2021): a shuffle of the patch grid keeps the first
// int(L * (1 - ratio)) patches. Result: one byte per patch in row-major order, 1 = masked.
std::vector<uint8_t> sample_patch_mask(int rows, int cols, double ratio, Rng& rng);

// I-JEPA's multi-block sampler (Assran et al. 2023, sec. 3; the authors' MaskCollator): `targets`
// blocks, each of a share of the grid drawn from target_scale and an aspect (rows / cols) drawn from
// target_aspect, then one context block of a share drawn from context_scale at aspect 1, less every
// target patch (the context must not see what it predicts). Block sides are rounded from the drawn
// area and clamped to the grid. When fewer than min_context patches remain, the whole draw is
// repeated (up to 20 times); the last one then keeps every patch outside the targets. One byte per
// patch, row-major: bit 0 set = outside the context, bit 1 + i set = inside target block i.
struct JepaBlockSpec {
  int targets = 4;
  double target_scale_lo = 0.15, target_scale_hi = 0.2;
  double target_aspect_lo = 0.75, target_aspect_hi = 1.5;
  double context_scale_lo = 0.85, context_scale_hi = 1.0;
  int min_context = 4;
};
constexpr int kMaxJepaTargets = 7;  // bits 1..7 of a byte
std::vector<uint8_t> sample_jepa_blocks(int rows, int cols, const JepaBlockSpec& spec, Rng& rng);

// Jigsaw permutation set (Noroozi & Favaro 2016): `count` permutations of grid*grid tiles chosen
// greedily for maximal minimum Hamming distance, starting from a fixed seed so every run and the
// preview share the same set. Cached per (grid, count).
const std::vector<std::vector<uint8_t>>& jigsaw_permutations(int grid, int count);

}  // namespace pretext
