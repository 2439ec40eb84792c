// ctest-labels: unit
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include "engine/augment/batch.h"
#include "engine/augment/pipeline.h"
#include "engine/methods/method.h"
#include "engine/train/data_fit.h"
#include "engine/train/resolve.h"
#include "engine/methods/method_info.h"
#include "tests/engine/image_support.h"

using namespace pretext;

TEST(registry, EveryMethodIsListedWithAnExistingPreset) {
  std::set<std::string> names;
  for (const auto& m : method_infos()) {
    names.insert(m.name);
    const Pipeline p = Pipeline::load(m.pipeline);
    EXPECT_FALSE(p.views.empty()) << m.name;
    EXPECT_GE(m.views, 1u);
    EXPECT_TRUE(m.defaults.contains("optimizer")) << m.name;
  }
  EXPECT_EQ(names.size(), method_infos().size()) << "two methods share a name";
  EXPECT_EQ(method_names().size(), method_infos().size());
  // DINO's preset lists its 2 global and 4 local crops; the local ones are smaller.
  const Pipeline dino = Pipeline::load(method_info("dino").pipeline);
  ASSERT_EQ(dino.views.size(), method_info("dino").views);
  EXPECT_EQ(dino.views[0].size, 0);
  EXPECT_GT(dino.views[5].size, 0);
}

// Each method on the batch its own preset draws (views, pretext targets, patch masks) from four
// 28 px colour images: colourisation needs colour, the rest take any.
TEST(registry, EveryMethodBuildsAndRunsAForwardWithItsDefaults) {
  torch::manual_seed(0);
  std::mt19937 noise(1);
  const ImageSet images = test::synthetic_images(4, 28, 3, [&] { return uint8_t(noise()); });
  const ChannelStats stats{{0.5, 0.5, 0.5}, {0.25, 0.25, 0.25}};
  for (const auto& info : method_infos()) {
    const bool vit = info.defaults.value("backbone", "") == "vit-tiny";
    auto m = make_method(info.name, nlohmann::json::object(), make_backbone(vit ? "vit-tiny" : "resnet-tiny", 3));
    const Batch batch = make_batch(images, {0, 1, 2, 3}, Pipeline::load(info.pipeline), info.views, 5, 0, stats);
    fit_method_to_images(*m, torch::randn({40, 3, 28, 28}));  // 1,960 patches for BEiT's 512 codes
    m->train();
    auto out = m->compute(batch);
    EXPECT_TRUE(std::isfinite(out.total.item<double>())) << info.name;
    EXPECT_FALSE(out.components.empty()) << info.name;
    EXPECT_EQ(out.embeddings.size(0), 4) << info.name;
    EXPECT_FALSE(out.embeddings.requires_grad()) << info.name;
    m->eval();
    torch::NoGradGuard g;
    EXPECT_EQ(m->embed(batch.views[0]).size(0), 4) << info.name;
    EXPECT_EQ(m->features(batch.views[0]).size(0), 4) << info.name;
  }
}

// The methods table in docs/methods.md has a row for every registered method (the docs are read by
// people; this keeps them from falling behind the one registry table).
TEST(registry, TheMethodsDocumentListsEveryRegisteredMethod) {
  std::ifstream doc(std::string(PRETEXT_SOURCE_DIR) + "/docs/methods.md");
  ASSERT_TRUE(doc.good());
  std::set<std::string> rows;
  for (std::string line; std::getline(doc, line);) {
    if (line.rfind("| ", 0) != 0) continue;
    const std::string cell = line.substr(2, line.find_first_of(" |", 2) - 2);
    rows.insert(cell);
  }
  for (const auto& name : method_names()) EXPECT_TRUE(rows.count(name)) << name << " has no row in docs/methods.md";
}

TEST(registry, UnknownNamesAndParametersAreRejected) {
  EXPECT_THROW(method_info("simclrr"), std::invalid_argument);
  auto bb = make_backbone("resnet-tiny", 1);
  EXPECT_THROW(make_method("byol", {{"tua", 0.9}}, bb), std::invalid_argument);
  EXPECT_ANY_THROW(make_method("byol", {{"base_tau", "high"}}, bb));
  EXPECT_ANY_THROW(make_method("mae", nlohmann::json::object(), bb));  // MAE needs a ViT
  EXPECT_NO_THROW(make_method("byol", {{"base_tau", 0.9}, {"proj_hidden", 16}}, bb));
}

TEST(registry, AutoBackboneIsTheMethodsDefault) {
  EXPECT_EQ(resolve_backbone_name("auto", method_info("mae").defaults), "vit-tiny");  // MAE needs a ViT
  EXPECT_EQ(resolve_backbone_name("", method_info("mae").defaults), "vit-tiny");
  EXPECT_EQ(resolve_backbone_name("auto", method_info("simclr").defaults), "resnet-tiny");
  EXPECT_EQ(resolve_backbone_name("resnet18", method_info("mae").defaults), "resnet18");  // an explicit choice stands
}
