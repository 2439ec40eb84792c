// ctest-labels: unit
// Augmentation sensitivity (engine/eval/sensitivity.h): an encoder built to be invariant to left-right
// mirroring reads (almost) zero under hflip and clearly more under vflip, which it still sees; the
// same call measures the same draws; the ops measured are the pipeline's, once each, without
// normalize.
#include <gtest/gtest.h>

#include <random>

#include "engine/eval/sensitivity_probe.h"
#include "tests/engine/image_support.h"

using namespace pretext;

namespace {

ImageSet noise_images(size_t n, int side) {
  std::mt19937 gen(5);
  return test::synthetic_images(n, side, 1, [&gen] { return uint8_t(gen() % 256); });
}

Pipeline flips_and_normalize() {
  return Pipeline::from_json(nlohmann::json::parse(R"({"name": "flips", "views": [
      {"ops": [{"op": "hflip", "p": 0.5}, {"op": "vflip", "p": 0.5}, {"op": "normalize", "mean": [0.5], "std": [0.25]}]},
      {"ops": [{"op": "hflip", "p": 0.5}]}]})"));
}

}  // namespace

TEST(sensitivity, OpsAreThePipelinesOnceEachWithoutNormalize) {
  std::vector<std::string> names;
  for (const auto& op : sensitivity_ops(flips_and_normalize())) names.push_back(op.op);
  EXPECT_EQ(names, (std::vector<std::string>{"hflip", "vflip"}));
}

TEST(sensitivity, AnEncoderInvariantToMirroringIgnoresHflipAndSeesVflip) {
  const ImageSet images = noise_images(40, 12);
  std::vector<size_t> sample(40);
  for (size_t i = 0; i < sample.size(); ++i) sample[i] = i;
  // Features of the image plus its mirror image: the same for x and hflip(x), by construction.
  const Encoder mirror_invariant = [](const torch::Tensor& x) { return (x + x.flip({3})).flatten(1); };
  const ChannelStats stats{{0.5}, {0.25}};
  const auto result = augmentation_sensitivity(mirror_invariant, images, sample, flips_and_normalize(), stats,
                                               torch::kCPU, 1);
  ASSERT_EQ(result.size(), 2u);
  EXPECT_EQ(result[0].op, "hflip");
  EXPECT_EQ(result[1].op, "vflip");
  EXPECT_EQ(result[0].images, 40u);
  EXPECT_LT(result[0].distance, 1e-5);
  EXPECT_GT(result[1].distance, 0.1);
  EXPECT_GT(result[1].standard_error, 0.0);
  const auto again = augmentation_sensitivity(mirror_invariant, images, sample, flips_and_normalize(), stats,
                                              torch::kCPU, 1);
  EXPECT_DOUBLE_EQ(again[1].distance, result[1].distance);
}
