// ctest-labels: unit dataset-fashion-mnist
// Resume continues the same curve: a run stopped at step k and resumed reports, from k on, the
// losses of an uninterrupted run with the same config.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "engine/store/store.h"
#include "engine/train/trainer.h"
#include "tiny_run.h"

using namespace pretext;

namespace {

std::vector<double> stored_losses(const std::string& db, int64_t run) {
  Store s(db, true);
  std::vector<double> out;
  int64_t expect = 1;
  for (const auto& [step, v] : s.metric(run, "loss")) {
    EXPECT_EQ(step, expect++) << "steps must be 1..N, each once";
    out.push_back(v);
  }
  return out;
}

TrainConfig stored_config(const std::string& db, int64_t run) {
  Store s(db, true);
  return TrainConfig::from_json(nlohmann::json::parse(s.run(run)->config));
}

void expect_same_curve(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-6 * std::max(1.0, std::abs(a[i]))) << "step " << i + 1;
}

}  // namespace

TEST(resume, StopAtSixResumeToTwelveEqualsAnUninterruptedRun) {
  NEED_FMNIST();
  test::TempDir dir;
  auto cfg = test::tiny_config(12);  // 64 images / 16 = 4 steps per epoch: the resume crosses epochs

  test::Recorder a;
  Trainer ta(cfg, a, dir.str("a.db"));
  ta.run();
  ASSERT_EQ(ta.status(), "finished");
  ASSERT_EQ(a.steps.size(), 12u);

  const std::string db = dir.str("b.db");
  test::Recorder b1;
  Trainer tb(cfg, b1, db);
  b1.on_step = [&](const StepEvent& s) {
    if (s.step == 6) tb.request_stop();
  };
  tb.run();
  ASSERT_EQ(tb.status(), "stopped");
  ASSERT_EQ(b1.steps.size(), 6u);

  test::Recorder b2;
  Trainer resumed(stored_config(db, tb.run_id()), b2, db);
  resumed.resume_run(tb.run_id());
  resumed.run();
  ASSERT_EQ(resumed.status(), "finished") << (b2.finished.empty() ? "" : b2.finished[0].message);
  EXPECT_EQ(resumed.resumed_from(), 6);
  ASSERT_EQ(b2.steps.size(), 6u);
  EXPECT_EQ(b2.steps.front().step, 7);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_NEAR(b2.steps[i].loss, a.steps[6 + i].loss, 1e-6) << "step " << 7 + i;
    EXPECT_DOUBLE_EQ(b2.steps[i].lr, a.steps[6 + i].lr);
  }
  expect_same_curve(stored_losses(db, tb.run_id()), stored_losses(dir.str("a.db"), ta.run_id()));
  Store s(db, true);
  EXPECT_EQ(s.run(tb.run_id())->status, "finished");
}

// A crash between checkpoints: the run resumes from the last periodic checkpoint, the steps after it
// are recomputed (their rows replaced, not duplicated) and the curve still equals the uninterrupted
// one. LARS, so the optimiser state in the checkpoint matters.
TEST(resume, FromAPeriodicCheckpointAfterACrashWithLars) {
  NEED_FMNIST();
  test::TempDir dir;
  auto cfg = test::tiny_config(10);
  cfg.optimizer = "lars";
  cfg.lr = 0.5;
  cfg.checkpoint_every = 4;

  test::Recorder a;
  Trainer ta(cfg, a, dir.str("a.db"));
  ta.run();
  ASSERT_EQ(ta.status(), "finished");

  const std::string db = dir.str("b.db");
  test::Recorder b1;
  Trainer tb(cfg, b1, db);
  b1.on_step = [&](const StepEvent& s) {
    if (s.step == 6) tb.request_stop();
  };
  tb.run();
  const int64_t run = tb.run_id();
  {
    // Make it look like the process died after step 6 was committed but before a checkpoint at 6.
    Store s(db);
    ASSERT_EQ(s.latest_checkpoint(run)->step, 6);
    s.remove_checkpoint(run, 6);
    s.set_status(run, "interrupted");
    ASSERT_EQ(s.latest_checkpoint(run)->step, 4);
    ASSERT_EQ(s.metric(run, "loss").size(), 6u);
  }
  test::Recorder b2;
  Trainer resumed(stored_config(db, run), b2, db);
  resumed.resume_run(run);
  resumed.run();
  ASSERT_EQ(resumed.status(), "finished") << (b2.finished.empty() ? "" : b2.finished[0].message);
  EXPECT_EQ(resumed.resumed_from(), 4);
  EXPECT_EQ(b2.steps.front().step, 5);
  expect_same_curve(stored_losses(db, run), stored_losses(dir.str("a.db"), ta.run_id()));
}

TEST(resume, RefusesFinishedAndUnknownRuns) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("r.db");
  auto cfg = test::tiny_config(2);
  test::Recorder a;
  Trainer ta(cfg, a, db);
  ta.run();
  ASSERT_EQ(ta.status(), "finished");
  for (int64_t id : {ta.run_id(), int64_t(99)}) {
    test::Recorder r;
    Trainer t(cfg, r, db);
    t.resume_run(id);
    t.run();
    ASSERT_EQ(r.finished.size(), 1u);
    EXPECT_EQ(r.finished[0].status, "failed");
    EXPECT_TRUE(r.steps.empty());
  }
  Store s(db, true);
  EXPECT_EQ(s.run(ta.run_id())->status, "finished");  // a refused resume leaves the run alone
  EXPECT_EQ(s.runs().size(), 1u);
}

// Resuming a run whose data is gone (moved, deleted, an unplugged disk) says so for that run and
// leaves it as it was: still stopped, resumable once the data is back.
TEST(resume, MissingDataLeavesTheRunResumableAndSaysWhy) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("r.db"), data = dir.str("moved-away.gz");
  std::filesystem::copy_file(test::fashion_mnist_train_images(), data);
  auto cfg = test::tiny_config(6);
  cfg.data = data;
  test::Recorder a;
  Trainer ta(cfg, a, db);
  a.on_step = [&](const StepEvent& s) {
    if (s.step == 2) ta.request_stop();
  };
  ta.run();
  ASSERT_EQ(ta.status(), "stopped");
  std::filesystem::remove(data);

  test::Recorder r;
  Trainer t(stored_config(db, ta.run_id()), r, db);
  t.resume_run(ta.run_id());
  t.run();
  ASSERT_EQ(r.finished.size(), 1u);
  EXPECT_EQ(r.finished[0].run_id, ta.run_id());
  EXPECT_NE(r.finished[0].message.find("cannot resume"), std::string::npos) << r.finished[0].message;
  EXPECT_NE(r.finished[0].message.find("moved-away.gz"), std::string::npos) << r.finished[0].message;
  EXPECT_NE(r.finished[0].message.find("left as it was"), std::string::npos) << r.finished[0].message;
  Store s(db, true);
  EXPECT_EQ(s.run(ta.run_id())->status, "stopped");
}
