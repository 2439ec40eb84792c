// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "engine/methods/colorization.h"
#include "engine/train/data_fit.h"
#include "tests/engine/method_support.h"

using namespace pretext;

namespace {
torch::Tensor pixel(float r, float g, float b) { return torch::tensor({r, g, b}).view({1, 3, 1, 1}); }
nlohmann::json small_params() {
  return {{"grid", 2}, {"rebalance", true}, {"lambda", 0.5}, {"head_hidden", 32}, {"fit_images", 16}};
}
}  // namespace

TEST(colorization, LabOfKnownColoursMatchesTheCIEFormulas) {
  // Reference values of the sRGB primaries and white under D65 (as colour-science libraries give).
  auto expect_lab = [](const torch::Tensor& rgb, double l, double a, double b) {
    auto lab = rgb_to_lab(rgb).flatten();
    EXPECT_NEAR(lab[0].item<double>(), l, 0.05);
    EXPECT_NEAR(lab[1].item<double>(), a, 0.05);
    EXPECT_NEAR(lab[2].item<double>(), b, 0.05);
  };
  expect_lab(pixel(1, 1, 1), 100.0, 0.0, 0.0);
  expect_lab(pixel(0, 0, 0), 0.0, 0.0, 0.0);
  expect_lab(pixel(1, 0, 0), 53.24, 80.09, 67.20);
  expect_lab(pixel(0, 1, 0), 87.73, -86.18, 83.18);
  expect_lab(pixel(0, 0, 1), 32.30, 79.19, -107.86);
}

TEST(colorization, AbClassesAreTenUnitBinsRowsByA) {
  auto ab = torch::tensor({{-110.0f, -110.0f}, {-100.0f, -110.0f}, {-110.0f, -99.0f}, {0.0f, 0.0f}, {200.0f, 200.0f}});
  auto c = ab_class(ab);
  EXPECT_EQ(c[0].item<int64_t>(), 0);
  EXPECT_EQ(c[1].item<int64_t>(), kAbBins);  // next a bin
  EXPECT_EQ(c[2].item<int64_t>(), 1);        // next b bin
  EXPECT_EQ(c[3].item<int64_t>(), 11 * kAbBins + 11);
  EXPECT_EQ(c[4].item<int64_t>(), kAbBins * kAbBins - 1);  // out of range: the edge bin
}

TEST(colorization, RebalancingWeightsFollowEquationFour) {
  auto prior = torch::tensor({0.7, 0.2, 0.1, 0.0}, torch::kDouble);
  auto w = rebalancing_weights(prior, 0.5);
  // By hand: 1 / (0.5 p + 0.125) = 2.105.., 4.444.., 5.714.., 8; scaled so sum(p w) = 1.
  const double raw[] = {1 / 0.475, 1 / 0.225, 1 / 0.175, 1 / 0.125};
  const double scale = 0.7 * raw[0] + 0.2 * raw[1] + 0.1 * raw[2];
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(w[i].item<double>(), raw[i] / scale, 1e-9);
  EXPECT_NEAR((prior * w).sum().item<double>(), 1.0, 1e-9);
}

TEST(colorization, TheNetworkSeesNoColourAndTheTargetsAreTheCellColours) {
  ColorizationImpl m(make_backbone("resnet-tiny", 3), small_params());
  // Half red, half blue (left, right), normalised with mean 0.5 and std 0.25.
  auto rgb = torch::zeros({1, 3, 8, 8});
  rgb[0][0].slice(1, 0, 4).fill_(1.0f);
  rgb[0][2].slice(1, 4, 8).fill_(1.0f);
  auto x = (rgb - 0.5) / 0.25;
  fit_method_to_images(m, x.repeat({4, 1, 1, 1}), {0.5, 0.5, 0.5}, {0.25, 0.25, 0.25});
  auto grey = m.lightness_input(x);
  EXPECT_TRUE(torch::equal(grey.select(1, 0), grey.select(1, 2)));  // one grey image in every channel
  auto c = m.cell_classes(x);  // 2 x 2 cells: red, blue / red, blue
  auto red = ab_class(rgb_to_lab(pixel(1, 0, 0)).slice(1, 1, 3).permute({0, 2, 3, 1})).item<int64_t>();
  auto blue = ab_class(rgb_to_lab(pixel(0, 0, 1)).slice(1, 1, 3).permute({0, 2, 3, 1})).item<int64_t>();
  EXPECT_EQ(c[0][0].item<int64_t>(), red);
  EXPECT_EQ(c[0][1].item<int64_t>(), blue);
  EXPECT_EQ(c[0][2].item<int64_t>(), red);
  EXPECT_EQ(c[0][3].item<int64_t>(), blue);
  // The prior saw only red and blue cells: only those two classes have weight from the data.
  EXPECT_LT(m.class_weights[red].item<double>(), m.class_weights[0].item<double>());
}

TEST(colorization, FeaturesNeedNoFittedStateAndGreyImagesAreRefused) {
  torch::manual_seed(1);
  auto bb = make_backbone("resnet-tiny", 3);
  ColorizationImpl fresh(bb, small_params()), fitted(bb, small_params());
  auto x = torch::randn({4, 3, 16, 16});
  fit_method_to_images(fitted, x, {0.4, 0.5, 0.6}, {0.2, 0.25, 0.3});
  fresh.eval();
  fitted.eval();
  EXPECT_TRUE(torch::equal(fresh.features(x), fitted.features(x)));  // eval on a saved backbone agrees
  ColorizationImpl grey_run(make_backbone("resnet-tiny", 1), small_params());
  EXPECT_THROW(fit_method_to_images(grey_run, torch::randn({4, 1, 16, 16})), std::runtime_error);
}

TEST(colorization, Trains20StepsWithFallingLoss) {
  torch::manual_seed(2);
  ColorizationImpl m(make_backbone("resnet-tiny", 3), small_params());
  auto views = test::fixed_views(16, 3, 16, 1);
  fit_method_to_images(m, views[0], {0.5, 0.5, 0.5}, {0.25, 0.25, 0.25});
  auto c = test::train_steps(m, views, 20, 0.05);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
}

TEST(colorization, LabBackToRgbIsTheInverse) {
  torch::manual_seed(6);
  auto rgb = torch::rand({2, 3, 5, 5});
  EXPECT_LT((lab_to_rgb(rgb_to_lab(rgb)) - rgb).abs().max().item<double>(), 1e-3);
  auto classes = torch::tensor({0L, 23L, 483L});
  EXPECT_TRUE(torch::equal(ab_class(ab_of_class(classes)), classes));
}

TEST(colorization, ThePictureColoursTheGreyImageByTheLayouts) {
  torch::manual_seed(7);
  ColorizationImpl m(make_backbone("resnet-tiny", 3), small_params());
  auto x = torch::randn({3, 3, 16, 16}) * 0.5;
  fit_method_to_images(m, x, {0.5, 0.5, 0.5}, {0.25, 0.25, 0.25});
  m.eval();
  torch::NoGradGuard no_grad;
  const auto pic = m.picture(x);
  ASSERT_EQ(pic.rows.size(), 3u);
  auto grey = pic.rows[0].second;
  EXPECT_TRUE(torch::allclose(grey.select(1, 0), grey.select(1, 1)));
  EXPECT_EQ(pic.rows[1].second.sizes(), x.sizes());
  EXPECT_GE(pic.score, 0.0);
}
