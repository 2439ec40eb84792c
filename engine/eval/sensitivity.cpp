#include "engine/eval/sensitivity_probe.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace pretext {
namespace {

constexpr size_t kBatch = 128;

torch::Tensor embed(const Encoder& encode, const std::vector<cv::Mat>& images, const ChannelStats& stats,
                    const torch::Device& device) {
  const auto f = encode(images_to_tensor(images, stats).to(device)).to(torch::kCPU, torch::kFloat32);
  return torch::nn::functional::normalize(f, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

cv::Mat image_of(const ImageSet& set, size_t i) {
  return cv::Mat(set.height, set.width, CV_8UC(set.channels), const_cast<uint8_t*>(set.image(i)));
}

// A pipeline of one view that applies `op` alone, always, at the images' own size.
Pipeline only(const OpSpec& op, int height) {
  Pipeline p;
  ViewSpec v;
  v.size = height;
  OpSpec o = op;
  o.p = 1.0;
  o.enabled = true;
  v.ops = {o};
  p.views = {v};
  return p;
}

}  // namespace

std::vector<OpSpec> sensitivity_ops(const Pipeline& pipeline) {
  static const std::vector<std::string> skipped = {"normalize", "mae_mask", "jigsaw"};
  std::vector<OpSpec> out;
  for (const auto& view : pipeline.views)
    for (const auto& op : view.ops) {
      const bool seen = std::any_of(out.begin(), out.end(), [&](const OpSpec& o) { return o.op == op.op; });
      if (op.enabled && !seen && std::find(skipped.begin(), skipped.end(), op.op) == skipped.end()) out.push_back(op);
    }
  return out;
}

std::vector<OpSensitivity> augmentation_sensitivity(const Encoder& encode, const ImageSet& images,
                                                    const std::vector<size_t>& sample, const Pipeline& pipeline,
                                                    const ChannelStats& stats, const torch::Device& device,
                                                    uint64_t seed, const CancelFn& cancelled) {
  torch::NoGradGuard no_grad;
  const std::vector<OpSpec> ops = sensitivity_ops(pipeline);
  std::vector<std::vector<double>> distances(ops.size());
  for (size_t start = 0; start < sample.size(); start += kBatch) {
    std::vector<cv::Mat> originals;
    for (size_t k = start; k < std::min(sample.size(), start + kBatch); ++k) originals.push_back(image_of(images, sample[k]));
    const torch::Tensor base = embed(encode, originals, stats, device);
    for (size_t o = 0; o < ops.size(); ++o) {
      throw_if_cancelled(cancelled);
      const Pipeline alone = only(ops[o], images.height);
      std::vector<cv::Mat> changed;
      for (size_t k = 0; k < originals.size(); ++k) {
        cv::Mat v = alone.apply(originals[k], 0, seed, int64_t(sample[start + k]), 0).image;
        // Square crops of a non-square image come back at the image's own shape.
        if (v.rows != images.height || v.cols != images.width) cv::resize(v, v, cv::Size(images.width, images.height));
        changed.push_back(v);
      }
      const torch::Tensor cosine = (base * embed(encode, changed, stats, device)).sum(1).to(torch::kDouble);
      const auto* c = cosine.data_ptr<double>();
      for (int64_t k = 0; k < cosine.size(0); ++k) distances[o].push_back(1 - c[k]);
    }
  }
  std::vector<OpSensitivity> out;
  for (size_t o = 0; o < ops.size(); ++o) {
    OpSensitivity s;
    s.op = ops[o].op;
    s.images = distances[o].size();
    double sum = 0, sq = 0;
    for (double d : distances[o]) sum += d, sq += d * d;
    if (s.images > 0) s.distance = sum / double(s.images);
    if (s.images > 1)
      s.standard_error = std::sqrt(std::max(0.0, sq / double(s.images) - s.distance * s.distance) / double(s.images - 1));
    out.push_back(s);
  }
  return out;
}

}  // namespace pretext
