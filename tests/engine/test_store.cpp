// ctest-labels: unit
#include <gtest/gtest.h>

#include <cstring>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include "engine/store/compare.h"
#include "engine/store/dataset_fingerprint.h"
#include "engine/store/store.h"
#include "engine/store/store_sink.h"
#include "support.h"

using namespace pretext;

TEST(store, RoundTripSurvivesReopen) {
  test::TempDir dir;
  const std::string db = dir.str("runs.db");
  int64_t id = 0;
  {
    Store s(db);
    EXPECT_EQ(s.schema_version(), Store::kSchemaVersion);
    RunRecord r;
    r.name = "first";
    r.method = "simclr";
    r.config = R"({"epochs":2})";
    r.seed = 42;
    id = s.create_run(r);
    {
      MetricWriter w(s);
      for (int step = 1; step <= 100; ++step) w.push({id, step, "loss", 10.0 - step * 0.01});
    }
    s.add_probe({id, 100, "knn", 200, 0.75, 500});
    s.set_projection({id, "pca", {0.5f, -1.0f, 1.5f, 2.0f}, {2, 0}, {3, 4}, {}});
    s.set_status(id, "finished", "", true);
  }
  Store s(db, /*read_only=*/true);
  const auto runs = s.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].name, "first");
  EXPECT_EQ(runs[0].status, "finished");
  EXPECT_EQ(runs[0].seed, 42);
  EXPECT_EQ(runs[0].config, R"({"epochs":2})");
  EXPECT_FALSE(runs[0].finished_at.empty());
  const auto loss = s.metric(id, "loss");
  ASSERT_EQ(loss.size(), 100u);
  EXPECT_EQ(loss.front().first, 1);
  EXPECT_DOUBLE_EQ(loss.back().second, 9.0);
  const auto probes = s.probes(id);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_DOUBLE_EQ(probes[0].accuracy, 0.75);
  EXPECT_EQ(probes[0].k, 200);
  const auto proj = s.projection(id, "pca");
  ASSERT_EQ(proj.size(), 2u);
  EXPECT_EQ(proj[0].image_index, 3);
  EXPECT_FLOAT_EQ(proj[1].y, 2.0f);
  EXPECT_EQ(s.integrity_check(), "ok");
}

// What a run reports reaches the store whole through its sink, and reads back as the same event:
// which probe ended the run, a linear probe's confusion, a projection's class names.
TEST(store, TheSinkKeepsEverythingARunReports) {
  test::TempDir dir;
  Store s(dir.str("sink.db"));
  RunRecord r;
  r.name = "r";
  r.method = "simclr";
  r.config = "{}";
  const int64_t id = s.create_run(r);
  ProbeEvent linear;
  linear.run_id = id;
  linear.step = 40;
  linear.kind = "linear";
  linear.accuracy = 0.8;
  linear.queries = 4;
  linear.bank = 12;
  linear.train_accuracy = 0.9;
  linear.end_of_run = true;
  linear.params = R"({"weight_decay":0.001})";
  linear.confusion = {2, 0, 1, 1};
  ProjectionEvent map;
  map.run_id = id;
  map.kind = "umap@40";
  map.xy = {0.f, 1.f, 2.f, 3.f};
  map.labels = {0, 1};
  map.image_indices = {7, 9};
  map.class_names = {"T-shirt/top", "Trouser"};
  {
    StoreSink sink(s);
    sink.on_event(linear);
    sink.on_event(map);
  }
  const auto probes = s.probes(id);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_TRUE(probes[0].end_of_run);
  EXPECT_EQ(probes[0].confusion, linear.confusion);
  EXPECT_DOUBLE_EQ(probes[0].train_accuracy, 0.9);
  EXPECT_EQ(probes[0].top5, -1);
  EXPECT_EQ(probes[0].params, linear.params);
  EXPECT_EQ(s.projection_class_names(id, "umap@40"), map.class_names);
  const auto points = s.projection(id, "umap@40");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].image_index, 9);
  EXPECT_FLOAT_EQ(points[1].y, 3.f);
  EXPECT_EQ(points[1].label, 1);
  s.delete_run(id, /*force=*/true);
  EXPECT_TRUE(s.projection_class_names(id, "umap@40").empty());
}

TEST(store, WriterFlushMakesRowsVisibleToReaders) {
  test::TempDir dir;
  Store s(dir.str("w.db"));
  RunRecord r;
  r.name = "x";
  r.method = "simclr";
  r.config = "{}";
  const int64_t id = s.create_run(r);
  MetricWriter w(s);
  w.push({id, 1, "loss", 1.0});
  w.flush();
  Store reader(dir.str("w.db"), true);
  EXPECT_EQ(reader.metric(id, "loss").size(), 1u);
}

TEST(store, RefusesNewerSchema) {
  test::TempDir dir;
  { Store s(dir.str("n.db")); }
  {
    Store s(dir.str("n.db"));
    // Simulate a database written by a future Pretext.
    ASSERT_EQ(SQLITE_OK, sqlite3_exec(s.handle(), "PRAGMA user_version=99", nullptr, nullptr, nullptr));
  }
  EXPECT_THROW(Store(dir.str("n.db")), std::runtime_error);
}

namespace {

int64_t add_run(Store& s, const std::string& name, const std::string& method, const std::string& dataset,
                const std::string& status, const std::string& config = "{}") {
  RunRecord r;
  r.name = name;
  r.method = method;
  r.dataset = dataset;
  r.status = status;
  r.config = config;
  return s.create_run(r);
}

std::vector<int64_t> ids(const std::vector<RunRecord>& runs) {
  std::vector<int64_t> out;
  for (const auto& r : runs) out.push_back(r.id);
  return out;
}

}  // namespace

// A reader opening the database while a writer holds it exclusively (as a run's connection does
// while it checkpoints the WAL on close) waits for the lock instead of failing: the runs page read
// "database is locked" right after a run stopped, because the schema check's connection had no busy
// timeout.
TEST(store, AReaderWaitsForAWriterInsteadOfFailing) {
  test::TempDir dir;
  const std::string path = dir.str("busy.db");
  {
    Store s(path);
    add_run(s, "one", "simclr", "d", "finished");
  }
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &holder), SQLITE_OK);
  const auto exec = [&](const char* sql) { return sqlite3_exec(holder, sql, nullptr, nullptr, nullptr); };
  ASSERT_EQ(exec("PRAGMA locking_mode=EXCLUSIVE"), SQLITE_OK);
  ASSERT_EQ(exec("BEGIN EXCLUSIVE"), SQLITE_OK);
  ASSERT_EQ(exec("UPDATE runs SET notes='held'"), SQLITE_OK);
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    exec("COMMIT");
    sqlite3_close(holder);  // an exclusive WAL connection keeps its lock until it closes
  });
  std::vector<RunRecord> runs;
  EXPECT_NO_THROW(runs = Store(path, /*read_only=*/true).runs());
  release.join();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].notes, "held");
}

TEST(store, ListFiltersByMethodDatasetTagStatusAndText) {
  test::TempDir dir;
  Store s(dir.str("f.db"));
  const int64_t a = add_run(s, "cifar baseline", "simclr", "/d/cifar", "finished");
  const int64_t b = add_run(s, "byol try", "byol", "/d/cifar", "failed");
  const int64_t c = add_run(s, "fmnist 50%_run", "simclr", "/d/fmnist", "finished");
  s.add_tag(a, "paper");
  s.add_tag(c, "paper");
  s.add_tag(c, "ablation");
  s.add_tag(c, "ablation");  // twice: still one
  s.set_notes(b, "diverged at lr 3");
  EXPECT_EQ(ids(s.list_runs({})), (std::vector<int64_t>{a, b, c}));
  EXPECT_EQ(ids(s.list_runs({"simclr", "", "", "", ""})), (std::vector<int64_t>{a, c}));
  EXPECT_EQ(ids(s.list_runs({"", "/d/cifar", "", "", ""})), (std::vector<int64_t>{a, b}));
  EXPECT_EQ(ids(s.list_runs({"", "", "paper", "", ""})), (std::vector<int64_t>{a, c}));
  EXPECT_EQ(ids(s.list_runs({"", "", "", "failed", ""})), (std::vector<int64_t>{b}));
  EXPECT_EQ(ids(s.list_runs({"simclr", "", "paper", "finished", "fmnist"})), (std::vector<int64_t>{c}));
  EXPECT_EQ(ids(s.list_runs({"", "", "", "", "DIVERGED"})), (std::vector<int64_t>{b}));  // notes, any case
  EXPECT_EQ(ids(s.list_runs({"", "", "", "", "ablat"})), (std::vector<int64_t>{c}));     // a tag
  // LIKE wildcards in the search text are literal characters.
  EXPECT_EQ(ids(s.list_runs({"", "", "", "", "50%_"})), (std::vector<int64_t>{c}));
  EXPECT_TRUE(s.list_runs({"", "", "", "", "5_%"}).empty());
  EXPECT_EQ(s.run(c)->tags, (std::vector<std::string>{"ablation", "paper"}));
  EXPECT_EQ(s.all_tags(), (std::vector<std::string>{"ablation", "paper"}));
  s.remove_tag(c, "paper");
  EXPECT_EQ(ids(s.list_runs({"", "", "paper", "", ""})), (std::vector<int64_t>{a}));
}

TEST(store, RenameNotesAndUnknownRuns) {
  test::TempDir dir;
  Store s(dir.str("r.db"));
  const int64_t a = add_run(s, "x", "simclr", "", "finished", R"({"lr":0.5})");
  s.rename_run(a, "renamed");
  s.set_notes(a, "line one\nline two");
  EXPECT_EQ(s.run(a)->name, "renamed");
  EXPECT_EQ(s.run(a)->notes, "line one\nline two");
  EXPECT_EQ(s.run_config(a), R"({"lr":0.5})");
  EXPECT_THROW(s.rename_run(a, ""), std::runtime_error);
  EXPECT_THROW(s.rename_run(99, "y"), std::runtime_error);
  EXPECT_THROW(s.add_tag(99, "t"), std::runtime_error);
  EXPECT_THROW(s.set_notes(99, "t"), std::runtime_error);
  EXPECT_THROW(s.run_config(99), std::runtime_error);
  EXPECT_EQ(resolve_run(s, "renamed"), a);
  EXPECT_EQ(resolve_run(s, std::to_string(a)), a);
  EXPECT_THROW(resolve_run(s, "nope"), std::runtime_error);
  add_run(s, "renamed", "simclr", "", "finished");
  EXPECT_THROW(resolve_run(s, "renamed"), std::runtime_error);  // ambiguous
}

TEST(store, DeleteRemovesRowsAndFilesOfThatRunOnly) {
  test::TempDir dir;
  const std::string db = dir.str("d.db");
  Store s(db);
  const int64_t a = add_run(s, "a", "simclr", "", "finished");
  const int64_t b = add_run(s, "b", "simclr", "", "finished");
  const int64_t live = add_run(s, "live", "simclr", "", "running");
  for (int64_t id : {a, b}) {
    s.add_metrics({{id, 1, "loss", 1.0}, {id, 2, "loss", 0.5}});
    s.add_probe({id, 2, "knn", 200, 0.5, 10});
    s.set_projection({id, "pca", {0, 0}, {0}, {0}, {"shirt"}});
    s.add_tag(id, "t");
    sqlite3_exec(s.handle(),
                 ("INSERT INTO checkpoints VALUES(" + std::to_string(id) + ", 2, 'ck', '')").c_str(), nullptr, nullptr,
                 nullptr);
    std::filesystem::create_directories(run_dir(db, id) + "/sub");
    std::ofstream(run_dir(db, id) + "/sub/backbone.safetensors") << "x";
  }
  s.delete_run(a);
  EXPECT_FALSE(s.run(a));
  EXPECT_TRUE(s.metric(a, "loss").empty());
  EXPECT_TRUE(s.probes(a).empty());
  EXPECT_TRUE(s.projection(a, "pca").empty());
  EXPECT_TRUE(s.checkpoints(a).empty());
  EXPECT_FALSE(std::filesystem::exists(run_dir(db, a)));
  // The other run is untouched.
  EXPECT_EQ(s.metric(b, "loss").size(), 2u);
  EXPECT_EQ(s.checkpoints(b).size(), 1u);
  EXPECT_EQ(s.run(b)->tags.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(run_dir(db, b) + "/sub/backbone.safetensors"));
  // A running run needs force; an unknown one is an error.
  EXPECT_THROW(s.delete_run(live), std::runtime_error);
  EXPECT_TRUE(s.run(live));
  s.delete_run(live, /*force=*/true);
  EXPECT_FALSE(s.run(live));
  EXPECT_THROW(s.delete_run(a), std::runtime_error);
  EXPECT_EQ(s.integrity_check(), "ok");
}

TEST(store, LastMetricsAndDatasets) {
  test::TempDir dir;
  Store s(dir.str("m.db"));
  const int64_t a = add_run(s, "a", "simclr", "", "finished");
  s.add_metrics({{a, 3, "loss", 0.3}, {a, 1, "loss", 0.9}, {a, 2, "lr", 0.1}, {a, 7, "loss", 0.2}, {a, 5, "loss", 0.25}});
  const auto last = s.last_metrics(a);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[0].name, "loss");
  EXPECT_EQ(last[0].step, 7);
  EXPECT_DOUBLE_EQ(last[0].value, 0.2);
  EXPECT_EQ(last[1].name, "lr");
  EXPECT_DOUBLE_EQ(last[1].value, 0.1);

  DatasetRecord d;
  d.path = "/d/cifar";
  d.fingerprint = "aaa";
  d.images = 50000;
  d.classes = 10;
  const int64_t id = s.upsert_dataset(d);
  d.fingerprint = "bbb";
  d.images = 49999;
  EXPECT_EQ(s.upsert_dataset(d), id);  // same path: updated, not duplicated
  const auto all = s.datasets();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].fingerprint, "bbb");
  EXPECT_EQ(all[0].images, 49999);
  EXPECT_EQ(all[0].classes, 10);
}

TEST(store, CompareSeriesProbesAndConfigDiff) {
  test::TempDir dir;
  Store s(dir.str("c.db"));
  const int64_t a = add_run(s, "a", "simclr", "", "finished",
                            R"({"lr":0.5,"batch":256,"method_params":{"temperature":0.5,"dim":128},"tags":[1,2]})");
  const int64_t b = add_run(s, "b", "simclr", "", "finished",
                            R"({"lr":0.25,"batch":256,"method_params":{"temperature":0.2,"dim":128},"tags":[1,3],"extra":true})");
  s.add_metrics({{a, 1, "loss", 2.0}, {a, 2, "loss", 1.0}, {b, 1, "loss", 3.0}});
  s.add_probe({a, 2, "knn", 200, 0.5, 10});
  s.add_probe({a, 2, "knn", 200, 0.6, 10});  // a later probe of the same kind wins
  s.add_probe({b, 1, "linear", 0, 0.7, 10});

  const auto series = metric_series(s, {a, b}, "loss");
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].steps, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(series[1].values, (std::vector<double>{3.0}));
  EXPECT_EQ(common_metric_names(s, {a, b}), std::vector<std::string>{"loss"});

  const auto probes = probe_table(s, {a, b});
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[0].kind, "knn");
  ASSERT_TRUE(probes[0].accuracy[0]);
  EXPECT_DOUBLE_EQ(*probes[0].accuracy[0], 0.6);
  EXPECT_FALSE(probes[0].accuracy[1]);
  EXPECT_EQ(probes[1].kind, "linear");
  EXPECT_FALSE(probes[1].accuracy[0]);
  EXPECT_DOUBLE_EQ(*probes[1].accuracy[1], 0.7);

  const auto diff = config_diff(nlohmann::json::parse(s.run_config(a)), nlohmann::json::parse(s.run_config(b)));
  ASSERT_EQ(diff.size(), 4u);  // sorted by key; equal keys (batch, dim) are left out
  EXPECT_EQ(diff[0].key, "/extra");
  EXPECT_TRUE(diff[0].a.is_null());
  EXPECT_EQ(diff[0].b, true);
  EXPECT_EQ(diff[1].key, "/lr");
  EXPECT_EQ(diff[1].a, 0.5);
  EXPECT_EQ(diff[1].b, 0.25);
  EXPECT_EQ(diff[2].key, "/method_params/temperature");
  EXPECT_EQ(diff[3].key, "/tags");
  EXPECT_EQ(diff[3].b, nlohmann::json::parse("[1,3]"));
  const auto rows = config_diff(s, {a, b, a});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].values.size(), 3u);
  EXPECT_EQ(rows[1].values[2], 0.5);
  // A key with '/' stays one key (JSON pointer escaping).
  EXPECT_EQ(config_diff(nlohmann::json::parse(R"({"a/b":1})"), nlohmann::json::parse(R"({"a/b":2})"))[0].key, "/a~1b");
}

TEST(store, ProbeCurvesOverStepsWithTheirBaselines) {
  test::TempDir dir;
  Store s(dir.str("p.db"));
  RunRecord r;
  r.name = "a";
  r.method = "simclr";
  r.backbone = "resnet-tiny";
  r.status = "finished";
  r.config = R"({"data_fingerprint":"fp1"})";
  const int64_t a = s.create_run(r);
  r.name = "b";
  const int64_t b = s.create_run(r);
  s.add_probe({a, 20, "knn", 200, 0.3, 10});
  s.add_probe({a, 10, "knn", 200, 0.2, 10});
  s.add_probe({a, 20, "knn", 200, 0.35, 10});  // a later probe at a step replaces the earlier one
  s.add_probe({a, 20, "knn", 20, 0.9, 10});    // another k: another curve
  s.add_probe({b, 40, "linear", 0, 0.5, 10});
  EXPECT_EQ(probe_curve_names(s, {a, b}), (std::vector<std::string>{"probe knn k=20", "probe knn k=200", "probe linear"}));
  const auto knn = probe_curve(s, {a, b}, "probe knn k=200");
  ASSERT_EQ(knn.size(), 2u);
  EXPECT_EQ(knn[0].run_name, "a");
  EXPECT_EQ(knn[0].steps, (std::vector<int64_t>{10, 20}));
  EXPECT_EQ(knn[0].values, (std::vector<double>{0.2, 0.35}));
  EXPECT_TRUE(knn[1].steps.empty());
  // Baselines of the runs' data and backbone, final split, matched by k; once however many runs share them.
  s.set_baseline({"fp1", "resnet-tiny", "random_init", "final", R"({"k":200,"t":0.1})", 0.25, 10, ""});
  s.set_baseline({"fp1", "pixels", "raw_pixels", "final", R"({"k":200,"t":0.1})", 0.4, 10, ""});
  s.set_baseline({"fp1", "resnet-tiny", "random_init", "online", R"({"k":20,"t":0.1})", 0.1, 10, ""});
  s.set_baseline({"fp2", "resnet-tiny", "random_init", "final", R"({"k":200,"t":0.1})", 0.9, 10, ""});
  const auto lines = probe_baselines(s, {a, b}, "probe knn k=200");
  ASSERT_EQ(lines.size(), 2u);
  std::map<std::string, double> by_label;
  for (const auto& l : lines) by_label[l.label] = l.value;
  EXPECT_DOUBLE_EQ(by_label.at("untrained resnet-tiny"), 0.25);
  EXPECT_DOUBLE_EQ(by_label.at("raw pixels"), 0.4);
  EXPECT_TRUE(probe_baselines(s, {a, b}, "probe knn k=20").empty());  // only an online one at k=20
  EXPECT_TRUE(probe_baselines(s, {a, b}, "probe linear").empty());
}

TEST(store, SmoothingIsADebiasedMovingAverage) {
  // By hand with weight 0.5: s1 = 0.5*2 / 0.5 = 2; s2 = (0.5*1 + 0.5*4) / 0.75 = 10/3.
  const auto s = smooth_ema({2.0, 4.0}, 0.5);
  EXPECT_DOUBLE_EQ(s[0], 2.0);
  EXPECT_DOUBLE_EQ(s[1], 10.0 / 3.0);
  EXPECT_EQ(smooth_ema({1.0, 5.0}, 0.0), (std::vector<double>{1.0, 5.0}));
  EXPECT_THROW(smooth_ema({1.0}, 1.0), std::invalid_argument);
}

TEST(store, DatasetFingerprintFollowsTheContent) {
  ImageSet a;
  a.height = a.width = 2;
  a.channels = 1;
  const uint8_t bytes[] = {1, 2, 3, 4, 5, 6, 7, 8};
  a.pixels.resize(sizeof bytes);
  std::memcpy(a.pixels.data(), bytes, sizeof bytes);
  a.labels = {0, 1};
  a.sources = {"x#0", "x#1"};
  ImageSet b = a;
  b.sources = {"elsewhere/0.png", "elsewhere/1.png"};  // same content, other files
  EXPECT_EQ(dataset_fingerprint(a), dataset_fingerprint(b));
  EXPECT_EQ(dataset_fingerprint(a).size(), 16u);
  b.pixels = PixelStore();  // copies of a set share their pixels: give b its own
  b.pixels.resize(sizeof bytes);
  std::memcpy(b.pixels.data(), bytes, sizeof bytes);
  b.pixels.data()[7] = 9;
  EXPECT_NE(dataset_fingerprint(a), dataset_fingerprint(b));
  b = a;
  b.labels = {1, 0};
  EXPECT_NE(dataset_fingerprint(a), dataset_fingerprint(b));
  const DatasetRecord d = describe_dataset(a, "/d/x");
  EXPECT_EQ(d.images, 2);
  EXPECT_EQ(d.classes, 2);
  EXPECT_EQ(d.channels, 1);
  EXPECT_EQ(d.fingerprint, dataset_fingerprint(a));
}

// A --db that is not SQLite at all is refused in words a person can act on, for writing and for
// reading, and the file is left exactly as it was.
TEST(store, AFileThatIsNotSqliteIsRefusedAndLeftAlone) {
  test::TempDir dir;
  const std::string path = dir.str("notes.db");
  const std::string text = "my notes, not a database\n";
  { std::ofstream(path) << text; }
  for (const bool read_only : {false, true}) {
    try {
      Store store(path, read_only);
      FAIL() << "opened a text file as a database";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("is not a Pretext database: it is not an SQLite file"), std::string::npos)
          << e.what();
    }
  }
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), text);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

// A database this user may not write is refused for writing in a sentence of its own, before a run
// loads any data; it still opens for reading (as immutable: its folder takes no shared-memory file).
// The checks run in a child process as the unprivileged user "nobody" when the suite runs as root,
// whom file modes do not stop.
TEST(store, AReadOnlyDatabaseIsRefusedForWritingAndStillReads) {
  test::TempDir dir;
  const std::filesystem::path folder = dir.path() / "read-only";
  std::filesystem::create_directories(folder);
  const std::string path = (folder / "runs.db").string();
  { Store create(path, false); }
  namespace fs = std::filesystem;
  fs::permissions(dir.path(), fs::perms::all);
  fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(10);
    try {
      Store store(path, false);
      ::_exit(1);  // opened for writing
    } catch (const std::runtime_error& e) {
      if (std::string(e.what()).find("is read-only") == std::string::npos) ::_exit(2);
    }
    try {
      if (Store(path, true).runs().size() != 0) ::_exit(3);
    } catch (const std::exception&) {
      ::_exit(4);  // could not be read
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  fs::permissions(folder, fs::perms::owner_all);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: opened for writing, 2: another message, 3-4: could not be read, 10: no "
                                       "unprivileged user";
}
