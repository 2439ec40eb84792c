// ctest-labels: unit
// The prefetching loader: same bytes as augment_batch, step order, epochs, pretext targets and masks.
#include <gtest/gtest.h>

#include "engine/augment/loader.h"

using namespace pretext;

namespace {
std::shared_ptr<ImageSet> noise_set(size_t n, int side) {
  auto s = std::make_shared<ImageSet>();
  s->height = s->width = side;
  s->channels = 3;
  s->pixels.resize(n * s->image_bytes());
  Rng rng(42);
  for (size_t k = 0; k < s->pixels.size(); ++k) s->pixels.data()[k] = static_cast<uint8_t>(rng.integer(0, 255));
  for (size_t i = 0; i < n; ++i) {
    s->sources.push_back("img" + std::to_string(i));
    s->labels.push_back(static_cast<int>(i % 3));
  }
  s->class_names = {"a", "b", "c"};
  return s;
}
}  // namespace

TEST(loader, BatchesMatchAugmentBatchInStepOrder) {
  auto set = noise_set(20, 16);
  const Pipeline p = Pipeline::load("simclr-cifar");
  const ChannelStats stats{{0.5, 0.5, 0.5}, {0.25, 0.25, 0.25}};
  LoaderOptions o;
  o.batch_size = 8;  // 2 steps per epoch (20 / 8, remainder dropped)
  o.views = 2;
  o.seed = 9;
  o.steps = 5;
  o.workers = 3;
  o.prefetch = 2;
  Loader loader(set, p, stats, o);
  EXPECT_EQ(loader.steps_per_epoch(), 2);
  for (int64_t step = 0; step < 5; ++step) {
    auto b = loader.next();
    ASSERT_TRUE(b.has_value());
    ASSERT_EQ(b->step, step);
    ASSERT_EQ(b->epoch, step / 2);
    const auto order = epoch_order(20, 9, b->epoch);
    const std::vector<size_t> idx(order.begin() + (step % 2) * 8, order.begin() + (step % 2) * 8 + 8);
    ASSERT_EQ(b->indices, idx);
    const auto ref = augment_batch(*set, idx, p, 2, 9, b->epoch, stats);
    ASSERT_EQ(b->views.size(), 2u);
    for (size_t v = 0; v < 2; ++v) {
      ASSERT_EQ(b->views[v].sizes(), (std::vector<int64_t>{8, 3, 16, 16}));
      EXPECT_TRUE(torch::equal(b->views[v], ref[v])) << "step " << step << " view " << v;
    }
    EXPECT_EQ(b->labels[0].item<int64_t>(), static_cast<int64_t>(idx[0] % 3));
    EXPECT_FALSE(b->targets[0].defined());
    EXPECT_FALSE(b->masks[0].defined());
  }
  EXPECT_FALSE(loader.next().has_value());
}

TEST(loader, EpochOrderIsAPermutationThatChangesPerEpoch) {
  auto a = epoch_order(100, 1, 0), b = epoch_order(100, 1, 1);
  EXPECT_NE(a, b);
  std::sort(a.begin(), a.end());
  for (size_t i = 0; i < 100; ++i) ASSERT_EQ(a[i], i);
  EXPECT_EQ(epoch_order(100, 1, 1), b);
}

TEST(loader, CarriesRotationTargetsMaskAndMultiCropSizes) {
  auto set = noise_set(6, 32);
  const ChannelStats stats{{0.5}, {0.5}};
  Batch rot = make_batch(*set, {0, 1, 2}, Pipeline::load("rotnet-views"), 4, 1, 0, stats);
  ASSERT_EQ(rot.targets.size(), 4u);
  for (int v = 0; v < 4; ++v) EXPECT_TRUE(torch::equal(rot.targets[v], torch::full({3}, v, torch::kLong)));

  Batch mae = make_batch(*set, {3, 4}, Pipeline::load("mae-cifar"), 1, 1, 0, stats);
  ASSERT_TRUE(mae.masks[0].defined());
  EXPECT_EQ(mae.masks[0].sizes(), (std::vector<int64_t>{2, 64}));             // 32 px / 4 px patches
  EXPECT_EQ(mae.masks[0].sum().item<int64_t>(), 2 * (64 - 16));                // 75% of 64 masked

  Batch dino = make_batch(*set, {0, 5}, Pipeline::load("dino-cifar"), 8, 1, 0, stats);
  ASSERT_EQ(dino.views.size(), 8u);
  EXPECT_EQ(dino.views[0].size(2), 32);
  EXPECT_EQ(dino.views[1].size(2), 32);
  for (int v = 2; v < 8; ++v) EXPECT_EQ(dino.views[v].size(2), 16);

  // A view-level normalize op overrides the dataset statistics.
  const Pipeline norm = Pipeline::from_json(nlohmann::json::parse(
      R"({"views":[{"ops":[{"op":"normalize","mean":[0,0,0],"std":[1,1,1]}]}]})"));
  Batch n = make_batch(*set, {2}, norm, 1, 1, 0, stats);
  EXPECT_NEAR(n.views[0].index({0, 0, 0, 0}).item<double>(), set->image(2)[0] / 255.0, 1e-6);
}

TEST(loader, ErrorsSurfaceInNextAndDestructionDoesNotHang) {
  auto set = noise_set(10, 8);
  // A jigsaw grid the 4 px view cannot hold fails inside a worker; next() rethrows it.
  const Pipeline bad = Pipeline::from_json(nlohmann::json::parse(
      R"({"views":[{"size":4,"ops":[{"op":"jigsaw","grid":8,"permutations":1}]}]})"));
  LoaderOptions o;
  o.batch_size = 4;
  o.views = 1;
  o.workers = 2;
  {
    Loader l(set, bad, {{0.5}, {0.5}}, o);
    EXPECT_THROW(l.next(), std::exception);
  }
  {
    Loader unbounded(set, Pipeline::load("simclr-cifar"), {{0.5}, {0.5}}, o);  // steps -1: runs until destroyed
    ASSERT_TRUE(unbounded.next().has_value());
  }
  EXPECT_THROW(Loader(set, bad, {{0.5}, {0.5}}, LoaderOptions{}), std::invalid_argument);  // batch 256 > 10 images
}
