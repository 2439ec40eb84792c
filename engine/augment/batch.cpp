#include "engine/augment/batch.h"

#include <cstring>

#include "engine/augment/loader.h"

namespace pretext {

ChannelStats channel_stats(const ImageSet& set, size_t max_images) {
  const auto idx = spread_indices(set.size(), max_images);
  const int c = set.channels;
  std::vector<double> sum(c, 0), sq(c, 0);
  double count = 0;
  for (size_t i : idx) {
    const uint8_t* p = set.image(i);
    const size_t px = size_t(set.height) * set.width;
    for (size_t k = 0; k < px; ++k)
      for (int ch = 0; ch < c; ++ch) {
        const double v = p[k * c + ch] / 255.0;
        sum[ch] += v;
        sq[ch] += v * v;
      }
    count += double(px);
  }
  ChannelStats s;
  for (int ch = 0; ch < c; ++ch) {
    const double m = sum[ch] / count;
    s.mean.push_back(m);
    s.std.push_back(std::sqrt(std::max(1e-8, sq[ch] / count - m * m)));
  }
  return s;
}

torch::Tensor images_to_tensor(const std::vector<cv::Mat>& images, const ChannelStats& stats) {
  const int64_t n = static_cast<int64_t>(images.size());
  const int h = images[0].rows, w = images[0].cols, c = images[0].channels();
  auto bytes = torch::empty({n, h, w, c}, torch::kUInt8);
  uint8_t* dst = bytes.data_ptr<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    const cv::Mat m = images[i].isContinuous() ? images[i] : images[i].clone();
    std::memcpy(dst + i * h * w * c, m.data, size_t(h) * w * c);
  }
  auto x = bytes.permute({0, 3, 1, 2}).to(torch::kFloat32).div_(255.0);
  std::vector<float> mean(stats.mean.begin(), stats.mean.end()), sd(stats.std.begin(), stats.std.end());
  mean.resize(c, mean.empty() ? 0.5f : mean.back());
  sd.resize(c, sd.empty() ? 0.25f : sd.back());
  auto m = torch::from_blob(mean.data(), {1, c, 1, 1}).clone();
  auto s = torch::from_blob(sd.data(), {1, c, 1, 1}).clone();
  return ((x - m) / s).contiguous();
}

torch::Tensor dataset_tensor(const ImageSet& set, const std::vector<size_t>& indices, const ChannelStats& stats) {
  std::vector<cv::Mat> imgs;
  imgs.reserve(indices.size());
  for (size_t i : indices) imgs.push_back(image_mat(set, i));
  return images_to_tensor(imgs, stats);
}

std::vector<torch::Tensor> augment_batch(const ImageSet& set, const std::vector<size_t>& indices,
                                         const Pipeline& pipeline, size_t n_views, uint64_t seed, int64_t epoch,
                                         const ChannelStats& stats) {
  return make_batch(set, indices, pipeline, n_views, seed, epoch, stats, 0).views;
}

}  // namespace pretext

namespace pretext {

Batch batch_of_views(std::vector<torch::Tensor> views) {
  Batch b;
  b.views = std::move(views);
  return b;
}

}  // namespace pretext
