// ctest-labels: unit dataset-fashion-mnist
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/train/task_comparison.h"
#include "engine/train/trainer.h"
#include "tests/engine/tiny_run.h"

using namespace pretext;

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }
}  // namespace

TEST(task_comparison, DefaultMethodsAreThePretextTasksTheBackboneCanTrainAndSimCLR) {
  const auto conv = default_compared_methods("resnet-tiny");
  for (const char* m : {"rotnet", "jigsaw", "relative-location", "colorization", "inpainting", "simclr"})
    EXPECT_TRUE(has(conv, m)) << m;
  EXPECT_FALSE(has(conv, "mae"));  // needs a ViT
  EXPECT_FALSE(has(conv, "beit"));
  EXPECT_FALSE(has(conv, "byol"));  // a joint-embedding method other than the reference
  const auto vit = default_compared_methods("vit-tiny");
  EXPECT_TRUE(has(vit, "mae"));
  EXPECT_TRUE(has(vit, "beit"));
}

TEST(task_comparison, EveryMethodGetsTheSameTermsAndItsOwnHyperParameters) {
  TrainConfig base;
  base.data = "/data";
  base.backbone = "convnet";
  base.steps = 123;
  base.seed = 9;
  base.limit = 500;
  base.method_params = {{"temperature", 0.2}};  // simclr's: not the others'
  base.optimizer = "lars";
  base.lr = 0.3;
  const auto configs = task_comparison_configs(base, {"rotnet", "inpainting"});
  ASSERT_EQ(configs.size(), 2u);
  for (const auto& c : configs) {
    EXPECT_EQ(c.data, "/data");
    EXPECT_EQ(c.backbone, "convnet");
    EXPECT_EQ(c.steps, 123);
    EXPECT_EQ(c.seed, 9u);
    EXPECT_EQ(c.limit, 500u);
    EXPECT_TRUE(c.method_params.empty());
    EXPECT_EQ(c.optimizer, "auto");
    EXPECT_EQ(c.lr, 0.0);
  }
  EXPECT_EQ(configs[1].method, "inpainting");
  EXPECT_EQ(configs[1].name, "compare-inpainting");
  EXPECT_THROW(task_comparison_configs(base, {"rotnet", "rotnett"}), std::invalid_argument);
}

TEST(task_comparison, TheTableListsTheBestFirstWithItsGainAndFailuresLast) {
  TaskOutcome a{"rotnet", "finished", "", 1, 50, 0.40, 0.30, 0.35};
  TaskOutcome b{"jigsaw", "finished", "", 2, 50, 0.45, 0.30, 0.35};
  TaskOutcome c{"mae", "failed", "mae needs a ViT backbone", 3, 0, -1, -1, -1};
  const std::string table = describe_task_comparison({c, a, b});
  EXPECT_LT(table.find("jigsaw"), table.find("rotnet"));
  EXPECT_LT(table.find("rotnet"), table.find("mae"));
  EXPECT_NE(table.find("+15.00 points"), std::string::npos);
  EXPECT_NE(table.find("45.00 %"), std::string::npos);
  EXPECT_NE(table.find("failed: mae needs a ViT backbone"), std::string::npos);
  EXPECT_EQ(table.find("linear"), std::string::npos);  // no run ended with one: no column
}

// The other probes the runs ended with get a column each, beside the kNN; a run without one shows "-".
TEST(task_comparison, EveryOtherProbeGetsAColumn) {
  TaskOutcome a{"rotnet", "finished", "", 1, 50, 0.40, 0.30, 0.35, {{"linear", 0.52}}};
  TaskOutcome b{"jigsaw", "finished", "", 2, 50, 0.45, 0.30, 0.35, {{"linear", 0.61}, {"centroid", 0.38}}};
  const std::string table = describe_task_comparison({a, b});
  const std::string header = table.substr(0, table.find('\n'));
  EXPECT_LT(header.find("kNN"), header.find("linear"));
  EXPECT_LT(header.find("linear"), header.find("centroid"));
  EXPECT_LT(header.find("centroid"), header.find("untrained"));
  EXPECT_NE(table.find("52.00 %"), std::string::npos);
  EXPECT_NE(table.find("61.00 %"), std::string::npos);
  EXPECT_NE(table.find("38.00 %"), std::string::npos);
  const std::string rotnet = table.substr(table.find("rotnet"));
  EXPECT_NE(rotnet.substr(0, rotnet.find('\n')).find(" - "), std::string::npos);  // rotnet has no centroid
}

TEST(task_comparison, TheRecorderReadsARunsOutcomeFromItsEvents) {
  NEED_FMNIST();
  test::TempDir dir;
  auto base = test::tiny_config(3);
  for (const auto& cfg : task_comparison_configs(base, {"rotnet", "inpainting"})) {
    test::Recorder inner;
    OutcomeRecorder recorder(cfg.method, inner);
    Trainer t(cfg, recorder, dir.str("compare.db"));
    t.run();
    const TaskOutcome o = recorder.outcome();
    EXPECT_EQ(o.status, "finished") << cfg.method << ": " << o.message;
    EXPECT_EQ(o.steps, 3);
    EXPECT_EQ(o.run_id, t.run_id());
    EXPECT_GE(o.knn, 0.0);
    EXPECT_GE(o.untrained, 0.0);
    EXPECT_GE(o.raw_pixels, 0.0);
    EXPECT_FALSE(inner.steps.empty());  // every event went on
  }
}
