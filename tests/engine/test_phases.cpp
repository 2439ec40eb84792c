// ctest-labels: unit dataset-fashion-mnist
// The trainer's phases on their own (config resolution, the run's data, the step, the store sink,
// cancellation) and the bugs a close reading of the old single-function trainer found: every
// backbone round-trips through eval/project/export, the status is safe to read while running, the
// binary knows its own commit, a host-side copy of DINO's schedule survives a checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

#include "engine/augment/pipeline.h"
#include "engine/core/metric_names.h"
#include "engine/core/runtime.h"
#include "engine/export/run_model.h"
#include "engine/methods/dino.h"
#include "engine/methods/method_info.h"
#include "engine/models/backbone.h"
#include "engine/store/store.h"
#include "engine/store/store_sink.h"
#include "engine/train/checkpoint.h"
#include "engine/train/device_check.h"
#include "engine/eval/knn.h"
#include "engine/train/resolve.h"
#include "engine/train/run_data.h"
#include "engine/train/step.h"
#include "engine/train/trainer.h"
#include "tiny_run.h"

using namespace pretext;
using namespace std::chrono_literals;

namespace {

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// stdout of a shell command, trailing newline removed; "" when it fails.
std::string shell(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (fgets(buf, sizeof buf, p)) out += buf;
    if (pclose(p) != 0) return "";
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

TEST(phases, RunConfigRefusesUnknownKeysAndWrongTypesByName) {
  const std::string unknown = what_of([] { TrainConfig::from_json({{"method", "simclr"}, {"epoch", 3}}); });
  EXPECT_NE(unknown.find("unknown field 'epoch'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("epochs"), std::string::npos) << unknown;  // the known fields are listed
  const std::string type = what_of([] { TrainConfig::from_json({{"batch", "large"}}); });
  EXPECT_NE(type.find("'batch'"), std::string::npos) << type;
  // What builds before the resolution wrote is still read.
  EXPECT_NO_THROW(TrainConfig::from_json({{"method_params_resolved", nlohmann::json::object()}}));
  // A stored config reads back to itself.
  TrainConfig c;
  c.method = "byol";
  c.data_fingerprint = "abc";
  EXPECT_EQ(TrainConfig::from_json(c.to_json()).to_json(), c.to_json());
}

// Each field of a run config given a value of the wrong kind, in turn, is refused with the field named,
// and no number is converted before it is known to fit (1e56 into an int was undefined behaviour, -1
// into a size_t wrapped round to a 2^64 image limit).
TEST(phases, EveryRunConfigFieldWrongInTurnIsRefusedByName) {
  const nlohmann::json good = TrainConfig().to_json();
  int cases = 0;
  for (const auto& item : good.items()) {
    const std::string& field = item.key();
    std::vector<nlohmann::json> wrong;
    if (item.value().is_number_integer()) wrong = {"many", 1e56, 2.5, nlohmann::json::array()};
    if (item.value().is_number_integer() && item.value().is_number_unsigned()) wrong.push_back(-1);
    if (item.value().is_number_float()) wrong = {"fast", true, nlohmann::json::object()};
    if (item.value().is_string()) wrong = {12, nlohmann::json::array({1})};
    if (item.value().is_boolean()) wrong = {"yes", nlohmann::json::object()};
    if (item.value().is_array()) wrong = {5, "knn"};
    for (const auto& value : wrong) {
      nlohmann::json config = good;
      config[field] = value;
      const std::string message = what_of([&] { TrainConfig::from_json(config); });
      EXPECT_NE(message.find("'" + field + "'"), std::string::npos) << field << " = " << value.dump() << ": " << message;
      ++cases;
    }
  }
  EXPECT_GT(cases, 60);
  std::printf("%d wrong values, each refused with its field named\n", cases);
}

// The probes a run schedules are named from the probes table; configs stored with the old
// linear_probe flag read as the same list.
TEST(phases, RunProbesAreNamesFromTheProbesTable) {
  EXPECT_EQ(TrainConfig::from_json({{"linear_probe", true}}).probes, (std::vector<std::string>{"knn", "linear"}));
  EXPECT_EQ(TrainConfig::from_json({{"linear_probe", false}}).probes, (std::vector<std::string>{"knn"}));
  TrainConfig c;
  c.method = "simclr";
  c.probes = {"linear", "linear"};
  EXPECT_EQ(resolve_config(c).probes, (std::vector<std::string>{"knn", "linear"}));  // table order, kNN always
  c.probes = {"svm"};
  EXPECT_NE(what_of([&] { resolve_config(c); }).find("unknown probe 'svm' (known: knn, linear"), std::string::npos);
}

TEST(phases, ResolutionHonoursTheMethodTableAndTopLevelChoicesWin) {
  TrainConfig c;
  c.method = "mae";  // its table offers optimizer, backbone and base_lr
  c.method_params = {{"optimizer", "sgd"}, {"backbone", "vit-small"}, {"base_lr", 0.01}};
  const TrainConfig r = resolve_config(c);
  EXPECT_EQ(r.optimizer, "sgd");  // the launcher's table is obeyed, not dropped
  EXPECT_EQ(r.backbone, "vit-small");
  EXPECT_DOUBLE_EQ(r.base_lr, 0.01);
  EXPECT_TRUE(r.pipeline_json.is_object());
  EXPECT_EQ(r.method_params["mask_ratio"], method_info("mae").defaults["mask_ratio"]);  // defaults merged
  EXPECT_EQ(resolve_config(r).to_json(), r.to_json());  // idempotent: a stored config resolves to itself

  c.optimizer = "lars";  // a top-level choice wins over the table, and the stored table agrees
  c.backbone = "vit-tiny";
  const TrainConfig top = resolve_config(c);
  EXPECT_EQ(top.optimizer, "lars");
  EXPECT_EQ(top.method_params["optimizer"], "lars");
  EXPECT_EQ(top.backbone, "vit-tiny");
  EXPECT_EQ(top.method_params["backbone"], "vit-tiny");

  auto refused = [](TrainConfig bad) { return what_of([&] { resolve_config(bad); }); };
  TrainConfig bad = c;
  bad.method_params = {{"temprature", 0.5}};
  EXPECT_NE(refused(bad).find("has no parameter 'temprature'"), std::string::npos) << refused(bad);
  bad = c;
  bad.optimizer = "adagrad";
  EXPECT_NE(refused(bad).find("optimizer 'adagrad' is not one of: sgd, lars, adamw"), std::string::npos);
  bad = c;
  bad.amp = "fp8";
  EXPECT_NE(refused(bad).find("amp 'fp8'"), std::string::npos);
  bad = c;
  bad.backbone = "resnet-huge";
  EXPECT_NE(refused(bad).find("backbone 'resnet-huge'"), std::string::npos);
  bad = c;
  bad.device = "tpu";
  EXPECT_NE(refused(bad).find("device 'tpu'"), std::string::npos);
  bad = c;
  bad.method = "simclear";
  EXPECT_NE(refused(bad).find("unknown method 'simclear'"), std::string::npos);
  TrainConfig vit = c;
  vit.backbone = "vit-tiny/4@32";  // a ViT with patch and reference size is one of the offered names
  EXPECT_NO_THROW(resolve_config(vit));
}

TEST(phases, StoreSinkWritesEventsUnderTheMetricNamesAndKeepsTwoCheckpoints) {
  test::TempDir dir;
  Store store(dir.str("sink.db"));
  RunRecord r;
  r.name = "sink";
  r.method = "simclr";
  r.config = "{}";
  const int64_t run = store.create_run(r);
  {
    StoreSink sink(store);
    StepEvent s;
    s.run_id = run;
    s.step = 1;
    s.loss = 2.5;
    s.lr = 0.1;
    s.images_per_s = 100;
    s.components = {{"variance", 0.5}};
    sink.on_event(s);
    DiagnosticsEvent d;
    d.run_id = run;
    d.step = 1;
    d.z_std = 0.1;
    d.online_knn = 0.75;
    d.extra = {{"teacher_entropy", 3.0}};
    sink.on_event(d);
    ProbeEvent p{run, 1, "knn", 20, 0.5, 10};
    sink.on_event(p);
    for (int step : {1, 2, 3}) {
      const std::string path = dir.str("ck" + std::to_string(step));
      test::write_bytes(path, {1});
      sink.on_event(CheckpointSaved{run, step, path});
    }
    sink.on_event(RunFinished{run, "finished", ""});
  }
  EXPECT_EQ(store.metric(run, metric::kLoss).at(0).second, 2.5);
  EXPECT_EQ(store.metric(run, metric::loss_component("variance")).at(0).second, 0.5);
  EXPECT_EQ(store.metric(run, "loss/variance").size(), 1u);  // the names readers have always used
  EXPECT_EQ(store.metric(run, "diag/online_knn").at(0).second, 0.75);
  EXPECT_EQ(store.metric(run, "diag/teacher_entropy").at(0).second, 3.0);
  EXPECT_EQ(store.probes(run).at(0).k, 20);
  const auto cks = store.checkpoints(run);
  ASSERT_EQ(cks.size(), 2u);
  EXPECT_EQ(cks[0].step, 2);
  EXPECT_FALSE(std::filesystem::exists(dir.str("ck1")));  // the oldest file went with its row
  EXPECT_EQ(store.run(run)->status, "finished");
}

TEST(phases, RunDataHoldsOutAFixedFifthOfLabelledImages) {
  NEED_FMNIST();
  auto cfg = test::tiny_config(1);
  cfg.probe_queries = 1000;
  const RunData d = prepare_run_data(resolve_config(cfg));
  EXPECT_EQ(d.train->size(), 64u);
  EXPECT_EQ(d.query.size(), 12u);  // min(1000, 64 / 5)
  EXPECT_EQ(d.bank.size() + d.query.size(), 64u);
  std::set<size_t> all(d.bank.begin(), d.bank.end());
  all.insert(d.query.begin(), d.query.end());
  EXPECT_EQ(all.size(), 64u);  // disjoint
  EXPECT_TRUE(d.can_probe());
  ImageSet unlabelled = *d.train;
  unlabelled.labels.clear();
  std::vector<size_t> bank, query;
  split_probe(unlabelled, 1000, bank, query);
  EXPECT_TRUE(bank.empty() && query.empty());
}

TEST(phases, TrainStepReportsWhatTheMethodComputedAfterTheUpdate) {
  TrainConfig cfg;
  cfg.method = "rotnet";
  cfg.backbone = "resnet-tiny";
  cfg.lr = 0.05;
  cfg = resolve_config(cfg);
  TrainingParts parts = make_training_parts(cfg, 1, torch::kCPU, 0.05);
  const auto before = parts.method->backbone->parameters()[0].clone();
  torch::manual_seed(3);
  Batch batch = batch_of_views({torch::randn({4, 1, 16, 16})});
  const StepValues v = train_step(parts, batch, 0, 10, 0.05);
  EXPECT_TRUE(std::isfinite(v.loss));
  ASSERT_EQ(v.components.size(), 1u);
  EXPECT_EQ(v.components[0].first, "rotation_ce");
  EXPECT_DOUBLE_EQ(v.components[0].second, v.loss);
  ASSERT_EQ(v.monitors.size(), 1u);  // accuracy is watched, not plotted as a loss
  EXPECT_EQ(v.monitors[0].first, "rotation_accuracy");
  EXPECT_FALSE(torch::equal(before, parts.method->backbone->parameters()[0]));  // the optimiser stepped
}

TEST(phases, DeviceCheckTimesTheTrainingStepOnTheCpu) {
  DeviceCheckOptions o;
  o.device = "cpu";
  o.backbone = "resnet-tiny";
  o.batch = 8;
  o.size = 16;
  o.warmup = 1;
  o.steps = 2;
  const auto report = run_device_check(o, [](const std::string&) {});
  EXPECT_TRUE(report["ok"].get<bool>()) << report.dump();
  ASSERT_EQ(report["throughput"].size(), 1u);  // amp modes other than off are for CUDA
  EXPECT_GT(report["throughput"][0]["images_per_s"].get<double>(), 0);
}

TEST(phases, StatusIsSafeToReadWhileTheRunRuns) {
  NEED_FMNIST();
  auto cfg = test::tiny_config(40);
  test::Recorder rec;
  Trainer t(cfg, rec);
  EXPECT_EQ(t.status(), "");
  std::atomic<bool> reading{true};
  std::set<std::string> seen;
  std::thread reader([&] {
    while (reading) seen.insert(t.status());  // a data race before: status_ was a bare string
  });
  t.start();
  while (rec.step_count() < 3 && t.running()) std::this_thread::sleep_for(1ms);
  const std::string during = t.status();
  t.wait();
  reading = false;
  reader.join();
  EXPECT_EQ(during, "running");
  EXPECT_EQ(t.status(), "finished");
  EXPECT_TRUE(seen.count("running"));
}

TEST(phases, CancelSkipsTheEvaluationButKeepsCheckpointAndBackbone) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("cancel.db");
  auto cfg = test::tiny_config(100);
  test::Recorder rec;
  Trainer t(cfg, rec, db);
  rec.on_step = [&](const StepEvent& s) {
    if (s.step == 3) t.request_cancel();
  };
  t.run();
  EXPECT_EQ(t.status(), "stopped");
  EXPECT_EQ(t.steps_done(), 3);
  Store s(db, true);
  EXPECT_TRUE(s.probes(t.run_id()).empty());  // no probe ran
  EXPECT_EQ(s.latest_checkpoint(t.run_id())->step, 3);
  EXPECT_TRUE(std::filesystem::exists(run_backbone_path(db, t.run_id())));
  EXPECT_NE(s.run(t.run_id())->message.find("evaluation was cancelled"), std::string::npos) << s.run(t.run_id())->message;
  // ... and the evaluation can be run later from the saved backbone.
  RunDataOptions o;
  o.device = "cpu";
  EXPECT_GT(evaluate_run(s, t.run_id(), o).at(0).queries, 0);
}

// eval, project and export load the saved backbone whatever its architecture: its stem has another
// name in each (ResNet conv1, ConvNet features.0, ViT conv_proj).
TEST(phases, EveryBackboneRoundTripsThroughEvalProjectAndExport) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("bb.db");
  for (const std::string backbone : {"resnet-tiny", "convnet", "vit-tiny"}) {
    auto cfg = test::tiny_config(2);
    cfg.backbone = backbone;
    cfg.name = backbone;
    test::Recorder rec;
    Trainer t(cfg, rec, db);
    t.run();
    ASSERT_EQ(t.status(), "finished") << backbone;
    Store store(db);
    RunDataOptions o;
    o.device = "cpu";
    o.limit = 5;
    const ProbeEvent r = evaluate_run(store, t.run_id(), o).at(0);
    EXPECT_NEAR(r.accuracy, store.probes(t.run_id()).at(0).accuracy, 1e-9) << backbone;  // reproduces the run's probe
    const RunEmbeddings e = run_embeddings(store, t.run_id(), o);
    EXPECT_EQ(e.table.n, 5u) << backbone;
    EXPECT_EQ(project_embeddings(e.table, 1, "pca", -1, 0).image_indices.size(), 5u) << backbone;
    EXPECT_GT(export_run_weights(store, t.run_id(), dir.str(backbone + ".safetensors")), 0u) << backbone;
  }
}

// eval on the saved backbone reproduces the run's own end-of-run probe for every method: the probe
// reads the method's features (MAE: the mean of its patch tokens; eval read the ViT's CLS token).
TEST(phases, EveryMethodsSavedBackboneReproducesItsRunsProbe) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("methods.db");
  for (const auto& info : method_infos()) {
    // Fashion-MNIST is grey; colourisation's features are a function of the view alone by
    // construction (test_colorization: FeaturesNeedNoFittedState...).
    if (info.name == "colorization") continue;
    auto cfg = test::tiny_config(2);
    cfg.method = info.name;
    cfg.name = info.name;
    test::Recorder rec;
    Trainer t(cfg, rec, db);
    t.run();
    ASSERT_EQ(t.status(), "finished") << info.name;
    Store store(db);
    RunDataOptions o;
    o.device = "cpu";
    const auto stored = store.probes(t.run_id());
    ASSERT_FALSE(stored.empty()) << info.name;
    const ProbeEvent again = evaluate_run(store, t.run_id(), o).at(0);
    EXPECT_NEAR(again.accuracy, stored.front().accuracy, 1e-9) << info.name;
  }
}

// The commit stored with each run is the one the binary was built from (written at build time; it
// was read once at configure time and went stale after every commit).
TEST(phases, TheBuildRecordsTheCommitItWasBuiltFrom) {
  const std::string src = PRETEXT_SOURCE_DIR;
  const std::string head = shell("git -C '" + src + "' rev-parse --short HEAD 2>/dev/null");
  if (head.empty()) GTEST_SKIP() << "the sources are not a git checkout";
  const bool dirty = !shell("git -C '" + src + "' status --porcelain --untracked-files=no 2>/dev/null").empty();
  EXPECT_EQ(versions().commit, head + (dirty ? "+dirty" : ""))
      << "rebuild after changing the sources: the test compares the binary with the tree";
}

// DINO keeps its schedule's position on the host so that a step never reads it back from a GPU; a
// checkpoint restores the buffer, and restored() the host copy.
TEST(phases, DinoScheduleSurvivesACheckpoint) {
  test::TempDir dir;
  const nlohmann::json p = merged_method_params("dino", {{"num_prototypes", 64}, {"proj_hidden", 32}, {"proj_dim", 16}});
  torch::manual_seed(0);
  DINOImpl a(make_backbone("resnet-tiny", 1), p);
  for (int64_t s = 1; s <= 3; ++s) a.after_step(s, 100);
  torch::optim::SGD opt_a(a.parameters(), torch::optim::SGDOptions(0.1));
  CheckpointMeta m;
  m.step = 3;
  m.total_steps = 100;
  save_checkpoint(dir.str("dino.pt"), a, opt_a, m);

  torch::manual_seed(0);
  DINOImpl b(make_backbone("resnet-tiny", 1), p);
  torch::optim::SGD opt_b(b.parameters(), torch::optim::SGDOptions(0.1));
  load_checkpoint(dir.str("dino.pt"), b, opt_b, torch::kCPU);
  b.restored();
  EXPECT_DOUBLE_EQ(b.teacher_temp(), a.teacher_temp());
  EXPECT_NE(b.teacher_temp(), DINOImpl(make_backbone("resnet-tiny", 1), p).teacher_temp());  // not the start's
}

namespace {

struct Baselines : test::Recorder {
  std::vector<BaselineEvent> baselines;
  std::vector<ProbeEvent> probes;
  void on_event(const Event& e) override {
    if (auto* b = std::get_if<BaselineEvent>(&e)) baselines.push_back(*b);
    if (auto* p = std::get_if<ProbeEvent>(&e)) probes.push_back(*p);
    test::Recorder::on_event(e);
  }
};

}  // namespace

// The untrained network's and the raw pixels' kNN are measured once per dataset, backbone and probe
// (online subset and final split), stored, and read back by the next run on the same data.
TEST(phases, BaselinesAreMeasuredOnceThenReused) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("base.db");
  auto cfg = test::tiny_config(2);
  cfg.diag_every = 1;
  cfg.online_knn = 40;
  Baselines first, second;
  Trainer(cfg, first, db).run();
  ASSERT_EQ(first.baselines.size(), 4u);  // {random_init, raw_pixels} x {final, online}
  for (const auto& b : first.baselines) {
    EXPECT_FALSE(b.reused);
    EXPECT_GT(b.queries, 0);
    EXPECT_GE(b.accuracy, 0);
    EXPECT_LE(b.accuracy, 1);
  }
  cfg.name = "again";
  Trainer(cfg, second, db).run();
  ASSERT_EQ(second.baselines.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(second.baselines[i].reused);
    EXPECT_EQ(second.baselines[i].accuracy, first.baselines[i].accuracy);
  }
  // Other normalisation statistics are other features: nothing measured under the first is reused.
  Baselines normalised_otherwise;
  TrainConfig other = cfg;
  other.name = "other statistics";
  other.pipeline_json = Pipeline::load(method_info(cfg.method).pipeline).to_json();
  other.pipeline_json["normalize"] = {{"mean", {0.5}}, {"std", {0.25}}};
  Trainer(other, normalised_otherwise, db).run();
  ASSERT_EQ(normalised_otherwise.baselines.size(), 4u);
  for (const auto& b : normalised_otherwise.baselines) EXPECT_FALSE(b.reused) << b.baseline << " " << b.scope;
  // The random-init baseline is the kNN of the run's own first network (make_seeded_method), the raw
  // pixels' that of the normalised pixels, on the run's split.
  const TrainConfig r = resolve_config(cfg);
  const RunData d = prepare_run_data(r);
  auto untrained = make_seeded_method(r, d.train->channels, torch::kCPU);
  untrained->eval();
  const auto features = [&](const torch::Tensor& x) { return untrained->features(x); };
  const auto pixels = [](const torch::Tensor& x) { return x.flatten(1); };
  for (const auto& b : first.baselines) {
    if (b.scope != "final") continue;
    const Encoder encode = b.baseline == "raw_pixels" ? Encoder(pixels) : Encoder(features);
    EXPECT_EQ(b.accuracy, knn_probe(encode, *d.train, d.bank, d.query_set(), d.query, d.stats, torch::kCPU, r.knn_k,
                                    r.knn_t).accuracy)
        << b.baseline;
  }
}

TEST(phases, ProbesScheduledDuringTrainingAreStoredWithTheirStep) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("sched.db");
  auto cfg = test::tiny_config(6);
  cfg.probe_every = 2;
  cfg.probes = {"knn", "linear"};
  test::Recorder rec;
  Trainer t(cfg, rec, db);
  t.run();
  ASSERT_EQ(t.status(), "finished");
  Store s(db, true);
  std::vector<std::pair<std::string, int64_t>> got;
  for (const auto& p : s.probes(t.run_id())) got.emplace_back(p.kind, p.step);
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"knn", 2}, {"linear", 2}, {"knn", 4}, {"linear", 4}, {"knn", 6}, {"linear", 6}};
  EXPECT_EQ(got, expected);
  const auto last = s.probes(t.run_id());
  EXPECT_GE(last[4].top5, last[4].accuracy);
  EXPECT_NE(last[4].params.find("\"k\":5"), std::string::npos) << last[4].params;
  EXPECT_GE(last[5].train_accuracy, 0);
  EXPECT_FALSE(last[5].confusion.empty());
}

// `eval --checkpoint STEP --knn --linear`: the checkpoint written at the end holds the weights the
// end-of-run probe used, so its kNN reads the same; every result is recorded as an event.
TEST(phases, EvaluatingACheckpointReproducesTheRunsProbe) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("ck.db");
  auto cfg = test::tiny_config(4);
  cfg.checkpoint_every = 2;
  test::Recorder rec;
  Trainer t(cfg, rec, db);
  t.run();
  Store store(db);
  const double at_end = store.probes(t.run_id()).back().accuracy;
  ProbeRequest request;
  request.checkpoint = 4;
  request.kinds = {"knn", "linear"};
  RunDataOptions o;
  o.device = "cpu";
  StoreSink sink(store);
  const auto probes = evaluate_run(store, t.run_id(), o, request, &sink);
  sink.flush();
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[0].kind, "knn");
  EXPECT_EQ(probes[0].step, 4);
  EXPECT_NEAR(probes[0].accuracy, at_end, 1e-9);
  EXPECT_EQ(probes[1].kind, "linear");
  // The kNN of the same weights with the same parameters replaced the end-of-run row (one row per
  // measurement); the linear probe is new.
  EXPECT_EQ(store.probes(t.run_id()).size(), 2u);
  request.checkpoint = 3;
  const std::string missing = what_of([&] { evaluate_run(store, t.run_id(), o, request); });
  EXPECT_NE(missing.find("no checkpoint at step 3"), std::string::npos) << missing;
}

// A database named by a relative path still records absolute run files: resume, eval and the app
// find them from any working directory.
TEST(phases, RunFilesAndDataAreRecordedAbsoluteForRelativePaths) {
  NEED_FMNIST();
  test::TempDir dir;
  const auto before = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  test::Recorder rec;
  auto cfg = test::tiny_config(2);
  const std::string images = cfg.data;
  cfg.data = std::filesystem::relative(images, dir.path()).string();  // "../../usr/share/...", as typed
  ASSERT_TRUE(std::filesystem::path(cfg.data).is_relative());
  Trainer t(cfg, rec, "relative.db");
  t.run();
  std::filesystem::current_path(before);
  Store s(dir.str("relative.db"), true);
  // The images are recorded where they are, whatever folder the run was started from (eval, resume
  // and the app's probe read them back from elsewhere).
  EXPECT_EQ(s.run(t.run_id())->dataset, images);
  EXPECT_EQ(nlohmann::json::parse(s.run(t.run_id())->config).at("data").get<std::string>(), images);
  const auto ck = s.latest_checkpoint(t.run_id());
  ASSERT_TRUE(ck.has_value());
  EXPECT_TRUE(std::filesystem::path(ck->path).is_absolute()) << ck->path;
  EXPECT_TRUE(std::filesystem::exists(ck->path));
  EXPECT_TRUE(std::filesystem::path(s.path()).is_absolute());
  EXPECT_TRUE(std::filesystem::exists(run_backbone_path(s.path(), t.run_id())));
}

// The training is done and saved when the end-of-run evaluation begins: if the evaluation fails (not
// a cancel), the run is still finished, with the evaluation's error beside it (it used to be marked
// failed, a fully trained run).
TEST(phases, AFailedEvaluationLeavesAFinishedRunWithTheErrorBesideIt) {
  NEED_FMNIST();
  test::TempDir dir;
  struct FailsOnProbes : test::Recorder {
    void on_event(const Event& e) override {
      test::Recorder::on_event(e);
      if (std::holds_alternative<ProbeEvent>(e)) throw std::runtime_error("the probe's reader broke");
    }
  } rec;
  Trainer t(test::tiny_config(2), rec, dir.str("evaluation.db"));
  t.run();
  Store s(dir.str("evaluation.db"), true);
  const auto r = s.run(t.run_id());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "finished");
  EXPECT_NE(r->message.find("the end-of-run evaluation failed: the probe's reader broke"), std::string::npos)
      << r->message;
  EXPECT_TRUE(std::filesystem::exists(run_backbone_path(s.path(), t.run_id())));
}

// A stop is honoured while the run measures its baselines (the untrained network's kNN over 6,000
// images of resnet-small): it used to wait for all four of them, then stop at step 0.
TEST(phases, StopIsHonouredWhileTheBaselinesAreMeasured) {
  NEED_FMNIST();
  test::TempDir dir;
  auto cfg = test::tiny_config(1000);
  cfg.limit = 6000;
  cfg.backbone = "resnet-small";
  cfg.probe_queries = 1000;
  cfg.diag_every = 20;
  cfg.online_knn = 500;
  struct StopsAtTheStart : test::Recorder {
    Trainer* trainer = nullptr;
    std::chrono::steady_clock::time_point asked;
    void on_event(const Event& e) override {
      test::Recorder::on_event(e);
      if (std::holds_alternative<RunStarted>(e)) {
        asked = std::chrono::steady_clock::now();
        trainer->request_stop();
      }
    }
  } rec;
  Trainer t(cfg, rec, dir.str("stop.db"));
  rec.trainer = &t;
  t.run();
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - rec.asked).count();
  EXPECT_EQ(t.status(), "stopped");
  EXPECT_LT(waited, 8.0) << "the stop waited for the baselines";
  Store s(dir.str("stop.db"), true);
  EXPECT_EQ(s.run(t.run_id())->status, "stopped");
}

// A time budget ends the run on its clock with a completed schedule: warm-up, then a cosine that
// reaches (almost) zero at the budget, whatever the speed; epochs do not cap it.
TEST(phases, ATimeBudgetEndsTheRunWithACompletedSchedule) {
  NEED_FMNIST();
  test::TempDir dir;
  auto cfg = test::tiny_config(0);
  cfg.steps = 0;
  cfg.epochs = 1;  // 4 steps of 16 from 64 images, were it not timed
  cfg.time_budget_s = 1.5;
  cfg.warmup_fraction = 0.2;
  test::Recorder rec;
  Trainer t(cfg, rec, dir.str("timed.db"));
  const auto start = std::chrono::steady_clock::now();
  t.run();
  ASSERT_EQ(t.status(), "finished");
  const auto steps = rec.steps;
  ASSERT_GT(steps.size(), 4u);  // the clock, not the epoch, ended it
  const double peak = cfg.lr;
  double highest = 0;
  size_t at = 0;
  for (size_t i = 0; i < steps.size(); ++i)
    if (steps[i].lr > highest) {
      highest = steps[i].lr;
      at = i;
    }
  EXPECT_GT(highest, 0.8 * peak);                  // the warm-up reached the peak ...
  EXPECT_GT(at, 0u);                               // ... after rising to it
  EXPECT_LT(steps.back().lr, 0.05 * peak);         // and the cosine ran out with the budget
  for (size_t i = at + 1; i < steps.size(); ++i) EXPECT_LE(steps[i].lr, steps[i - 1].lr + 1e-12);
  EXPECT_LT(steps.back().eta_s, 0.5);
  EXPECT_NEAR(double(steps.back().total_steps), double(steps.back().step), 2.0);  // the estimate converges
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30.0);
  Store s(dir.str("timed.db"), true);
  EXPECT_DOUBLE_EQ(TrainConfig::from_json(nlohmann::json::parse(s.run_config(t.run_id()))).time_budget_s, 1.5);
  EXPECT_EQ(s.latest_checkpoint(t.run_id())->step, int64_t(steps.size()));
}

// A second probe of the same weights on the same images reads the cached features: same results,
// no extraction; embeddings take their rows from the cache too. New weights (a rewritten file) miss.
TEST(phases, ProbeFeaturesAreCachedPerWeightsAndData) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("cache.db");
  test::Recorder rec;
  Trainer t(test::tiny_config(2), rec, db);
  t.run();
  Store store(db);
  RunDataOptions o;
  o.device = "cpu";
  std::vector<std::string> said;
  const ProgressFn note = [&](double, const std::string& what) { said.push_back(what); };
  auto mentions = [&](const std::string& text) {
    return std::any_of(said.begin(), said.end(), [&](const std::string& s) { return s.find(text) != std::string::npos; });
  };
  const auto first = evaluate_run(store, t.run_id(), o, {}, nullptr, note);
  EXPECT_TRUE(mentions("extracted and cached"));
  said.clear();
  const auto second = evaluate_run(store, t.run_id(), o, {}, nullptr, note);
  EXPECT_TRUE(mentions("features from the cache"));
  EXPECT_EQ(second.at(0).accuracy, first.at(0).accuracy);
  said.clear();
  o.limit = 4;
  const RunEmbeddings cached = run_embeddings(store, t.run_id(), o, note);
  EXPECT_TRUE(mentions("from the cache"));
  std::filesystem::remove_all(run_dir(db, t.run_id()) + "/features");
  const RunEmbeddings fresh = run_embeddings(store, t.run_id(), o);
  ASSERT_EQ(cached.table.values.size(), fresh.table.values.size());
  for (size_t i = 0; i < fresh.table.values.size(); ++i) EXPECT_NEAR(cached.table.values[i], fresh.table.values[i], 1e-5);
}
