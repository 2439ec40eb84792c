// ctest-labels: unit
// I-JEPA: the multi-block sampler against the paper's ranges, the block indices, the loss against an
// explicit sum, the method on a fixed batch, its picture, and a run through the trainer.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "engine/augment/ops.h"
#include "engine/augment/pipeline.h"
#include "engine/augment/preview.h"
#include "engine/core/seed.h"
#include "engine/methods/ijepa.h"
#include "engine/methods/vocabulary.h"
#include "engine/models/vit.h"
#include "engine/train/trainer.h"
#include "tests/engine/method_support.h"
#include "tests/engine/tiny_run.h"
#include "tests/engine/vit_support.h"

using namespace pretext;

namespace {

struct Box {
  int top = 1 << 30, left = 1 << 30, bottom = -1, right = -1, cells = 0;
  int height() const { return bottom - top + 1; }
  int width() const { return right - left + 1; }
};

// The bounding box of the cells where pick(byte) holds, and how many there are.
template <class Pick>
Box box_of(const std::vector<uint8_t>& cells, int cols, Pick pick) {
  Box b;
  for (size_t k = 0; k < cells.size(); ++k) {
    if (!pick(cells[k])) continue;
    const int r = int(k) / cols, c = int(k) % cols;
    b.top = std::min(b.top, r), b.bottom = std::max(b.bottom, r);
    b.left = std::min(b.left, c), b.right = std::max(b.right, c);
    ++b.cells;
  }
  return b;
}

// Whether a block of h x w patches can come from an area share in [lo, hi] and an aspect in
// [alo, ahi] on an L-patch grid, given that each side was rounded to the nearest whole patch.
bool fits(int h, int w, int l, double lo, double hi, double alo, double ahi) {
  const double area_lo = (h - 0.5) * (w - 0.5) / l, area_hi = (h + 0.5) * (w + 0.5) / l;
  const double aspect_lo = (h - 0.5) / (w + 0.5), aspect_hi = (h + 0.5) / (w - 0.5);
  return area_hi >= lo && area_lo <= hi && aspect_hi >= alo && aspect_lo <= ahi;
}

nlohmann::json small_params() {
  return merged_method_params("ijepa", {{"pred_dim", 32}, {"pred_depth", 2}, {"pred_heads", 2}});
}

torch::Tensor drawn_masks(int64_t n, int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  std::vector<uint8_t> all;
  for (int64_t i = 0; i < n; ++i) {
    const auto one = sample_jepa_blocks(rows, cols, JepaBlockSpec{}, rng);
    all.insert(all.end(), one.begin(), one.end());
  }
  return torch::tensor(all, torch::kUInt8).view({n, rows * cols});
}

}  // namespace

// Each target block is a whole rectangle whose size and aspect come from the paper's ranges (15-20 %
// of the patches, aspect 0.75-1.5), the draws span those ranges, and the context is one square-ish
// block of 85-100 % holding no target patch and at least min_context patches.
TEST(ijepa, TheBlockSamplerDrawsThePapersScalesAndAspects) {
  const int rows = 28, cols = 28, l = rows * cols;
  const JepaBlockSpec spec;
  Rng rng(4);
  double smallest = 1, largest = 0, flattest = 10, tallest = 0;
  for (int draw = 0; draw < 400; ++draw) {
    const auto cells = sample_jepa_blocks(rows, cols, spec, rng);
    ASSERT_EQ(cells.size(), size_t(l));
    for (int i = 0; i < spec.targets; ++i) {
      const uint8_t bit = uint8_t(2u << i);
      const Box b = box_of(cells, cols, [&](uint8_t m) { return (m & bit) != 0; });
      ASSERT_GT(b.cells, 0) << "target block " << i << " missing";
      EXPECT_EQ(b.cells, b.height() * b.width()) << "target block " << i << " is not a rectangle";
      EXPECT_TRUE(fits(b.height(), b.width(), l, 0.15, 0.2, 0.75, 1.5)) << b.height() << " x " << b.width();
      smallest = std::min(smallest, double(b.cells) / l), largest = std::max(largest, double(b.cells) / l);
      const double aspect = double(b.height()) / b.width();
      flattest = std::min(flattest, aspect), tallest = std::max(tallest, aspect);
    }
    EXPECT_EQ(cells.end(), std::find_if(cells.begin(), cells.end(), [](uint8_t m) { return m > 1 && !(m & 1u); }))
        << "a target patch is in the context";
    EXPECT_TRUE(std::none_of(cells.begin(), cells.end(), [](uint8_t m) { return m >= (2u << 4); }));
    const Box context = box_of(cells, cols, [](uint8_t m) { return m == 0; });
    EXPECT_GE(context.cells, spec.min_context);
  }
  EXPECT_LT(smallest, 0.155);
  EXPECT_GT(largest, 0.195);
  EXPECT_LT(flattest, 0.8);
  EXPECT_GT(tallest, 1.4);
}

// With no targets in the way (scale 0), the context block alone: square, 85-100 % of the grid.
TEST(ijepa, TheContextBlockIsASquareOfItsScale) {
  JepaBlockSpec spec;
  spec.targets = 1;
  spec.target_scale_lo = spec.target_scale_hi = 0.0;  // a single patch: one side rounds to 1
  Rng rng(9);
  for (int draw = 0; draw < 200; ++draw) {
    const auto cells = sample_jepa_blocks(20, 20, spec, rng);
    const Box c = box_of(cells, 20, [](uint8_t m) { return m == 0; });  // one target patch cannot cut a side
    EXPECT_EQ(c.height(), c.width());
    EXPECT_TRUE(fits(c.height(), c.width(), 400, 0.85, 1.0, 1.0, 1.0)) << c.height();
  }
}

TEST(ijepa, BlockIndicesKeepTheBatchsSmallestCountInPatchOrder) {
  // Two images of 6 patches: context {0, 2, 5} and {1, 3}; block 1 {4} and {0, 5}.
  auto masks = torch::tensor({0, 1, 0, 1, 3, 0, 3, 0, 1, 0, 1, 3}, torch::kUInt8).view({2, 6});
  const JepaBlockIndices b = block_indices_of(masks);
  EXPECT_TRUE(torch::equal(b.context, torch::tensor({0, 2, 1, 3}, torch::kLong).view({2, 2})));
  ASSERT_EQ(b.targets.size(), 1u);
  EXPECT_TRUE(torch::equal(b.targets[0], torch::tensor({4, 0}, torch::kLong).view({2, 1})));
  EXPECT_THROW(block_indices_of(torch::ones({1, 4}, torch::kUInt8)), std::runtime_error);  // no context
}

TEST(ijepa, TheLossIsTheMeanSquaredDistanceOverBlocksPatchesAndDimensions) {
  torch::manual_seed(1);
  std::vector<torch::Tensor> pred = {torch::randn({2, 3, 4}), torch::randn({2, 5, 4})};
  std::vector<torch::Tensor> target = {torch::randn({2, 3, 4}), torch::randn({2, 5, 4})};
  double expected = 0;
  for (size_t b = 0; b < 2; ++b) {
    double sum = 0;
    auto p = pred[b].accessor<float, 3>();
    auto t = target[b].accessor<float, 3>();
    for (int64_t i = 0; i < p.size(0); ++i)
      for (int64_t j = 0; j < p.size(1); ++j)
        for (int64_t k = 0; k < p.size(2); ++k) sum += std::pow(double(p[i][j][k]) - double(t[i][j][k]), 2);
    expected += sum / double(pred[b].numel()) / 2;
  }
  EXPECT_NEAR(jepa_loss(pred, target).item<double>(), expected, 1e-5);
}

TEST(ijepa, TwentyStepsOnAFixedBatchLowerTheLoss) {
  torch::manual_seed(2);
  IJEPAImpl m(test::small_vit(1, 32), small_params());
  auto batch = batch_of_views(test::fixed_views(16, 1, 32, 1));
  batch.masks = {drawn_masks(16, 8, 8, 5)};
  auto c = test::train_steps(m, batch, 20, 1e-3, /*adam=*/true);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
  test::expect_frozen(*m.target_vit);
  EXPECT_GT(m.tau(), 0.996);
  EXPECT_EQ(m.features(torch::randn({3, 1, 32, 32})).sizes(), (std::vector<int64_t>{3, 32}));
}

TEST(ijepa, ABatchWithoutBlocksOrOnAnotherGridIsRefusedWithTheFix) {
  IJEPAImpl m(test::small_vit(1, 32), small_params());
  auto batch = batch_of_views(test::fixed_views(4, 1, 32, 1));
  try {
    m.compute(batch);
    FAIL() << "a batch without blocks was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("jepa_blocks"), std::string::npos) << e.what();
  }
  batch.masks = {drawn_masks(4, 4, 4, 1)};  // 16 patches; the backbone cuts 64
  try {
    m.compute(batch);
    FAIL() << "blocks on another grid were accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("\"patch\": 4"), std::string::npos) << e.what();
  }
}

// The live panel: context, targets, and the patches found nearest to the predictions, each the
// input's size; nothing outside the context in the first row.
TEST(ijepa, ThePictureShowsContextTargetsAndWhatThePredictionsFind) {
  torch::manual_seed(3);
  IJEPAImpl m(test::small_vit(1, 32), small_params());
  m.eval();
  torch::NoGradGuard no_grad;
  auto x = test::fixed_views(6, 1, 32, 1)[0];
  const auto pic = m.picture(x);
  ASSERT_EQ(pic.rows.size(), 3u);
  for (const auto& [title, images] : pic.rows) EXPECT_EQ(images.sizes(), x.sizes()) << title;
  const auto drawn = drawn_masks(6, 8, 8, 0);  // the picture's fixed draw
  auto outside_context = (drawn.bitwise_and(1) != 0).unsqueeze(-1).to(torch::kFloat);
  auto context_patches = image_patches(pic.rows[0].second, 4);
  EXPECT_EQ((context_patches * outside_context).abs().sum().item<double>(), 0.0);
  EXPECT_GT(image_patches(pic.rows[1].second, 4).abs().sum().item<double>(), 0.0);
  EXPECT_GE(pic.score, 0.0);
  EXPECT_LE(pic.score, 1.0);
}

// The op draws the blocks on the view's patch grid; the loader hands them to the method; a run trains.
TEST(ijepa, ThePresetDrawsBlocksAndARunTrains) {
  const Pipeline pipeline = Pipeline::load("ijepa");
  const cv::Mat img(32, 32, CV_8UC3, cv::Scalar(90, 120, 30));
  const View v = pipeline.apply(img, 0, 1, 0, 0);
  ASSERT_EQ(v.mask.rows, 8);
  ASSERT_EQ(v.mask.cols, 8);
  EXPECT_TRUE(std::any_of(v.mask.masked.begin(), v.mask.masked.end(), [](uint8_t m) { return m & (2u << 3); }));
  EXPECT_EQ(render_view(v, 64).size(), cv::Size(64, 64));
  EXPECT_THROW(Pipeline::from_json(nlohmann::json::parse(
                   R"({"name":"t","views":[{"ops":[{"op":"jepa_blocks","targets":6,"target_scale":[0.1,0.2]}]}]})")),
               std::runtime_error);

  NEED_FMNIST();
  auto cfg = test::tiny_config(3);
  cfg.method = "ijepa";
  cfg.method_params = {{"pred_dim", 32}, {"pred_depth", 1}, {"pred_heads", 2}};
  test::Recorder rec;
  Trainer t(cfg, rec, "");
  t.run();
  ASSERT_EQ(t.status(), "finished");
  ASSERT_EQ(rec.steps.size(), 3u);
  for (const auto& s : rec.steps) EXPECT_TRUE(std::isfinite(s.loss));
}
