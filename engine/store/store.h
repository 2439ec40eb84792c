#pragma once
// The experiment store: one SQLite file per workspace, WAL mode. The engine is its only writer;
// the GUI opens it read-only. All calls on one Store are serialised by its mutex.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace pretext {

struct RunRecord {
  int64_t id = 0;
  std::string name, method, backbone, status, config, dataset, device;
  int64_t seed = 0;
  std::string created_at, finished_at, commit, torch_version, opencv_version, ui_version, message;
};

struct MetricRow {
  int64_t run_id;
  int64_t step;
  std::string name;
  double value;
};

struct ProbeRecord {
  int64_t run_id = 0, step = 0;
  std::string kind;
  int k = 0;
  double accuracy = 0;
  int64_t queries = 0;
};

struct CheckpointRecord {
  int64_t run_id = 0, step = 0;
  std::string path, created_at;
};

struct ProjectionPoint {
  int64_t image_index;
  float x, y;
  int label;
};

class Store {
 public:
  static constexpr int kSchemaVersion = 1;

  // Opens (and creates and migrates, unless read_only) the database at path.
  explicit Store(const std::string& path, bool read_only = false);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version();

  int64_t create_run(const RunRecord& r);
  void set_status(int64_t run, const std::string& status, const std::string& message = "", bool finished = false);
  void add_metrics(const std::vector<MetricRow>& rows);  // one transaction
  void add_probe(const ProbeRecord& p);
  void set_projection(int64_t run, const std::string& kind, const std::vector<ProjectionPoint>& points);

  std::vector<RunRecord> runs();
  std::optional<RunRecord> run(int64_t id);
  std::vector<std::string> metric_names(int64_t run);
  std::vector<std::pair<int64_t, double>> metric(int64_t run, const std::string& name);
  std::vector<ProbeRecord> probes(int64_t run);
  std::vector<ProjectionPoint> projection(int64_t run, const std::string& kind);
  std::string integrity_check();

  // Checkpoints and process liveness (engine/store/checkpoints.cpp; tables created when absent).
  void add_checkpoint(int64_t run, int64_t step, const std::string& path);
  std::optional<CheckpointRecord> latest_checkpoint(int64_t run);
  std::vector<CheckpointRecord> checkpoints(int64_t run);
  void remove_checkpoint(int64_t run, int64_t step);
  void set_run_process(int64_t run);  // this process (pid, start time, host) runs `run`
  // Runs in status "running" whose process is gone become "interrupted"; returns their ids.
  std::vector<int64_t> mark_interrupted();
  void delete_metrics_after(int64_t run, int64_t step);  // a resume rewrites the steps after its checkpoint

  sqlite3* handle() { return db_; }

 private:
  void exec(const char* sql);
  void migrate();
  bool ensure_checkpoint_tables();  // false on a read-only database without them
  sqlite3* db_ = nullptr;
  std::mutex mu_;
};

// Batches metric rows into transactions on its own thread, committing at least once a second, so
// the training loop never waits on the disk.
class MetricWriter {
 public:
  explicit MetricWriter(Store& store);
  ~MetricWriter();  // flushes
  void push(MetricRow row);
  void flush();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

std::string utc_now_iso();

}  // namespace pretext
