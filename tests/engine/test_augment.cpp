// ctest-labels: unit
#include <gtest/gtest.h>

#include "engine/augment/ops.h"
#include "engine/augment/pipeline.h"

using namespace pretext;

namespace {
cv::Mat noise_image(int h, int w, uint64_t seed) {
  cv::Mat m(h, w, CV_8UC3);
  Rng rng(seed);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w * 3; ++x) m.ptr<uint8_t>(y)[x] = static_cast<uint8_t>(rng.integer(0, 255));
  return m;
}
bool same_bytes(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}
}  // namespace

TEST(augment, HorizontalFlipIsExact) {
  cv::Mat m = noise_image(5, 7, 1);
  cv::Mat f = flip_horizontal(m);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 7; ++x) EXPECT_EQ(f.at<cv::Vec3b>(y, x), m.at<cv::Vec3b>(y, 6 - x));
  EXPECT_TRUE(same_bytes(flip_horizontal(f), m));
}

TEST(augment, SolarizeThresholdIsExact) {
  cv::Mat m(1, 256, CV_8UC1);
  for (int v = 0; v < 256; ++v) m.at<uint8_t>(0, v) = static_cast<uint8_t>(v);
  cv::Mat s = solarize(m, 128);
  for (int v = 0; v < 256; ++v) EXPECT_EQ(s.at<uint8_t>(0, v), v >= 128 ? 255 - v : v) << v;
}

TEST(augment, GrayscaleUsesItuR601Weights) {
  cv::Mat m(1, 3, CV_8UC3);
  m.at<cv::Vec3b>(0, 0) = {255, 0, 0};
  m.at<cv::Vec3b>(0, 1) = {0, 255, 0};
  m.at<cv::Vec3b>(0, 2) = {10, 200, 30};
  cv::Mat g = to_grayscale(m);
  EXPECT_EQ(g.at<cv::Vec3b>(0, 0)[0], 76);   // 255 * 0.299 = 76.2
  EXPECT_EQ(g.at<cv::Vec3b>(0, 1)[1], 150);  // 255 * 0.587 = 149.7
  EXPECT_EQ(g.at<cv::Vec3b>(0, 2)[2], 124);  // 2.99 + 117.4 + 3.42 = 123.8
}

TEST(augment, CropAreaStaysWithinScaleRange) {
  Rng rng(7);
  for (int i = 0; i < 2000; ++i) {
    const CropBox b = sample_resized_crop(64, 64, 0.2, 0.6, 3.0 / 4, 4.0 / 3, rng);
    const double area = double(b.height) * b.width / (64.0 * 64.0);
    ASSERT_GE(area, 0.2 * 0.9);  // rounding of the sides moves the area slightly
    ASSERT_LE(area, 0.6 * 1.1);
    ASSERT_GE(b.top, 0);
    ASSERT_LE(b.top + b.height, 64);
    ASSERT_LE(b.left + b.width, 64);
  }
}

TEST(augment, JitterFactorsWithinBounds) {
  Rng rng(11);
  for (int i = 0; i < 1000; ++i) {
    const JitterParams p = sample_jitter(0.4, 0.3, 0.2, 0.1, rng);
    ASSERT_GE(p.brightness, 0.6);
    ASSERT_LE(p.brightness, 1.4);
    ASSERT_GE(p.contrast, 0.7);
    ASSERT_LE(p.contrast, 1.3);
    ASSERT_GE(p.saturation, 0.8);
    ASSERT_LE(p.saturation, 1.2);
    ASSERT_GE(p.hue, -0.1);
    ASSERT_LE(p.hue, 0.1);
  }
}

TEST(augment, SameSeedSameBytesDifferentSeedDifferent) {
  const Pipeline p = Pipeline::load("simclr-cifar");
  const cv::Mat img = noise_image(32, 32, 5);
  const View a = p.apply(img, 0, 123, 4, 0), b = p.apply(img, 0, 123, 4, 0);
  EXPECT_TRUE(same_bytes(a.image, b.image));
  EXPECT_FALSE(same_bytes(a.image, p.apply(img, 0, 124, 4, 0).image));
  EXPECT_FALSE(same_bytes(a.image, p.apply(img, 1, 123, 4, 0).image));  // other view
  EXPECT_FALSE(same_bytes(a.image, p.apply(img, 0, 123, 4, 1).image));  // other epoch
  EXPECT_EQ(a.trace.size(), p.views[0].ops.size());
}

TEST(augment, DisablingAnOpKeepsOthersSamples) {
  Pipeline p = Pipeline::load("simclr-cifar");
  const cv::Mat img = noise_image(32, 32, 9);
  const View before = p.apply(img, 0, 1, 0, 0);
  p.views[0].ops[2].enabled = false;  // colour jitter off
  const View after = p.apply(img, 0, 1, 0, 0);
  EXPECT_EQ(before.trace[0].values, after.trace[0].values);  // same crop
  EXPECT_EQ(before.trace[1].applied, after.trace[1].applied);  // same flip decision
}

TEST(augment, PipelineJsonRoundTrip) {
  const Pipeline p = Pipeline::load("simclr");
  const Pipeline q = Pipeline::from_json(p.to_json());
  EXPECT_EQ(p.to_json(), q.to_json());
  EXPECT_THROW(Pipeline::from_json(nlohmann::json::parse(R"({"views":[{"ops":[{"op":"nope"}]}]})")),
               std::runtime_error);
}
