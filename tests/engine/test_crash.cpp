// ctest-labels: integration dataset-fashion-mnist
// Crash safety of the whole CLI: kill -9 a training process at random moments, again and again.
// After each kill the database must pass integrity_check, the run must be found interrupted at the
// next start, its committed curve must have no gap, and `resume` must carry on from the last
// checkpoint; at the end a resumed run's curve equals every value committed before any kill.
// Ctrl-C must stop cleanly with a checkpoint.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <thread>

#include "engine/store/store.h"
#include "support.h"

using namespace pretext;
using namespace std::chrono_literals;

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string integrity(const std::string& db) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return "cannot open";
  }
  std::string out;
  sqlite3_exec(
      h, "PRAGMA integrity_check",
      [](void* o, int, char** v, char**) {
        *static_cast<std::string*>(o) += v[0] ? v[0] : "";
        return 0;
      },
      &out, nullptr);
  sqlite3_close(h);
  return out;
}

std::string write_config(const test::TempDir& dir, int64_t steps) {
  nlohmann::json c = {{"data", test::fashion_mnist_train_images()},
                      {"limit", 256},
                      {"batch", 32},
                      {"steps", steps},
                      {"backbone", "resnet-tiny"},
                      {"seed", 5},
                      {"threads", 1},
                      {"diag_every", 0},
                      {"probe_queries", 16},
                      {"knn_k", 5},
                      {"lr", 0.2},
                      {"checkpoint_every", 5}};
  const std::string path = dir.str("run.json");
  std::ofstream(path) << c.dump();
  return path;
}

// Waits (up to a minute) until the first run in db has committed `rows` loss rows.
void wait_for_loss_rows(const std::string& db, size_t rows) {
  for (int i = 0; i < 1200; ++i) {
    std::this_thread::sleep_for(50ms);
    try {
      if (!std::filesystem::exists(db)) continue;
      Store s(db, true);
      const auto runs = s.runs();
      if (!runs.empty() && s.metric(runs[0].id, "loss").size() >= rows) return;
    } catch (const std::exception&) {
      // still being created
    }
  }
}

}  // namespace

TEST(crash, KillNineAtRandomMomentsThenResumeToTheEnd) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("crash.db"), log = dir.str("cli.log");
  const std::string cfg = write_config(dir, 1000000);  // never finishes: every process is killed or stopped
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 rng(seed);
  SCOPED_TRACE("kill schedule seed " + std::to_string(seed));

  // Polls while the child writes; a database still being created answers 0.
  auto committed_steps = [&](int64_t r) -> int64_t {
    try {
      if (r == 0 || !std::filesystem::exists(db)) return 0;
      Store s(db, true);
      return int64_t(s.metric(r, "loss").size());
    } catch (const std::exception&) {
      return 0;
    }
  };
  auto first_run = [&]() -> int64_t {
    try {
      if (!std::filesystem::exists(db)) return 0;
      Store s(db, true);
      const auto runs = s.runs();
      return runs.empty() ? 0 : runs[0].id;
    } catch (const std::exception&) {
      return 0;
    }
  };

  std::map<int64_t, double> committed;  // step -> loss, as seen after the kills
  int64_t run = 0;
  int kills = 0;
  while (kills < 10) {
    const std::vector<std::string> args =
        run == 0 ? std::vector<std::string>{PRETEXT_CLI, "train", "--config", cfg, "--db", db}
                 : std::vector<std::string>{PRETEXT_CLI, "resume", std::to_string(run), "--db", db};
    const int64_t before = committed_steps(run);
    const pid_t pid = spawn(args, log);
    // Every third kill is blind (any moment from start-up on, however slow the machine); the others
    // wait for the run to commit new steps, then strike a random moment later, mid-training.
    const bool blind = kills % 3 == 2 && run != 0;
    int ms = std::uniform_int_distribution<int>(0, blind ? 1500 : 400)(rng);
    if (!blind) {
      const auto deadline = std::chrono::steady_clock::now() + 60s;
      while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        const int64_t r = run != 0 ? run : first_run();
        if (r != 0 && committed_steps(r) >= before + 3) break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (waitpid(pid, nullptr, WNOHANG) == pid) FAIL() << "the CLI ended before the kill: " << std::ifstream(log).rdbuf();
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
    ++kills;
    if (!std::filesystem::exists(db)) continue;  // killed while loading, before the database existed

    ASSERT_EQ(integrity(db), "ok") << "after kill " << kills << " at " << ms << " ms";
    Store s(db);
    const auto runs = s.runs();
    if (runs.empty()) continue;  // killed before the run row: the next try starts it again
    ASSERT_EQ(runs.size(), 1u);
    run = runs[0].id;
    // "running" as the dead process left it, or still "interrupted" when a blind kill struck a
    // resume before it had claimed the run.
    const std::string left = runs[0].status;
    ASSERT_TRUE(left == "running" || left == "interrupted") << left;
    EXPECT_EQ(s.mark_interrupted(), left == "running" ? std::vector<int64_t>{run} : std::vector<int64_t>{});
    EXPECT_EQ(s.run(run)->status, "interrupted");
    const auto losses = s.metric(run, "loss");
    for (size_t i = 0; i < losses.size(); ++i) {
      ASSERT_EQ(losses[i].first, int64_t(i) + 1) << "a gap in the committed curve after kill " << kills;
      const auto seen = committed.find(losses[i].first);
      if (seen != committed.end()) {  // recomputed after a resume: must be the same value
        EXPECT_NEAR(seen->second, losses[i].second, 1e-6) << "step " << losses[i].first << " after kill " << kills;
      }
      committed[losses[i].first] = losses[i].second;
    }
    if (const auto ck = s.latest_checkpoint(run)) {
      EXPECT_TRUE(std::filesystem::exists(ck->path)) << ck->path;
      EXPECT_LE(ck->step, int64_t(losses.size())) << "a checkpoint is recorded only after its rows";
    }
    std::printf("kill %d after %d ms: %zu steps committed, checkpoint at %lld\n", kills, ms, losses.size(),
                static_cast<long long>(s.latest_checkpoint(run) ? s.latest_checkpoint(run)->step : 0));
  }
  ASSERT_GT(run, 0) << "no kill came after the run was created";

  // A last resume runs well past everything committed so far, then stops on Ctrl-C.
  const int64_t target = int64_t(committed.size()) + 15;
  const pid_t pid = spawn({PRETEXT_CLI, "resume", std::to_string(run), "--db", db}, log);
  for (int i = 0; i < 1200 && committed_steps(run) < target; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  ASSERT_EQ(wait_exit(pid), 0) << std::ifstream(log).rdbuf();
  ASSERT_EQ(integrity(db), "ok");
  Store s(db, true);
  EXPECT_EQ(s.run(run)->status, "stopped");
  const auto losses = s.metric(run, "loss");
  ASSERT_GE(int64_t(losses.size()), target);
  for (size_t i = 0; i < losses.size(); ++i) ASSERT_EQ(losses[i].first, int64_t(i) + 1);
  for (const auto& [step, value] : committed)
    EXPECT_NEAR(losses[step - 1].second, value, 1e-6) << "step " << step << " changed across a crash";
  EXPECT_EQ(s.latest_checkpoint(run)->step, losses.back().first);
}

TEST(crash, CtrlCStopsCleanlyWithACheckpoint) {
  NEED_FMNIST();
  test::TempDir dir;
  const std::string db = dir.str("int.db"), log = dir.str("cli.log");
  const std::string cfg = write_config(dir, 100000);
  const pid_t pid = spawn({PRETEXT_CLI, "train", "--config", cfg, "--db", db}, log);
  wait_for_loss_rows(db, 3);  // training has started; then interrupt
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  ASSERT_EQ(wait_exit(pid), 0) << std::ifstream(log).rdbuf();
  Store s(db, true);
  ASSERT_EQ(s.runs().size(), 1u);
  const auto r = s.runs()[0];
  EXPECT_EQ(r.status, "stopped");
  const auto losses = s.metric(r.id, "loss");
  ASSERT_FALSE(losses.empty());
  const auto ck = s.latest_checkpoint(r.id);
  ASSERT_TRUE(ck.has_value());
  EXPECT_EQ(ck->step, losses.back().first);  // the checkpoint is at the step where it stopped
  EXPECT_TRUE(std::filesystem::exists(ck->path));
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("pretext-cli resume " + std::to_string(r.id)), std::string::npos) << text;
}

// Ctrl-C pressed again and again (a user leaning on the keys, or a supervisor repeating SIGINT):
// the handler may only store to atomics, so no signal can deadlock the training thread it lands
// on; the first stops, the next cancel the evaluation, and the process still exits 0 with the run
// stopped, checkpointed and resumable.
TEST(crash, RepeatedCtrlCNeverHangsAndStopsCleanly) {
  NEED_FMNIST();
  constexpr int kRounds = 3, kSignals = 400;
  int sent_total = 0;
  for (int round = 0; round < kRounds; ++round) {
    test::TempDir dir;
    const std::string db = dir.str("int.db"), log = dir.str("cli.log");
    const pid_t pid = spawn({PRETEXT_CLI, "train", "--config", write_config(dir, 100000), "--db", db}, log);
    wait_for_loss_rows(db, 1);
    int status = 0, sent = 0;
    pid_t done = 0;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while ((done = waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline) {
      if (sent < kSignals && ::kill(pid, SIGINT) == 0) ++sent;
      std::this_thread::sleep_for(sent < kSignals ? 200us : 10ms);
    }
    if (done == 0) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL() << "round " << round << ": the CLI hung after " << sent << " SIGINTs\n" << std::ifstream(log).rdbuf();
    }
    sent_total += sent;
    ASSERT_TRUE(WIFEXITED(status)) << "round " << round << ": killed by signal " << WTERMSIG(status) << " after "
                                   << sent << " SIGINTs\n"
                                   << std::ifstream(log).rdbuf();
    EXPECT_EQ(WEXITSTATUS(status), 0) << std::ifstream(log).rdbuf();
    EXPECT_EQ(integrity(db), "ok");
    Store s(db, true);
    ASSERT_EQ(s.runs().size(), 1u);
    const auto r = s.runs()[0];
    EXPECT_EQ(r.status, "stopped");
    const auto ck = s.latest_checkpoint(r.id);
    ASSERT_TRUE(ck.has_value());
    EXPECT_EQ(ck->step, s.metric(r.id, "loss").back().first);
  }
  std::printf("%d SIGINTs over %d runs: every run stopped cleanly\n", sent_total, kRounds);
}
