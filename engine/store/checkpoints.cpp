// Checkpoint records and the liveness of the process that runs a run. Their tables come from
// store.cpp's numbered migrations (v3), like every other table.
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/store/stmt.h"
#include "engine/store/store.h"

namespace pretext {
namespace {

// A run whose row is this young may belong to a process that has not yet recorded itself.
constexpr int kGraceSeconds = 60;

// Field 22 of /proc/PID/stat: the start time in clock ticks since boot. With the pid it names a
// process uniquely, so a recycled pid is not mistaken for the run's process. -1 where unknown.
int64_t process_start_ticks(int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  const auto close = line.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i)
    if (!(rest >> field)) return -1;
  try {
    return std::stoll(field);
  } catch (...) {
    return -1;
  }
}

bool process_alive(int64_t pid, int64_t start_ticks) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  const int64_t now = process_start_ticks(pid);
  // No /proc (not Linux): trust kill(); otherwise the start time must match.
  return now < 0 || start_ticks < 0 || now == start_ticks;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

void Store::add_checkpoint(int64_t run, int64_t step, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "INSERT OR REPLACE INTO checkpoints(run_id, step, path, created_at) VALUES(?,?,?,?)");
  q.bind(1, run).bind(2, step).bind(3, path).bind(4, utc_now_iso());
  q.step();
}

std::optional<CheckpointRecord> Store::latest_checkpoint(int64_t run) {
  auto all = checkpoints(run);
  if (all.empty()) return std::nullopt;
  return all.back();
}

void Store::remove_checkpoint(int64_t run, int64_t step) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "DELETE FROM checkpoints WHERE run_id=? AND step=?");
  q.bind(1, run).bind(2, step);
  q.step();
}

void Store::set_run_process(int64_t run) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t pid = ::getpid();
  Stmt q(db_, "INSERT OR REPLACE INTO run_processes(run_id, pid, start_ticks, host, started_at) VALUES(?,?,?,?,?)");
  q.bind(1, run).bind(2, pid).bind(3, process_start_ticks(pid)).bind(4, host_name()).bind(5, utc_now_iso());
  q.step();
}

std::vector<int64_t> Store::mark_interrupted() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int64_t> out;
  if (sqlite3_db_readonly(db_, "main") == 1) return out;
  struct Candidate {
    int64_t run, pid;
  };
  std::vector<Candidate> gone;
  {
    Stmt q(db_,
            "SELECT r.id, p.pid, p.start_ticks, p.host, "
            "  (julianday('now') - julianday(r.created_at)) * 86400.0 "
            "FROM runs r LEFT JOIN run_processes p ON p.run_id = r.id WHERE r.status = 'running'");
    const std::string host = host_name();
    while (q.step()) {
      if (q.null(1)) {
        // No process recorded: a build without this table, or one that died before recording.
        const double age = q.null(4) ? 1e9 : q.f64(4);
        if (age > kGraceSeconds) gone.push_back({q.i64(0), 0});
        continue;
      }
      if (q.str(3) != host) continue;  // another machine's process: we cannot tell
      if (!process_alive(q.i64(1), q.null(2) ? -1 : q.i64(2))) gone.push_back({q.i64(0), q.i64(1)});
    }
  }
  for (const auto& c : gone) {
    Stmt u(db_, "UPDATE runs SET status='interrupted', message=? WHERE id=? AND status='running'");
    const std::string why = c.pid > 0 ? "process " + std::to_string(c.pid) + " ended without finishing the run"
                                      : "the process running it is gone";
    u.bind(1, why + " (resume continues from the last checkpoint)").bind(2, c.run);
    u.step();
    if (sqlite3_changes(db_) > 0) out.push_back(c.run);
  }
  return out;
}

void Store::forget_after(int64_t run, int64_t step) {
  std::lock_guard<std::mutex> lock(mu_);
  Tx tx(db_);
  for (const char* sql : {"DELETE FROM metrics WHERE run_id=? AND step>?", "DELETE FROM probes WHERE run_id=? AND step>?"}) {
    Stmt q(db_, sql);
    q.bind(1, run).bind(2, step);
    q.step();
  }
  tx.commit();
}

}  // namespace pretext
