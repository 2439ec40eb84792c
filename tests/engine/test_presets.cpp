// ctest-labels: unit
// Every preset parses, cites its source, round-trips, and runs on grey and colour images.
#include <gtest/gtest.h>

#include "engine/augment/pipeline.h"

using namespace pretext;

TEST(presets, AllParseCiteASourceAndRoundTrip) {
  const auto names = Pipeline::preset_names();
  for (const char* want : {"simclr", "simclr-cifar", "byol", "byol-cifar", "moco-v2", "moco-v2-cifar", "dino",
                           "dino-cifar", "mae", "mae-cifar", "rotnet", "jigsaw", "rotnet-views", "jigsaw-tiles",
                           "mae-mask", "dino-8local"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  for (const auto& n : names) {
    const Pipeline p = Pipeline::load(n);
    EXPECT_EQ(p.name, n);
    EXPECT_FALSE(p.source.empty()) << n;
    EXPECT_EQ(Pipeline::from_json(p.to_json()).to_json(), p.to_json()) << n;
    for (int channels : {1, 3}) {
      cv::Mat img(40, 40, CV_8UC(channels), cv::Scalar::all(120));
      cv::randu(img, 0, 255);
      for (size_t v = 0; v < p.view_count(); ++v) {
        const View out = p.apply(img, v, 7, 1, 0);
        EXPECT_FALSE(out.image.empty()) << n << " view " << v;
        EXPECT_EQ(out.image.channels(), channels) << n;
      }
    }
  }
}

TEST(presets, ByolViewsAreAsymmetric) {
  const Pipeline p = Pipeline::load("byol");
  ASSERT_EQ(p.view_count(), 2u);
  auto prob = [&](size_t v, const std::string& op) {
    for (const auto& o : p.views[v].ops)
      if (o.op == op) return o.p;
    return -1.0;
  };
  EXPECT_EQ(prob(0, "gaussian_blur"), 1.0);
  EXPECT_EQ(prob(1, "gaussian_blur"), 0.1);
  EXPECT_EQ(prob(0, "solarize"), 0.0);
  EXPECT_EQ(prob(1, "solarize"), 0.2);
  // Over many images the first view always blurs and never solarizes; the second solarizes ~20%.
  cv::Mat img(16, 16, CV_8UC3);
  cv::randu(img, 0, 255);
  int blur0 = 0, sol0 = 0, sol1 = 0;
  for (int i = 0; i < 500; ++i) {
    const View a = p.apply(img, 0, 1, i, 0), b = p.apply(img, 1, 1, i, 0);
    blur0 += a.trace[4].applied;
    sol0 += a.trace[5].applied;
    sol1 += b.trace[5].applied;
  }
  EXPECT_EQ(blur0, 500);
  EXPECT_EQ(sol0, 0);
  EXPECT_NEAR(sol1 / 500.0, 0.2, 0.06);
}

TEST(presets, DinoHasTwoGlobalAndEightLocalCrops) {
  const Pipeline p = Pipeline::load("dino-8local");
  ASSERT_EQ(p.view_count(), 10u);
  const cv::Mat img(224, 224, CV_8UC3, cv::Scalar::all(50));
  EXPECT_EQ(p.apply(img, 0, 0, 0, 0).image.rows, 224);
  EXPECT_EQ(p.apply(img, 1, 0, 0, 0).image.rows, 224);
  for (size_t v = 2; v < 10; ++v) EXPECT_EQ(p.apply(img, v, 0, 0, 0).image.rows, 96);
}

TEST(presets, BadPipelinesAreRejectedWithReasons) {
  auto parse = [](const char* s) { return Pipeline::from_json(nlohmann::json::parse(s)); };
  EXPECT_THROW(parse(R"({"views":[]})"), std::runtime_error);
  EXPECT_THROW(parse(R"({"views":[{"ops":[{"op":"hflip","p":1.5}]}]})"), std::runtime_error);
  EXPECT_THROW(parse(R"({"views":[{"repeat":0,"ops":[]}]})"), std::runtime_error);
  EXPECT_THROW(parse(R"([1,2])"), std::runtime_error);
  EXPECT_THROW(Pipeline::load("/nonexistent/pipeline.json"), std::runtime_error);
}

// A bad parameter is refused when the pipeline is loaded (not at the first augmented image), with the
// view, the op and the field named.
TEST(presets, BadParametersAreRefusedAtLoadWithOpAndFieldNamed) {
  auto refusal = [](const char* s) {
    try {
      Pipeline::from_json(nlohmann::json::parse(s));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal(R"({"name":"t","views":[{"ops":[{"op":"hflip"},{"op":"random_resized_crop","scale":[0.9,0.1]}]}]})"),
            "pipeline 't', view 1, op 2 (random_resized_crop): scale must be [low, high] with low <= high");
  EXPECT_EQ(refusal(R"({"name":"t","views":[{"ops":[]},{"ops":[{"op":"color_jitter","brightness":"strong"}]}]})"),
            "pipeline 't', view 2, op 1 (color_jitter): brightness must be a number");
  EXPECT_EQ(refusal(R"({"name":"t","views":[{"ops":[{"op":"gaussian_blur","sigmas":[1,2]}]}]})"),
            "pipeline 't', view 1, op 1 (gaussian_blur): sigmas is not a parameter of this op (it takes: sigma)");
  EXPECT_EQ(refusal(R"({"name":"t","views":[{"ops":[{"op":"rot90","angles":[0,45]}]}]})"),
            "pipeline 't', view 1, op 1 (rot90): angles must be multiples of 90");
  EXPECT_EQ(refusal(R"({"name":"t","views":[{"ops":[{"op":"posterize","bits":12}]}]})"),
            "pipeline 't', view 1, op 1 (posterize): bits must be in [1, 8], not 12");
  EXPECT_EQ(refusal(R"({"name":"t","views":[{"ops":[{"op":"mae_mask","ratio":1}]}]})"),
            "pipeline 't', view 1, op 1 (mae_mask): ratio must be below 1 (at least one patch stays visible)");
  EXPECT_EQ(refusal(R"({"name":"t","views":[{"ops":[{"op":"normalize","mean":[0.5]}]}]})"),
            "pipeline 't', view 1, op 1 (normalize) needs mean and std of equal length");
  EXPECT_EQ(refusal(R"({"name":"t","views":[{"ops":[{"op":"rotation","interpolation":"lanczos"}]}]})"),
            "pipeline 't', view 1, op 1 (rotation): interpolation must be nearest, bilinear or bicubic");
  EXPECT_EQ(refusal(R"({"name":"t","views":[{"ops":[{"op":"blur"}]}]})"), "unknown augmentation op 'blur'");
}
