// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>

#include "engine/methods/mae.h"
#include "engine/models/vit.h"
#include "tests/engine/method_support.h"
#include "tests/engine/vit_support.h"

using namespace pretext;
using test::small_vit;

namespace {
nlohmann::json small_params() {
  return {{"mask_ratio", 0.75}, {"decoder_dim", 32}, {"decoder_depth", 1}, {"decoder_heads", 4}, {"norm_pix_loss", true}};
}
}  // namespace

TEST(mae, MaskIsPerSampleExactAndSeeded) {
  torch::manual_seed(0);
  auto m = random_patch_mask(4, 16, 0.75, torch::kCPU);
  ASSERT_EQ(m.keep.size(1), 4);
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(m.mask[i].sum().item<double>(), 12.0);
    for (int64_t j = 0; j < 4; ++j) EXPECT_EQ(m.mask[i][m.keep[i][j].item<int64_t>()].item<double>(), 0.0);
  }
  EXPECT_FALSE(torch::equal(m.keep[0], m.keep[1]));  // one draw per sample
  torch::manual_seed(0);
  EXPECT_TRUE(torch::equal(random_patch_mask(4, 16, 0.75, torch::kCPU).keep, m.keep));
}

TEST(mae, HandComputedNormalisedPixelLoss) {
  // Two patches of four pixels, only the second masked; prediction 0.
  // Patch [1,2,3,4]: mean 2.5, unbiased variance 5/3; the loss is the mean of the squared
  // standardised pixels = (2.25 + 0.25 + 0.25 + 2.25) / 4 / (5/3 + 1e-6).
  auto target = torch::tensor({{{9.0f, 9.0f, 9.0f, 1.0f}, {1.0f, 2.0f, 3.0f, 4.0f}}});
  auto pred = torch::zeros({1, 2, 4});
  auto mask = torch::tensor({{0.0f, 1.0f}});
  EXPECT_NEAR(mae_loss(pred, target, mask, true).item<double>(), 1.25 / (5.0 / 3.0 + 1e-6), 1e-5);
  // Without normalisation: the mean of 1, 4, 9, 16.
  EXPECT_NEAR(mae_loss(pred, target, mask, false).item<double>(), 7.5, 1e-5);
}

TEST(mae, PatchifyOrdersPatchesRowMajorAndPixelsRowColChannel) {
  auto vit = small_vit(2);
  auto x = torch::arange(2 * 8 * 8, torch::kFloat).view({1, 2, 8, 8});
  auto p = vit->patchify(x);  // 2x2 patches of 4x4x2
  ASSERT_EQ(p.sizes(), (std::vector<int64_t>{1, 4, 32}));
  for (int64_t patch = 0; patch < 4; ++patch)
    for (int64_t r = 0; r < 4; ++r)
      for (int64_t c = 0; c < 4; ++c)
        for (int64_t ch = 0; ch < 2; ++ch) {
          const int64_t y = (patch / 2) * 4 + r, xx = (patch % 2) * 4 + c;
          EXPECT_EQ(p[0][patch][(r * 4 + c) * 2 + ch].item<float>(), x[0][ch][y][xx].item<float>());
        }
}

TEST(mae, VisiblePatchesDoNotEnterTheLoss) {
  torch::manual_seed(1);
  MAEImpl m(small_vit(), small_params());
  auto x = torch::randn({2, 1, 16, 16});
  auto mask = random_patch_mask(2, 16, 0.75, torch::kCPU);
  auto pred = m.reconstruct(x, mask);
  auto target = m.backbone->as<ViTImpl>()->patchify(x);
  // Replacing the prediction on visible patches by anything leaves the loss unchanged.
  auto visible = (1 - mask.mask).unsqueeze(-1);
  auto other = pred * (1 - visible) + visible * 100.0;
  EXPECT_NEAR(mae_loss(pred, target, mask.mask, true).item<double>(),
              mae_loss(other, target, mask.mask, true).item<double>(), 1e-5);
}

TEST(mae, RejectsNonViTBackbones) {
  EXPECT_THROW(MAEImpl(make_backbone("resnet-tiny", 1), small_params()), std::runtime_error);
}

TEST(mae, Trains20StepsWithFallingLoss) {
  torch::manual_seed(2);
  MAEImpl m(small_vit(), small_params());
  auto c = test::train_steps(m, test::fixed_views(32, 1, 16, 1), 20, 1e-3, /*adam=*/true);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
  EXPECT_EQ(m.features(torch::randn({3, 1, 16, 16})).sizes(), (std::vector<int64_t>{3, 32}));
}
