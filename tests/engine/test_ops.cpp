// ctest-labels: unit
// Semantics of the augmentation ops beyond the SimCLR set, each against an independent formula.
#include <gtest/gtest.h>

#include <numeric>
#include <set>

#include <opencv2/imgproc.hpp>

#include "engine/augment/ops.h"
#include "engine/augment/pipeline.h"

using namespace pretext;

namespace {
cv::Mat noise(int h, int w, int channels, uint64_t seed) {
  cv::Mat m(h, w, CV_8UC(channels));
  Rng rng(seed);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w * channels; ++x) m.ptr<uint8_t>(y)[x] = static_cast<uint8_t>(rng.integer(0, 255));
  return m;
}
bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}
}  // namespace

TEST(ops, VerticalFlipIsExact) {
  const cv::Mat m = noise(6, 4, 3, 2);
  const cv::Mat f = flip_vertical(m);
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 4; ++x) EXPECT_EQ(f.at<cv::Vec3b>(y, x), m.at<cv::Vec3b>(5 - y, x));
}

TEST(ops, PosterizeKeepsTopBits) {
  cv::Mat m(1, 256, CV_8UC1);
  for (int v = 0; v < 256; ++v) m.at<uint8_t>(0, v) = static_cast<uint8_t>(v);
  for (int bits = 1; bits <= 8; ++bits) {
    const cv::Mat p = posterize(m, bits);
    for (int v = 0; v < 256; ++v) {
      const int expect = (v >> (8 - bits)) << (8 - bits);  // a second formula: shift down and up
      ASSERT_EQ(p.at<uint8_t>(0, v), expect) << "bits " << bits << " v " << v;
    }
  }
}

TEST(ops, EqualizeMatchesPilOnAHandComputedCase) {
  // 10 pixels: values 0 (x4), 100 (x3), 200 (x3). PIL: step = (10 - 3) // 255 = 0 -> identity.
  cv::Mat small(1, 10, CV_8UC1, cv::Scalar(0));
  for (int i = 4; i < 7; ++i) small.at<uint8_t>(0, i) = 100;
  for (int i = 7; i < 10; ++i) small.at<uint8_t>(0, i) = 200;
  EXPECT_TRUE(same(equalize(small), small));
  // 1020 pixels: 510 of value 10, 255 of 20, 255 of 30. step = (1020 - 255) // 255 = 3.
  // lut[v] = n // 3 with n = 1 + (count of values below v): lut[10] = 0, lut[20] = 511 // 3 = 170,
  // lut[30] = (1 + 765) // 3 = 255.
  cv::Mat m(1, 1020, CV_8UC1);
  for (int i = 0; i < 1020; ++i) m.at<uint8_t>(0, i) = static_cast<uint8_t>(i < 510 ? 10 : i < 765 ? 20 : 30);
  const cv::Mat e = equalize(m);
  EXPECT_EQ(e.at<uint8_t>(0, 0), 0);
  EXPECT_EQ(e.at<uint8_t>(0, 600), 170);
  EXPECT_EQ(e.at<uint8_t>(0, 1000), 255);
}

TEST(ops, EqualizeWorksPerChannel) {
  const cv::Mat m = noise(16, 16, 3, 4);
  const cv::Mat e = equalize(m);
  std::vector<cv::Mat> in, out;
  cv::split(m, in);
  cv::split(e, out);
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(same(equalize(in[c]), out[c]));
}

TEST(ops, Rotate90FourTimesIsIdentityAndMovesCorners) {
  const cv::Mat m = noise(3, 5, 3, 6);
  const cv::Mat r = rotate90(m, 1);  // counter-clockwise: top-right corner goes to top-left
  ASSERT_EQ(r.rows, 5);
  ASSERT_EQ(r.cols, 3);
  EXPECT_EQ(r.at<cv::Vec3b>(0, 0), m.at<cv::Vec3b>(0, 4));
  EXPECT_EQ(r.at<cv::Vec3b>(4, 0), m.at<cv::Vec3b>(0, 0));
  EXPECT_TRUE(same(rotate90(rotate90(m, 2), 2), m));
  EXPECT_TRUE(same(rotate90(r, 3), m));
  EXPECT_TRUE(same(rotate90(m, 2), rotate(m, 180, cv::INTER_NEAREST)));
}

TEST(ops, RotateBy90DegreesOnASquareMatchesQuarterTurn) {
  const cv::Mat m = noise(7, 7, 1, 8);
  EXPECT_TRUE(same(rotate(m, 90, cv::INTER_NEAREST), rotate90(m, 1)));
  // Corners uncovered by a 45 degree turn are filled.
  const cv::Mat r = rotate(m, 45, cv::INTER_NEAREST, 17);
  EXPECT_EQ(r.at<uint8_t>(0, 0), 17);
}

TEST(ops, ErasingAreaWithinScaleAndInsideImage) {
  Rng rng(3);
  for (int i = 0; i < 2000; ++i) {
    const CropBox b = sample_erasing(40, 30, 0.02, 0.33, 0.3, 3.3, rng);
    if (b.height == 0) continue;
    const double area = double(b.height) * b.width / (40.0 * 30.0);
    ASSERT_GE(area, 0.02 * 0.7);
    ASSERT_LE(area, 0.33 * 1.3);
    ASSERT_LE(b.top + b.height, 40);
    ASSERT_LE(b.left + b.width, 30);
  }
  const cv::Mat m = noise(10, 10, 3, 1);
  const cv::Mat e = erase(m, {2, 3, 4, 5}, 0);
  EXPECT_EQ(cv::countNonZero(e.reshape(1)(cv::Rect(9, 2, 15, 4))), 0);
  EXPECT_EQ(e.at<cv::Vec3b>(0, 0), m.at<cv::Vec3b>(0, 0));
}

TEST(ops, PatchMaskHidesExactlyTheRatio) {
  Rng rng(5);
  for (int i = 0; i < 50; ++i) {
    const auto mask = sample_patch_mask(14, 14, 0.75, rng);
    ASSERT_EQ(mask.size(), 196u);
    // MAE keeps int(196 * 0.25) = 49 patches.
    ASSERT_EQ(std::accumulate(mask.begin(), mask.end(), 0), 196 - 49);
  }
}

TEST(ops, JigsawPermutationsAreDistinctAndFarApart) {
  const auto& perms = jigsaw_permutations(3, 30);
  ASSERT_EQ(perms.size(), 30u);
  std::set<std::string> unique;  // as strings: a set of byte vectors trips a GCC 12 -O2 false warning
  for (const auto& p : perms) unique.emplace(p.begin(), p.end());
  EXPECT_EQ(unique.size(), 30u);
  int min_d = 9;
  for (size_t a = 0; a < perms.size(); ++a) {
    std::vector<uint8_t> sorted = perms[a];
    std::sort(sorted.begin(), sorted.end());
    for (int t = 0; t < 9; ++t) ASSERT_EQ(sorted[t], t);  // a permutation of the 9 tiles
    for (size_t b = a + 1; b < perms.size(); ++b) {
      int d = 0;
      for (int t = 0; t < 9; ++t) d += perms[a][t] != perms[b][t];
      min_d = std::min(min_d, d);
    }
  }
  EXPECT_GE(min_d, 7);  // 30 greedy max-min picks out of 9! stay at least 7 tiles apart
  EXPECT_EQ(&jigsaw_permutations(3, 30), &perms);  // cached
}

TEST(ops, JigsawViewPlacesTilesAsTheLabelSays) {
  Pipeline p = Pipeline::from_json(nlohmann::json::parse(
      R"({"views":[{"size":30,"ops":[{"op":"jigsaw","grid":3,"tile_keep":1.0,"permutations":10}]}]})"));
  const cv::Mat img = noise(30, 30, 3, 9);
  const View v = p.apply(img, 0, 1, 0, 0);
  ASSERT_GE(v.label, 0);
  ASSERT_EQ(v.tiles.size(), 9u);
  ASSERT_EQ(v.image.rows, 30);
  const auto& perm = jigsaw_permutations(3, 10)[static_cast<size_t>(v.label)];
  for (int d = 0; d < 9; ++d) {
    const int s = perm[d];
    EXPECT_EQ(v.tiles[d].source_cell, s);
    // With tile_keep 1 the tile is the whole cell: bytes equal the source cell.
    EXPECT_TRUE(same(v.image(v.tiles[d].placed), img(cv::Rect((s % 3) * 10, (s / 3) * 10, 10, 10))));
  }
}

TEST(ops, MaeMaskViewCarriesTheGridAndLeavesPixels) {
  Pipeline p = Pipeline::from_json(nlohmann::json::parse(
      R"({"views":[{"size":32,"ops":[{"op":"hflip","p":0.0},{"op":"mae_mask","patch":8,"ratio":0.75}]}]})"));
  const cv::Mat img = noise(32, 32, 3, 10);
  const View v = p.apply(img, 0, 2, 5, 0);
  EXPECT_EQ(v.mask.rows, 4);
  EXPECT_EQ(v.mask.cols, 4);
  EXPECT_EQ(std::accumulate(v.mask.masked.begin(), v.mask.masked.end(), 0), 12);
  EXPECT_TRUE(same(v.image, img));
  ASSERT_EQ(v.trace.size(), 2u);
  EXPECT_EQ(v.trace[1].op, "mae_mask");
}

TEST(ops, MaeMaskGridKeepsItsPatchCountAtAnyImageSize) {
  // The mae-mask preset asks for MAE's 14x14 grid: 2 px patches on a 28 px image, not one 16 px patch.
  for (int side : {28, 224}) {
    const View v = Pipeline::load("mae-mask").apply(noise(side, side, 1, 12), 0, 2, 5, 0);
    EXPECT_EQ(v.mask.rows, 14) << side;
    EXPECT_EQ(v.mask.cols, 14) << side;
    EXPECT_EQ(v.mask.patch, side / 14) << side;
  }
}

TEST(ops, Rot90ViewLabelsMatchRotation) {
  const Pipeline p = Pipeline::load("rotnet-views");
  ASSERT_EQ(p.view_count(), 4u);
  const cv::Mat img = noise(8, 8, 3, 11);
  for (size_t v = 0; v < 4; ++v) {
    const View out = p.apply(img, v, 0, 0, 0);
    EXPECT_EQ(out.label, static_cast<int>(v));
    EXPECT_TRUE(same(out.image, rotate90(img, static_cast<int>(v))));
  }
  // Random angle: the label indexes the angle that was applied.
  Pipeline r = Pipeline::from_json(nlohmann::json::parse(R"({"views":[{"ops":[{"op":"rot90"}]}]})"));
  std::set<int> seen;
  for (int i = 0; i < 40; ++i) {
    const View out = r.apply(img, 0, 3, i, 0);
    seen.insert(out.label);
    EXPECT_TRUE(same(out.image, rotate90(img, out.label)));
  }
  EXPECT_EQ(seen.size(), 4u);
}
