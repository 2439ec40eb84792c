// ctest-labels: unit
// Masked patch prediction over a patch vocabulary: the masking, the masked cross-entropy, the
// k-means vocabulary, the method, and the trainer's fit-once-and-share phase.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <random>

#include "engine/methods/beit.h"
#include "engine/methods/vocabulary.h"
#include "engine/models/vit.h"
#include "engine/train/data_fit.h"
#include "engine/train/trainer.h"
#include "tests/engine/method_support.h"
#include "tests/engine/vit_support.h"
#include "tests/engine/tiny_run.h"

using namespace pretext;
using test::small_vit;

namespace {
nlohmann::json small_params() {
  return {{"vocabulary", 8}, {"mask_ratio", 0.4}, {"masking", "block"}, {"min_block_patches", 2}, {"fit_images", 64}};
}
}  // namespace

TEST(beit, BlockMasksNeverPassTheCountAndReachItAlmostAlways) {
  std::mt19937_64 rng(3);
  double total = 0;
  for (int i = 0; i < 300; ++i) {
    auto m = block_mask(8, 8, 26, 4, rng);
    const double masked = m.sum().item<double>();
    EXPECT_LE(masked, 26.0);
    EXPECT_GE(masked, 4.0);  // at least one block
    total += masked;
  }
  EXPECT_GT(total / 300, 0.9 * 26);  // the generator stops short only now and then
}

TEST(beit, ABlockAsLargeAsTheCountIsOneRectangleOfThePapersShape) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100; ++i) {
    auto m = block_mask(8, 8, 12, 12, rng).view({8, 8});
    auto rows = m.sum(1).nonzero().flatten(), cols = m.sum(0).nonzero().flatten();
    const int64_t h = rows.size(0), w = cols.size(0);
    ASSERT_GT(h * w, 0);
    EXPECT_EQ(m.sum().item<double>(), double(h * w)) << "not one filled rectangle";
    // The sampled area is at least 12 and the aspect ratio within [0.3, 1/0.3] before rounding.
    EXPECT_GE(h * w, 9);
    EXPECT_LE(double(std::max(h, w)) / double(std::min(h, w)), 1 / 0.3 + 1.5);
  }
}

TEST(beit, RandomMaskingMasksExactlyTheCountPerSample) {
  std::mt19937_64 rng(1);
  auto m = draw_patch_masks("random", 5, 4, 4, 6, 1, rng);
  ASSERT_EQ(m.sizes(), (std::vector<int64_t>{5, 16}));
  for (int64_t i = 0; i < 5; ++i) EXPECT_EQ(m[i].sum().item<double>(), 6.0);
  EXPECT_FALSE(torch::equal(m[0], m[1]));
}

TEST(beit, MaskedCrossEntropyIsTheExplicitSumOverMaskedPositions) {
  torch::manual_seed(0);
  auto logits = torch::randn({2, 5, 7}, torch::kDouble);
  auto codes = torch::randint(7, {2, 5}, torch::kLong);
  auto mask = torch::tensor({{1.0, 0.0, 1.0, 0.0, 0.0}, {0.0, 1.0, 1.0, 1.0, 0.0}}, torch::kDouble);
  double sum = 0;
  int masked = 0;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      if (mask[i][j].item<double>() == 0) continue;
      double z = 0;
      for (int64_t k = 0; k < 7; ++k) z += std::exp(logits[i][j][k].item<double>());
      sum += -(logits[i][j][codes[i][j].item<int64_t>()].item<double>() - std::log(z));
      ++masked;
    }
  EXPECT_NEAR(masked_token_loss(logits, codes, mask).item<double>(), sum / masked, 1e-5);
  // Visible positions do not count: changing their logits changes nothing.
  auto other = logits + (1 - mask).unsqueeze(-1) * torch::randn_like(logits) * 10;
  EXPECT_NEAR(masked_token_loss(other, codes, mask).item<double>(), sum / masked, 1e-5);
}

TEST(beit, KMeansRecoversKnownClusters) {
  torch::manual_seed(4);
  auto centres = torch::tensor({{0.0f, 0.0f, 0.0f}, {10.0f, 0.0f, 0.0f}, {0.0f, 10.0f, 0.0f}, {0.0f, 0.0f, 10.0f}});
  auto truth = torch::randint(4, {400}, torch::kLong);
  auto points = centres.index_select(0, truth) + 0.1f * torch::randn({400, 3});
  auto found = kmeans(points, 4, 50, 7);
  ASSERT_EQ(found.sizes(), (std::vector<int64_t>{4, 3}));
  for (int64_t c = 0; c < 4; ++c)
    EXPECT_LT((found - centres[c]).norm(2, 1).min().item<double>(), 0.1) << "centre " << c << " not found";
  // Points of one true cluster share one code, and different clusters different codes.
  auto codes = nearest_codes(points, found);
  for (int64_t c = 0; c < 4; ++c) {
    auto of_c = codes.index({truth == c});
    EXPECT_EQ(std::get<0>(at::_unique(of_c)).size(0), 1);
  }
  EXPECT_EQ(std::get<0>(at::_unique(codes)).size(0), 4);
  EXPECT_TRUE(torch::equal(kmeans(points, 4, 50, 7), found));  // deterministic for a seed
}

TEST(beit, KMeansStaysFiniteWhenThereAreFewerDistinctPointsThanCodes) {
  auto points = torch::cat({torch::zeros({10, 2}), torch::ones({10, 2})});
  auto found = kmeans(points, 3, 10, 1);
  EXPECT_TRUE(torch::isfinite(found).all().item<bool>());
  EXPECT_THROW(kmeans(points, 30, 10, 1), std::invalid_argument);  // fewer points than codes
}

TEST(beit, PatchesAreInTheViTsOrder) {
  auto vit = small_vit(2);
  auto x = torch::randn({2, 2, 16, 16});
  EXPECT_TRUE(torch::equal(image_patches(x, 4), vit->patchify(x)));
}

TEST(beit, MaskedPatchesEnterAsTheMaskTokenWhateverTheirPixels) {
  torch::manual_seed(2);
  BEiTImpl m(small_vit(), small_params());
  m.eval();
  auto x = torch::randn({1, 1, 16, 16});
  auto mask = torch::zeros({1, 16});
  mask[0][5] = 1;
  auto y = x.clone();
  y.slice(2, 4, 8).slice(3, 4, 8).fill_(9.0);  // patch 5 (row 1, col 1)
  EXPECT_TRUE(torch::allclose(m.predict(x, mask), m.predict(y, mask), 1e-5, 1e-5));
  EXPECT_FALSE(torch::allclose(m.predict(x, torch::zeros({1, 16})), m.predict(y, torch::zeros({1, 16}))));
}

TEST(beit, RefusesToTrainBeforeItsVocabularyIsFittedAndKeepsItAsABuffer) {
  BEiTImpl m(small_vit(), small_params());
  auto views = test::fixed_views(8, 1, 16, 1);
  EXPECT_THROW(m.compute(batch_of_views(views)), std::logic_error);
  fit_method_to_images(m, views[0]);
  EXPECT_GT(m.vocabulary.abs().sum().item<double>(), 0);
  EXPECT_TRUE(m.named_buffers().contains("vocabulary"));  // in every checkpoint
  EXPECT_THROW(BEiTImpl(make_backbone("resnet-tiny", 1), small_params()), std::runtime_error);
}

TEST(beit, Trains20StepsWithFallingLoss) {
  torch::manual_seed(2);
  BEiTImpl m(small_vit(), small_params());
  auto views = test::fixed_views(32, 1, 16, 1);
  fit_method_to_images(m, views[0]);
  auto c = test::train_steps(m, views, 20, 1e-3, /*adam=*/true);
  ASSERT_TRUE(c.finite());
  EXPECT_LT(c.last5(), c.first5());
  EXPECT_EQ(m.features(torch::randn({3, 1, 16, 16})).sizes(), (std::vector<int64_t>{3, 32}));
}

// A run fits the vocabulary once; the next run on the same data reuses it from beside the database.
TEST(beit, TheVocabularyIsFittedOnceAndSharedByRunsOnTheSameData) {
  NEED_FMNIST();
  test::TempDir dir;
  auto cfg = test::tiny_config(2);
  cfg.method = "beit";
  cfg.method_params = {{"vocabulary", 16}};
  auto lines_of = [&](const std::string& needle) {
    test::Recorder rec;
    Trainer t(cfg, rec, dir.str("beit.db"));
    t.run();
    EXPECT_EQ(t.status(), "finished");
    int found = 0;
    for (const auto& l : rec.logs) found += l.message.find(needle) != std::string::npos;
    return found;
  };
  EXPECT_EQ(lines_of("fitted on 64 images"), 1);
  EXPECT_EQ(lines_of("reused the fit of an earlier run"), 1);
}

TEST(beit, PatchesBackToImagesIsTheInverse) {
  auto x = torch::randn({2, 3, 12, 8});
  EXPECT_TRUE(torch::equal(patches_to_images(image_patches(x, 4), 4, 3, 2, 3), x));
}

// The live panel's picture: three rows of the input's size, the masked patches blank in the first,
// every patch a vocabulary centroid in the second.
TEST(beit, ThePictureShowsTheMaskTheTargetCodesAndThePrediction) {
  torch::manual_seed(5);
  BEiTImpl m(small_vit(), small_params());
  auto views = test::fixed_views(16, 1, 16, 1);
  fit_method_to_images(m, views[0]);
  m.eval();
  torch::NoGradGuard no_grad;
  const auto pic = m.picture(views[0].slice(0, 0, 4));
  ASSERT_EQ(pic.rows.size(), 3u);
  for (const auto& [title, images] : pic.rows) EXPECT_EQ(images.sizes(), (std::vector<int64_t>{4, 1, 16, 16})) << title;
  auto masked = image_patches(pic.rows[0].second, 4).abs().sum(-1) == 0;  // [4, 16]
  EXPECT_GT(masked.sum().item<int64_t>(), 0);
  auto target_patches = image_patches(pic.rows[1].second, 4).reshape({-1, 16});
  EXPECT_TRUE(torch::equal(nearest_codes(target_patches, m.vocabulary),
                           m.codes(views[0].slice(0, 0, 4)).flatten()));  // each drawn patch is its code
  EXPECT_GE(pic.score, 0.0);
  EXPECT_LE(pic.score, 1.0);
}

// At each diagnostic step a pretext task sends its picture (8 images, 8-bit RGB at the view size);
// a joint-embedding method sends none.
TEST(beit, DiagnosticStepsSendThePictureOfTheTask) {
  NEED_FMNIST();
  struct Previews : EventSink {
    std::mutex mu;
    std::vector<PreviewEvent> got;
    void on_event(const Event& e) override {
      std::lock_guard<std::mutex> lock(mu);
      if (const auto* p = std::get_if<PreviewEvent>(&e)) got.push_back(*p);
    }
  };
  for (const char* method : {"beit", "simclr"}) {
    auto cfg = test::tiny_config(2);
    cfg.method = method;
    cfg.method_params = std::string(method) == "beit" ? nlohmann::json{{"vocabulary", 16}} : nlohmann::json::object();
    cfg.diag_every = 1;
    cfg.diag_batch = 16;
    cfg.online_knn = 0;
    Previews sink;
    Trainer t(cfg, sink, "");
    t.run();
    ASSERT_EQ(t.status(), "finished") << method;
    if (std::string(method) == "simclr") {
      EXPECT_TRUE(sink.got.empty());
      continue;
    }
    ASSERT_EQ(sink.got.size(), 2u);
    const PreviewEvent& p = sink.got.back();
    EXPECT_EQ(p.step, 2);
    EXPECT_EQ(p.row_titles.size(), 3u);
    ASSERT_EQ(p.rows.size(), 3u);
    EXPECT_EQ(p.rows[0].size(), 8u);
    EXPECT_EQ(p.rows[0][0].size(), size_t(p.width * p.height * 3));
    EXPECT_EQ(p.width, 28);
  }
}
