// ctest-labels: unit
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

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

// Each malformed part of a pipeline document is refused with its place and field named, never as a
// JSON library error (found by fuzz/fuzz_pipeline: an op without "op" escaped as json::out_of_range, and
// a size of 1e56 was converted to int).
TEST(augment, MalformedPipelineDocumentsNameThePlace) {
  const auto refusal = [](const char* text) {
    try {
      Pipeline::from_json(nlohmann::json::parse(text));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"ops":[{"op":"hflip"},{"ot":"hflip"}]}]})"),
            "pipeline 'x', view 1, op 2 names no \"op\"");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"ops":[{"op":"hflip","p":"half"}]}]})"),
            "pipeline 'x', view 1, op 1: p must be a number");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"ops":[{"op":"hflip","p":3}]}]})"),
            "pipeline 'x', view 1, op 1: p must be in [0, 1], not 3");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"ops":[]},{"size":"big","ops":[]}]})"),
            "pipeline 'x', view 2: size must be a whole number");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"size":1e56,"ops":[]}]})"), "pipeline 'x', view 1: size must be a whole number");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"size":9999999999999999999,"ops":[]}]})"),
            "pipeline 'x', view 1: size must be in [0, 4096], not 9999999999999999999");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"repeat":0,"ops":[]}]})"), "pipeline 'x', view 1: repeat must be in [1, 64], not 0");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"repeat":-3,"ops":[]}]})"),
            "pipeline 'x', view 1: repeat must be in [1, 64], not -3");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"sise":32,"ops":[]}]})"),
            "pipeline 'x', view 1: sise is not a field of a view (it takes: size, size_ratio, repeat, ops)");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"size":32}]})"), "pipeline 'x', view 1 has no \"ops\" list");
  EXPECT_EQ(refusal(R"({"name":"x","views":[7]})"), "pipeline 'x', view 1 must be a JSON object");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"ops":[3]}]})"), "pipeline 'x', view 1, op 1 must be a JSON object");
  EXPECT_EQ(refusal(R"({"name":5,"views":[]})"), "pipeline: name must be a string");
  EXPECT_EQ(refusal(R"({"name":"x","views":[{"ops":[{"op":"hflip","enabled":1}]}]})"),
            "pipeline 'x', view 1, op 1: enabled must be true or false");
}

namespace {
// FNV-1a over everything a view's draws decide: the trace (op, fired, sampled values), the pretext
// label, the MAE mask and the jigsaw tiles. Our Rng is platform-independent, so these digests are too;
// image bytes also depend on OpenCV's SIMD paths and are compared by `image_digest` only where asked.
struct Digest {
  uint64_t h = 1469598103934665603ull;
  void bytes(const void* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<const uint8_t*>(p)[i]) * 1099511628211ull;
  }
  void text(const std::string& s) { bytes(s.data(), s.size()); }
  void number(double v) {
    char buf[40];
    text(std::string(buf, static_cast<size_t>(std::snprintf(buf, sizeof buf, "%.9g;", v))));
  }
};

uint64_t draw_digest(const Pipeline& p, const cv::Mat& img, int images, Digest* pixels = nullptr) {
  Digest d;
  for (size_t v = 0; v < p.view_count(); ++v)
    for (int i = 0; i < images; ++i) {
      const View out = p.apply(img, v, 77, i, i % 3);
      for (const auto& t : out.trace) {
        d.text(t.op);
        d.number(t.applied);
        for (const auto& [k, x] : t.values) {
          d.text(k);
          d.number(x);
        }
      }
      if (pixels) pixels->bytes(out.image.data, out.image.total() * out.image.elemSize());
      d.number(out.label);
      d.number(out.image.rows);
      d.number(out.image.cols);
      d.bytes(out.mask.masked.data(), out.mask.masked.size());
      for (const auto& t : out.tiles) {
        d.number(t.source_cell);
        d.number(t.source.x + 1000.0 * t.source.y);
        d.number(t.placed.x + 1000.0 * t.placed.y);
      }
    }
  return d.h;
}

// Every op with its parameters in each form the JSON accepts.
Pipeline every_op_pipeline() {
  return Pipeline::from_json(nlohmann::json::parse(R"({"name":"every-op","views":[
    {"size":40,"ops":[{"op":"rotation","p":0.7,"degrees":20},{"op":"random_resized_crop","scale":[0.3,1],
      "interpolation":"bicubic"},{"op":"hflip","p":0.5},{"op":"vflip","p":0.5},
      {"op":"color_jitter","p":0.8,"brightness":0.5,"contrast":0.3,"saturation":0.2,"hue":0.05},
      {"op":"grayscale","p":0.3},{"op":"gaussian_blur","p":0.5,"sigma":[0.2,1.5]},{"op":"solarize","p":0.3,
      "threshold":100},{"op":"equalize","p":0.4},{"op":"posterize","p":0.5,"bits":3},
      {"op":"cutout","p":0.6,"size":12},{"op":"mae_mask","grid":5,"ratio":0.6},{"op":"normalize",
      "mean":[0.5,0.5,0.5],"std":[0.2,0.2,0.2]}]},
    {"size":36,"repeat":2,"ops":[{"op":"rotation","p":0.9,"degrees":[-10,45],"interpolation":"bilinear","fill":7},
      {"op":"cutout","p":0.8,"scale":[0.05,0.2],"ratio":[0.5,2],"value":9},{"op":"rot90"},
      {"op":"mae_mask","patch":6,"ratio":0.5},{"op":"hflip","p":0.5,"enabled":false}]},
    {"size":30,"ops":[{"op":"rot90","angle":180},{"op":"jigsaw","grid":2,"permutations":10,"tile_keep":0.8}]},
    {"size_ratio":0.5,"ops":[{"op":"jigsaw","p":0.7}]}]})"));
}
}  // namespace

// The op table must draw exactly what the if-chain drew: these digests were recorded from the
// if-chain (commit d55120d) and every preset's and every op's draws must still match them.
TEST(augment, DrawsMatchTheRecordedDigests) {
  const cv::Mat img = noise_image(48, 44, 21);
  std::map<std::string, uint64_t> got;
  Digest pixels;
  for (const auto& name : Pipeline::preset_names()) got[name] = draw_digest(Pipeline::load(name), img, 6, &pixels);
  got["every-op"] = draw_digest(every_op_pipeline(), img, 24, &pixels);
  const std::map<std::string, uint64_t> recorded = {
      {"barlowtwins", 0x5534f0601bddc9daull},
      {"beit", 0x234501e20044dc04ull},
      {"byol", 0x1286731192dce11eull},
      {"byol-cifar", 0x5167e8821766488full},
      {"colorization", 0x11b53c74520dad52ull},
      {"dino", 0xed34d8188439f20dull},
      {"dino-8local", 0x16745eefcc358c8bull},
      {"dino-cifar", 0x7abf66a6ba5cff05ull},
      {"every-op", 0x452bc8633812a6f7ull},
      {"inpainting", 0x11b53c74520dad52ull},
      {"jigsaw", 0x11b53c74520dad52ull},
      {"jigsaw-tiles", 0x8348b6043110f403ull},
      {"mae", 0xbf49cbb677c2a725ull},
      {"mae-cifar", 0x3ae1bba0f39cfeefull},
      {"mae-mask", 0xc8f02a9893109dc9ull},
      {"moco", 0x42cc99a4882c8d64ull},
      {"moco-v2", 0x3a29e63a72f20f3dull},
      {"moco-v2-cifar", 0x002e9000c5e65fbaull},
      {"relative-location", 0x11b53c74520dad52ull},
      {"rotnet", 0x11b53c74520dad52ull},
      {"rotnet-views", 0xa6efee98c698ca0full},
      {"simclr", 0xc64d6f0322724180ull},
      {"simclr-cifar", 0xa8b8d35f94bb4919ull},
      {"simsiam", 0x42cc99a4882c8d64ull},
      {"swav", 0x9905b9e46f1899e3ull},
      {"vicreg", 0x5534f0601bddc9daull},
  };
  for (const auto& [name, h] : recorded) {  // a preset added later has nothing recorded to compare with
    const auto it = got.find(name);
    ASSERT_NE(it, got.end()) << "preset " << name << " is gone";
    EXPECT_EQ(it->second, h) << name << "'s draws changed: now 0x" << std::hex << it->second;
  }
  // Image bytes: printed for a before/after comparison on one machine, not checked (OpenCV's SIMD paths).
  std::printf("pixels 0x%016llx\n", static_cast<unsigned long long>(pixels.h));
}
