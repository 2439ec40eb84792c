// ctest-labels: unit dataset-fashion-mnist
// The trainer's control and safety: reproducible curves, pause/stop within one step, NaN stops the
// run, checkpoints at stop. Each run is a few steps of resnet-tiny on 64 images.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "engine/store/store.h"
#include "engine/train/trainer.h"
#include "tiny_run.h"

using namespace pretext;
using namespace std::chrono_literals;

TEST(trainer, SameSeedSameConfigGivesTheSameCurveOnCpu) {
  NEED_FMNIST();
  auto cfg = test::tiny_config(6);
  cfg.device = "cpu";
  test::Recorder a, b;
  Trainer(cfg, a).run();
  Trainer(cfg, b).run();
  ASSERT_EQ(a.steps.size(), 6u);
  ASSERT_EQ(a.losses(), b.losses());  // bit for bit
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(a.steps[i].lr, b.steps[i].lr);
  cfg.seed = 12;
  test::Recorder c;
  Trainer(cfg, c).run();
  EXPECT_NE(a.losses(), c.losses());  // and the seed matters
}

TEST(trainer, PauseAndStopTakeEffectWithinOneStep) {
  NEED_FMNIST();
  auto cfg = test::tiny_config(1000);
  test::Recorder rec;
  Trainer t(cfg, rec);
  std::atomic<bool> paused_at_3{false};
  rec.on_step = [&](const StepEvent& s) {
    if (s.step == 3) {
      t.set_paused(true);
      paused_at_3 = true;
    }
  };
  t.start();
  while (!paused_at_3) std::this_thread::sleep_for(5ms);
  std::this_thread::sleep_for(400ms);  // several steps' time
  EXPECT_EQ(rec.step_count(), 3u);     // paused right after the step that asked
  t.set_paused(false);
  while (rec.step_count() < 5) std::this_thread::sleep_for(5ms);
  t.request_stop();
  const size_t at_stop = rec.step_count();
  t.wait();
  EXPECT_LE(rec.step_count(), at_stop + 1);
  ASSERT_EQ(rec.finished.size(), 1u);
  EXPECT_EQ(rec.finished[0].status, "stopped");
  EXPECT_EQ(t.status(), "stopped");
}

TEST(trainer, NonFiniteLossFailsTheRunWithinOneStep) {
  NEED_FMNIST();
  test::TempDir dir;
  auto cfg = test::tiny_config(50);
  cfg.lr = 1e30;
  cfg.warmup_fraction = 0;
  test::Recorder rec;
  Trainer t(cfg, rec, dir.str("nan.db"));
  t.run();
  ASSERT_EQ(rec.finished.size(), 1u);
  EXPECT_EQ(rec.finished[0].status, "failed");
  const std::string& msg = rec.finished[0].message;
  EXPECT_NE(msg.find("loss became"), std::string::npos) << msg;
  // The step that produced the bad loss is named, and no step ran after it.
  EXPECT_NE(msg.find("at step " + std::to_string(rec.steps.size() + 1)), std::string::npos) << msg;
  EXPECT_LT(rec.steps.size(), 5u);
  Store s(dir.str("nan.db"), true);
  EXPECT_EQ(s.run(t.run_id())->status, "failed");
}

TEST(trainer, StopWritesACheckpointAndPeriodicOnesArePruned) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("ck.db");
  auto cfg = test::tiny_config(100);
  cfg.checkpoint_every = 2;
  test::Recorder rec;
  Trainer t(cfg, rec, db);
  rec.on_step = [&](const StepEvent& s) {
    if (s.step == 7) t.request_stop();
  };
  t.run();
  EXPECT_EQ(t.status(), "stopped");
  EXPECT_EQ(t.steps_done(), 7);
  Store s(db, true);
  const auto cks = s.checkpoints(t.run_id());
  ASSERT_EQ(cks.size(), 2u);  // 6 (periodic) and 7 (at stop); 2 and 4 pruned
  EXPECT_EQ(cks[0].step, 6);
  EXPECT_EQ(cks[1].step, 7);
  for (const auto& c : cks) EXPECT_TRUE(std::filesystem::exists(c.path)) << c.path;
  EXPECT_FALSE(std::filesystem::exists(db + ".runs/" + std::to_string(t.run_id()) + "/ckpt-4.pt"));
  EXPECT_EQ(s.run(t.run_id())->status, "stopped");
  EXPECT_EQ(s.metric(t.run_id(), "loss").size(), 7u);
}

TEST(trainer, AmpIsIgnoredOnTheCpuAndBadValuesAreRefused) {
  NEED_FMNIST();
  auto cfg = test::tiny_config(2);
  cfg.device = "cpu";
  cfg.amp = "bf16";
  cfg.optimizer = "adamw";
  cfg.lr = 1e-3;
  cfg.clip_grad_norm = 1.0;
  test::Recorder rec;
  Trainer(cfg, rec).run();
  ASSERT_EQ(rec.finished.size(), 1u);
  EXPECT_EQ(rec.finished[0].status, "finished") << rec.finished[0].message;
  bool noted = false, named = false;
  for (const auto& l : rec.logs) {
    noted |= l.message.find("amp bf16 ignored") != std::string::npos;
    named |= l.message.find("optimizer: adamw") != std::string::npos;
  }
  EXPECT_TRUE(noted);
  EXPECT_TRUE(named);
  for (const auto& s : rec.steps) EXPECT_EQ(s.device_memory_bytes, -1);

  cfg.amp = "fp8";
  test::Recorder bad;
  Trainer(cfg, bad).run();
  ASSERT_EQ(bad.finished.size(), 1u);
  EXPECT_EQ(bad.finished[0].status, "failed");
  EXPECT_NE(bad.finished[0].message.find("amp 'fp8' is not one of: off, bf16, fp16"), std::string::npos)
      << bad.finished[0].message;
}

TEST(trainer, DiagnosticsCarryOnlineKnnAndTheRunRecordsItsDataset) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("diag.db");
  auto cfg = test::tiny_config(6);
  cfg.diag_every = 3;
  cfg.diag_batch = 16;
  cfg.online_knn = 40;
  test::Recorder rec;
  Trainer t(cfg, rec, db);
  t.run();
  ASSERT_EQ(t.status(), "finished");
  ASSERT_EQ(rec.diagnostics.size(), 2u);  // steps 3 and 6
  for (const auto& d : rec.diagnostics) {
    EXPECT_GE(d.online_knn, 0.0);  // computed (the default -1 means "not computed")
    EXPECT_LE(d.online_knn, 1.0);
  }
  Store s(db, true);
  EXPECT_EQ(s.metric(t.run_id(), "diag/online_knn").size(), 2u);
  const auto run = s.run(t.run_id());
  EXPECT_EQ(run->backbone, "resnet-tiny");  // "auto" resolved for SimCLR, and stored resolved
  const auto datasets = s.datasets();
  ASSERT_EQ(datasets.size(), 1u);
  EXPECT_EQ(datasets[0].path, cfg.data);
  EXPECT_EQ(datasets[0].images, 64);
  const auto stored = nlohmann::json::parse(run->config);
  EXPECT_EQ(stored["data_fingerprint"], datasets[0].fingerprint);
  EXPECT_DOUBLE_EQ(stored["base_lr"].get<double>(), 0.06);  // SimCLR's, resolved and stored
  EXPECT_DOUBLE_EQ(stored["weight_decay"].get<double>(), 5e-4);
}

TEST(trainer, OnlineKnnIsOffWithoutLabelsOrWhenAskedTo) {
  NEED_FMNIST();
  auto cfg = test::tiny_config(3);
  cfg.diag_every = 3;
  cfg.diag_batch = 16;
  cfg.online_knn = 0;
  test::Recorder rec;
  Trainer(cfg, rec).run();
  ASSERT_EQ(rec.diagnostics.size(), 1u);
  EXPECT_EQ(rec.diagnostics[0].online_knn, -1.0);
}

// The formula panel's values recompute to the loss the trainer records for the same step: the event
// carries that step's loss, and its row's loss follows from its own terms (SimCLR: -s+/tau + lse).
TEST(trainer, FormulaEventsRecomputeToTheLossOfTheirStep) {
  NEED_FMNIST();
  struct Sink : EventSink {
    std::mutex mu;
    std::map<int64_t, double> losses;
    std::vector<FormulaEvent> formulas;
    void on_event(const Event& e) override {
      std::lock_guard<std::mutex> lock(mu);
      if (const auto* s = std::get_if<StepEvent>(&e)) losses[s->step] = s->loss;
      if (const auto* f = std::get_if<FormulaEvent>(&e)) formulas.push_back(*f);
    }
  } sink;
  auto cfg = test::tiny_config(10);
  cfg.method = "simclr";
  Trainer t(cfg, sink, "");
  t.run();
  ASSERT_EQ(t.status(), "finished");
  ASSERT_EQ(sink.formulas.size(), 3u);  // steps 1, 5 and 10
  for (const FormulaEvent& f : sink.formulas) {
    ASSERT_TRUE(sink.losses.count(f.step)) << f.step;
    EXPECT_DOUBLE_EQ(f.loss, sink.losses[f.step]);
    std::map<std::string, double> term;
    for (const auto& [name, value] : f.terms) term[name] = value;
    const double tau = term.at("τ");
    EXPECT_EQ(tau, 0.5);
    ASSERT_TRUE(f.has_row_loss);
    EXPECT_EQ(f.rows, 2 * cfg.batch);
    EXPECT_NEAR(f.row_loss, -term.at("s(zᵢ, zⱼ) positive") / tau + term.at("log Σ exp"), 1e-4);
    ASSERT_EQ(f.images.size(), 3u);
    for (const auto& [title, rgb] : f.images) EXPECT_EQ(rgb.size(), size_t(3 * f.width * f.height)) << title;
  }
  EXPECT_EQ(sink.formulas[1].step, 5);
}
