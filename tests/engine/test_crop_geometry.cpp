// ctest-labels: unit
// What a pipeline's crops ask for: boxes read back from the trace, IoU against hand-worked boxes, and
// the distribution of crop scale and overlap against the pipeline's own parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "engine/augment/crop_geometry.h"
#include "tests/engine/image_support.h"

using namespace pretext;

namespace {
ImageSet grey_images(size_t n, int side) {
  return test::synthetic_images(n, side, 3, [] { return uint8_t(128); });
}
Pipeline parse(const char* s) { return Pipeline::from_json(nlohmann::json::parse(s)); }
}  // namespace

TEST(crop_geometry, IouOfHandWorkedBoxes) {
  const CropBox a{0, 0, 10, 10}, b{5, 5, 10, 10}, far{20, 20, 4, 4};
  EXPECT_DOUBLE_EQ(box_iou(a, a), 1.0);
  EXPECT_DOUBLE_EQ(box_iou(a, b), 25.0 / 175.0);
  EXPECT_DOUBLE_EQ(box_iou(a, far), 0.0);
  EXPECT_DOUBLE_EQ(box_iou(a, CropBox{0, 0, 5, 10}), 0.5);
}

TEST(crop_geometry, TheCropIsReadBackFromTheTraceUnlessPixelsMovedFirst) {
  const cv::Mat img(40, 40, CV_8UC3, cv::Scalar(128, 128, 128));
  const View cropped = parse(R"({"views":[{"size":16,"ops":[{"op":"random_resized_crop","scale":[0.25,0.25],"ratio":[1,1]}]}]})")
                           .apply(img, 0, 1, 0, 0);
  const auto box = crop_of(cropped);
  ASSERT_TRUE(box.has_value());
  EXPECT_EQ(box->height, 20);
  EXPECT_EQ(box->width, 20);
  EXPECT_GE(box->top, 0);
  EXPECT_LE(box->top + box->height, 40);
  const View flipped_first =
      parse(R"({"views":[{"size":16,"ops":[{"op":"hflip","p":1},{"op":"random_resized_crop"}]}]})").apply(img, 0, 1, 0, 0);
  EXPECT_FALSE(crop_of(flipped_first).has_value());
  const View no_crop = parse(R"({"views":[{"ops":[{"op":"hflip","p":0.5}]}]})").apply(img, 0, 1, 0, 0);
  EXPECT_FALSE(crop_of(no_crop).has_value());
}

TEST(crop_geometry, DistributionFollowsThePipelinesScaleRange) {
  const ImageSet set = grey_images(7, 64);
  const Pipeline p = parse(R"({"views":[{"size":16,"ops":[{"op":"random_resized_crop","scale":[0.2,0.6],"ratio":[0.75,1.3333]}]},
                                      {"size":16,"ops":[{"op":"random_resized_crop","scale":[0.9,1.0],"ratio":[1,1]}]}]})");
  const CropDistribution d = sample_crop_distribution(set, p, 300, 5, 2);
  ASSERT_EQ(d.draws, 300u);
  ASSERT_EQ(d.scale.size(), 2u);
  ASSERT_EQ(d.scale[0].size(), 300u);
  ASSERT_EQ(d.iou.size(), 300u);
  // Rounded boxes on 64 px: a pixel row either side of the drawn range at most.
  for (double s : d.scale[0]) EXPECT_TRUE(s > 0.17 && s < 0.64) << s;
  for (double s : d.scale[1]) EXPECT_TRUE(s > 0.86) << s;
  // A small crop inside an almost whole image: the IoU is about the small one's share.
  const double mean_iou = std::accumulate(d.iou.begin(), d.iou.end(), 0.0) / d.iou.size();
  const double mean_small = std::accumulate(d.scale[0].begin(), d.scale[0].end(), 0.0) / 300;
  EXPECT_NEAR(mean_iou, mean_small, 0.05);
  // Deterministic for a seed, on any number of threads.
  EXPECT_EQ(sample_crop_distribution(set, p, 300, 5, 1).iou, d.iou);
}

TEST(crop_geometry, ShareHistogramSumsToOne) {
  const auto h = share_histogram({0.0, 0.1, 0.5, 0.99, 1.0, 2.0}, 0, 1, 4);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_DOUBLE_EQ(h[0], 2.0 / 6);
  EXPECT_DOUBLE_EQ(h[2], 1.0 / 6);
  EXPECT_DOUBLE_EQ(h[3], 3.0 / 6);
  EXPECT_NEAR(std::accumulate(h.begin(), h.end(), 0.0), 1.0, 1e-12);
}
