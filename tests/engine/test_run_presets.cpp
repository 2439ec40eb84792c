// ctest-labels: unit
// Named run recipes (engine/train/presets.h): each resolves, user choices override it field by
// field, and pretext-cli train --preset records it with the run.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <opencv2/imgcodecs.hpp>

#include "engine/store/store.h"
#include "engine/train/presets.h"
#include "engine/train/resolve.h"
#include "support.h"

using namespace pretext;

namespace {
const auto kNothingGiven = [](const std::string&) { return false; };
}

TEST(run_presets, EachResolvesAndNamesItself) {
  ASSERT_FALSE(run_presets().empty());
  for (const auto& p : run_presets()) {
    TrainConfig c = with_run_preset(TrainConfig{}, p, kNothingGiven);
    EXPECT_EQ(c.preset, p.name);
    EXPECT_FALSE(p.summary.empty()) << p.name;
    c.data = "unused";
    EXPECT_NO_THROW(resolve_config(c)) << p.name;
  }
  // The CPU recipes carry their own time budget; the classroom one fits in three minutes.
  EXPECT_GT(run_preset("classroom").config.value("time_budget_s", 0.0), 0.0);
  EXPECT_LE(run_preset("classroom").config.value("time_budget_s", 0.0), 180.0);
  EXPECT_GT(run_preset("cpu-12min").config.value("time_budget_s", 0.0), 0.0);
}

TEST(run_presets, ExplicitChoicesOverrideTheRecipe) {
  const RunPreset& p = run_preset("classroom");
  TrainConfig user;
  user.batch = 32;
  user.method = p.config.at("method").get<std::string>();
  user.method_params = {{"proj_dim", 7}};
  const TrainConfig c = with_run_preset(user, p, [](const std::string& f) { return f == "batch"; });
  EXPECT_EQ(c.batch, 32);
  EXPECT_EQ(c.backbone, p.config.at("backbone").get<std::string>());
  EXPECT_DOUBLE_EQ(c.time_budget_s, p.config.at("time_budget_s").get<double>());
  EXPECT_EQ(c.method_params.at("proj_dim"), 7);  // a parameter the user set is kept
  const nlohmann::json recipe_params = p.config.value("method_params", nlohmann::json::object());
  for (const auto& [key, value] : recipe_params.items())
    if (key != "proj_dim") EXPECT_EQ(c.method_params.at(key), value) << key;
}

TEST(run_presets, AnotherMethodDropsTheRecipesMethodParameters) {
  TrainConfig user;
  user.method = "rotnet";
  const TrainConfig c = with_run_preset(user, run_preset("classroom"), [](const std::string& f) { return f == "method"; });
  EXPECT_EQ(c.method, "rotnet");
  EXPECT_TRUE(c.method_params.empty());
  TrainConfig resolvable = c;
  resolvable.data = "unused";
  EXPECT_NO_THROW(resolve_config(resolvable));
}

TEST(run_presets, AnUnknownNameListsTheOffer) {
  try {
    run_preset("clasroom");
    FAIL() << "accepted an unknown preset";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("classroom"), std::string::npos) << e.what();
  }
}

TEST(run_presets, CliRecordsThePresetAndHonoursFlags) {
  test::TempDir dir;
  for (int c = 0; c < 2; ++c) {
    std::filesystem::create_directories(dir.path() / ("c" + std::to_string(c)));
    for (int i = 0; i < 12; ++i) {
      cv::Mat img(28, 28, CV_8UC1);
      cv::randu(img, 0, 255);
      ASSERT_TRUE(cv::imwrite(dir.str("c" + std::to_string(c) + "/" + std::to_string(i) + ".png"), img));
    }
  }
  const std::string db = dir.str("p.db");
  const std::string cmd = std::string(PRETEXT_CLI) + " train --preset classroom --data " + dir.str() +
                          " --steps 2 --batch 8 --db " + db + " > " + dir.str("log") + " 2>&1";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd;
  Store store(db);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  const TrainConfig c = TrainConfig::from_json(nlohmann::json::parse(store.run_config(runs[0].id)));
  const RunPreset& p = run_preset("classroom");
  EXPECT_EQ(c.preset, "classroom");
  EXPECT_EQ(c.batch, 8);
  EXPECT_EQ(c.steps, 2);
  EXPECT_EQ(c.method, p.config.at("method").get<std::string>());
  EXPECT_DOUBLE_EQ(c.time_budget_s, p.config.at("time_budget_s").get<double>());

  // A preset and a config document together are refused: which would win is not obvious.
  const std::string both = std::string(PRETEXT_CLI) + " train --preset classroom --config x.json > /dev/null 2>&1";
  const int refused = std::system(both.c_str());
  EXPECT_TRUE(WIFEXITED(refused) && WEXITSTATUS(refused) != 0);
}
