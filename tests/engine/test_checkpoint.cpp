// ctest-labels: unit
// Checkpoint files (atomic write, exact round trip) and their records in the store, including the
// liveness check that turns a dead process's "running" run into "interrupted".
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "engine/store/store.h"
#include "engine/train/checkpoint.h"
#include "engine/train/optim.h"
#include "support.h"

using namespace pretext;

namespace {

struct NetImpl : torch::nn::Module {
  NetImpl(int hidden) {
    fc = register_module("fc", torch::nn::Linear(3, hidden));
    bn = register_module("bn", torch::nn::BatchNorm1d(hidden));
    queue = register_buffer("queue", torch::zeros({4, hidden}));
  }
  torch::Tensor forward(const torch::Tensor& x) { return bn(fc(x)).sum(); }
  torch::nn::Linear fc{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
  torch::Tensor queue;
};
TORCH_MODULE(Net);

void train_step(Net& net, torch::optim::Optimizer& opt, int i) {
  opt.zero_grad();
  auto x = torch::arange(12, torch::kFloat).view({4, 3}) * (0.1f * float(i + 1));
  net->forward(x).backward();
  opt.step();
  net->queue.add_(float(i));
}

int64_t add_run(Store& s, const std::string& created_at = "") {
  RunRecord r;
  r.name = "r";
  r.method = "simclr";
  r.config = "{}";
  r.created_at = created_at;
  return s.create_run(r);
}

}  // namespace

TEST(checkpoint, RoundTripRestoresModelBuffersAndOptimizer) {
  test::TempDir dir;
  torch::manual_seed(1);
  Net a(5);
  OptimizerOptions o;
  o.name = "lars";
  o.lr = 0.1;
  o.weight_decay = 1e-3;
  auto opt_a = make_optimizer(o, a->parameters());
  for (int i = 0; i < 3; ++i) train_step(a, *opt_a, i);
  const std::string path = checkpoint_path(dir.str("w.db"), 7, 3);
  EXPECT_EQ(path, dir.str("w.db.runs/7/ckpt-3.pt"));
  CheckpointMeta m;
  m.step = 3;
  m.total_steps = 10;
  m.seed = 0xfedcba9876543210ull;  // above INT64_MAX: stored by bit pattern
  save_checkpoint(path, *a, *opt_a, m);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  torch::manual_seed(2);  // different initial weights
  Net b(5);
  auto opt_b = make_optimizer(o, b->parameters());
  const CheckpointMeta r = load_checkpoint(path, *b, *opt_b, torch::kCPU);
  EXPECT_EQ(r.step, 3);
  EXPECT_EQ(r.total_steps, 10);
  EXPECT_EQ(r.seed, m.seed);
  // The next step (which uses the momentum buffers) must match exactly.
  train_step(a, *opt_a, 3);
  train_step(b, *opt_b, 3);
  auto pa = a->named_parameters(), pb = b->named_parameters();
  for (const auto& kv : pa) EXPECT_TRUE(torch::equal(kv.value(), pb[kv.key()])) << kv.key();
  auto ba = a->named_buffers(), bb = b->named_buffers();
  for (const auto& kv : ba) EXPECT_TRUE(torch::equal(kv.value(), bb[kv.key()])) << kv.key();
}

TEST(checkpoint, WrongModelOrMissingFileIsAClearError) {
  test::TempDir dir;
  Net a(5), other(6);
  OptimizerOptions o;
  auto opt_a = make_optimizer(o, a->parameters());
  auto opt_o = make_optimizer(o, other->parameters());
  train_step(a, *opt_a, 0);
  const std::string path = dir.str("c.pt");
  save_checkpoint(path, *a, *opt_a, CheckpointMeta{});
  EXPECT_THROW(load_checkpoint(path, *other, *opt_o, torch::kCPU), std::runtime_error);
  EXPECT_THROW(load_checkpoint(dir.str("none.pt"), *a, *opt_a, torch::kCPU), std::runtime_error);
}

TEST(checkpoint, StoreRecordsLatestAndRemoves) {
  test::TempDir dir;
  Store s(dir.str("c.db"));
  const int64_t run = add_run(s);
  EXPECT_FALSE(s.latest_checkpoint(run).has_value());
  s.add_checkpoint(run, 5, "/x/ckpt-5.pt");
  s.add_checkpoint(run, 10, "/x/ckpt-10.pt");
  ASSERT_TRUE(s.latest_checkpoint(run).has_value());
  EXPECT_EQ(s.latest_checkpoint(run)->step, 10);
  EXPECT_EQ(s.latest_checkpoint(run)->path, "/x/ckpt-10.pt");
  s.remove_checkpoint(run, 10);
  EXPECT_EQ(s.latest_checkpoint(run)->step, 5);
  EXPECT_EQ(s.checkpoints(run).size(), 1u);
  // A read-only connection sees them too (the GUI's).
  Store ro(dir.str("c.db"), true);
  EXPECT_EQ(ro.latest_checkpoint(run)->step, 5);
}

TEST(checkpoint, ReadOnlyStoreWithoutTheTablesAnswersEmpty) {
  test::TempDir dir;
  int64_t run;
  {
    Store s(dir.str("old.db"));
    run = add_run(s);
  }
  Store ro(dir.str("old.db"), true);
  EXPECT_FALSE(ro.latest_checkpoint(run).has_value());
  EXPECT_TRUE(ro.mark_interrupted().empty());
}

TEST(checkpoint, RunsOfDeadProcessesAreMarkedInterrupted) {
  test::TempDir dir;
  const std::string db = dir.str("p.db");
  Store s(db);
  const int64_t mine = add_run(s);
  s.set_run_process(mine);
  const int64_t dead = add_run(s);
  const int64_t orphan = add_run(s, "2001-01-01T00:00:00Z");  // old, no process recorded
  const int64_t young = add_run(s);                          // just created, no process yet
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Record the child as the run's process, then die without finishing.
    sqlite3* h = nullptr;
    sqlite3_open(db.c_str(), &h);
    sqlite3_busy_timeout(h, 5000);
    char sql[256];
    std::snprintf(sql, sizeof sql,
                  "INSERT INTO run_processes(run_id, pid, start_ticks, host, started_at) "
                  "SELECT %lld, %d, start_ticks, host, started_at FROM run_processes WHERE run_id=%lld",
                  static_cast<long long>(dead), int(getpid()), static_cast<long long>(mine));
    const int rc = sqlite3_exec(h, sql, nullptr, nullptr, nullptr);
    sqlite3_close(h);
    _exit(rc == SQLITE_OK ? 0 : 3);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  auto marked = s.mark_interrupted();
  std::sort(marked.begin(), marked.end());
  EXPECT_EQ(marked, (std::vector<int64_t>{dead, orphan}));
  EXPECT_EQ(s.run(mine)->status, "running");
  EXPECT_EQ(s.run(young)->status, "running");
  EXPECT_EQ(s.run(dead)->status, "interrupted");
  EXPECT_NE(s.run(dead)->message.find("process"), std::string::npos);
  EXPECT_EQ(s.run(orphan)->status, "interrupted");
  EXPECT_TRUE(s.mark_interrupted().empty());  // idempotent
}

// A resume from step 6 rewrites steps 7..: their metric and probe rows go, the run's earlier rows
// and other runs' stay (probes recorded after the checkpoint used to survive the resume).
TEST(checkpoint, ForgetAfterKeepsTheRunUpToTheCheckpoint) {
  test::TempDir dir;
  Store s(dir.str("m.db"));
  const int64_t run = add_run(s), other = add_run(s);
  std::vector<MetricRow> rows;
  for (int64_t i = 1; i <= 10; ++i) {
    rows.push_back({run, i, "loss", double(i)});
    rows.push_back({other, i, "loss", double(i)});
  }
  s.add_metrics(rows);
  for (int64_t step : {5, 8})
    for (int64_t r : {run, other}) {
      ProbeEvent p;
      p.run_id = r;
      p.step = step;
      p.kind = "knn";
      p.k = 20;
      s.add_probe(p);
    }
  s.forget_after(run, 6);
  EXPECT_EQ(s.metric(run, "loss").size(), 6u);
  EXPECT_EQ(s.metric(run, "loss").back().first, 6);
  EXPECT_EQ(s.metric(other, "loss").size(), 10u);
  ASSERT_EQ(s.probes(run).size(), 1u);
  EXPECT_EQ(s.probes(run).front().step, 5);
  EXPECT_EQ(s.probes(other).size(), 2u);
}

// Probing the same weights twice with the same parameters keeps one row (the newest); other
// parameters are another row.
TEST(checkpoint, TheSameProbeAgainReplacesItsRow) {
  test::TempDir dir;
  Store s(dir.str("p.db"));
  const int64_t run = add_run(s);
  ProbeEvent p;
  p.run_id = run;
  p.step = 10;
  p.kind = "knn";
  p.k = 20;
  p.params = R"({"k":20,"t":0.07})";
  p.accuracy = 0.5;
  s.add_probe(p);
  p.accuracy = 0.6;
  s.add_probe(p);
  ASSERT_EQ(s.probes(run).size(), 1u);
  EXPECT_EQ(s.probes(run).front().accuracy, 0.6);
  p.k = 200;
  p.params = R"({"k":200,"t":0.1})";
  s.add_probe(p);
  EXPECT_EQ(s.probes(run).size(), 2u);
}
