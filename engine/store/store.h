#pragma once
// The experiment store: one SQLite file per workspace, WAL mode. The engine is its only writer;
// the GUI opens it read-only. All calls on one Store are serialised by its mutex.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/core/events.h"
#include <vector>

struct sqlite3;

namespace pretext {

struct RunRecord {
  int64_t id = 0;
  std::string name, method, backbone, status, config, dataset, device;
  int64_t seed = 0;
  std::string created_at, finished_at, commit, torch_version, opencv_version, ui_version, message;
  std::string notes;              // v2: free text the user writes about the run
  std::vector<std::string> tags;  // v2: sorted; filled by runs()/run()/list_runs()
};

// What list_runs() keeps; empty fields match everything. text matches (case-insensitively, as a
// substring) the name, notes, method, backbone, dataset or a tag.
struct RunFilter {
  std::string method, dataset, tag, status, text;
};

struct DatasetRecord {
  int64_t id = 0;
  std::string path, fingerprint;  // fingerprint: dataset_fingerprint() of the decoded images
  int64_t images = 0, classes = 0, width = 0, height = 0, channels = 0;
  std::string created_at;
};

struct CheckpointRecord {
  int64_t run_id = 0, step = 0;
  std::string path, created_at;
};

struct MetricRow {
  int64_t run_id;
  int64_t step;
  std::string name;
  double value;
};

// What a probe reads without learning (random_init, raw_pixels), once per dataset, backbone and probe.
struct BaselineRecord {
  std::string dataset, backbone, baseline, scope, params;  // the key (dataset: its fingerprint)
  double accuracy = 0;
  int64_t queries = 0;
  std::string created_at;
};

struct ProjectionPoint {
  int64_t image_index;
  float x, y;
  int label;
};

class Store {
 public:
  // v1: runs, metrics, probes, projections. v2: run notes, tags, datasets, checkpoints, a
  // diagnostics view over the "diag/" metrics. v3: checkpoints keyed by (run, step) with a foreign
  // key, and run_processes, which older builds created outside the migrations. v4: probes with top-5,
  // bank size, parameters, train accuracy and confusion; baselines. v5: whether a probe is the one
  // its run ended with; a projection's class names.
  static constexpr int kSchemaVersion = 5;

  // Opens (and creates and migrates) the database at path. A read-only Store on an older schema
  // migrates it first through a short-lived writable connection, so that readers see one schema.
  explicit Store(const std::string& path, bool read_only = false);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version();

  int64_t create_run(const RunRecord& r);
  void set_status(int64_t run, const std::string& status, const std::string& message = "", bool finished = false);
  void add_metrics(const std::vector<MetricRow>& rows);  // one transaction
  // Probes and projections are stored as the events a run (or `eval`, `project`, the app) reports them,
  // and read back as the same events: one struct each way (a StoreSink writes them).
  void add_probe(const ProbeEvent& p);  // replaces a row of the same run, step, kind and parameters
  void set_projection(const ProjectionEvent& p);  // replaces the run's projection of the same kind

  std::vector<RunRecord> runs();
  std::optional<RunRecord> run(int64_t id);
  std::vector<std::string> metric_names(int64_t run);
  std::vector<std::pair<int64_t, double>> metric(int64_t run, const std::string& name);
  std::vector<ProbeEvent> probes(int64_t run);
  std::optional<BaselineRecord> baseline(const std::string& dataset, const std::string& backbone,
                                         const std::string& baseline, const std::string& scope,
                                         const std::string& params);
  void set_baseline(const BaselineRecord& b);  // replaces one with the same key
  // Every baseline measured on these images (a fingerprint) for this backbone, and the raw pixels'.
  std::vector<BaselineRecord> baselines(const std::string& dataset, const std::string& backbone);
  std::vector<ProjectionPoint> projection(int64_t run, const std::string& kind);
  std::vector<std::string> projection_class_names(int64_t run, const std::string& kind);
  std::string integrity_check();

  // Run management (what the runs page calls). Each throws std::runtime_error for an unknown run.
  std::vector<RunRecord> list_runs(const RunFilter& filter);
  void rename_run(int64_t run, const std::string& name);
  void add_tag(int64_t run, const std::string& tag);     // no-op when already tagged
  void remove_tag(int64_t run, const std::string& tag);  // no-op when not tagged
  std::vector<std::string> all_tags();                   // every tag in use, sorted
  void set_notes(int64_t run, const std::string& notes);
  // Deletes the run's rows (metrics, probes, projections, tags, checkpoints) in one transaction,
  // then its folder run_dir(path(), run). Refuses a run whose status is "running" unless force.
  void delete_run(int64_t run, bool force = false);
  // The run's stored configuration (JSON text) for re-running it; throws for an unknown run.
  std::string run_config(int64_t run);
  // Last value of every metric of a run, by name.
  std::vector<MetricRow> last_metrics(int64_t run);
  std::vector<CheckpointRecord> checkpoints(int64_t run);

  // Datasets: keyed by path; the same path with a new fingerprint updates the record.
  int64_t upsert_dataset(const DatasetRecord& d);
  std::vector<DatasetRecord> datasets();

  // Absolute, so the run files found through it (run_dir) do not depend on the working directory.
  const std::string& path() const { return path_; }
  // Checkpoints and process liveness (engine/store/checkpoints.cpp).
  void add_checkpoint(int64_t run, int64_t step, const std::string& path);
  std::optional<CheckpointRecord> latest_checkpoint(int64_t run);
  void remove_checkpoint(int64_t run, int64_t step);
  void set_run_process(int64_t run);  // this process (pid, start time, host) runs `run`
  // Runs in status "running" whose process is gone become "interrupted"; returns their ids.
  std::vector<int64_t> mark_interrupted();
  // A resume rewrites the steps after its checkpoint: their metric and probe rows go (one transaction).
  void forget_after(int64_t run, int64_t step);

  sqlite3* handle() { return db_; }

 private:
  void exec(const char* sql);
  void migrate();
  void require_run(int64_t run);  // caller holds mu_
  std::vector<std::string> tags_of(int64_t run);  // caller holds mu_
  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mu_;
};

// The folder that holds a run's files (checkpoints, exported backbone): "<db>.runs/<id>".
std::string run_dir(const std::string& db_path, int64_t run);
// The backbone a run saves when it ends: "<db>.runs/<id>/backbone.safetensors".
std::string run_backbone_path(const std::string& db_path, int64_t run);

// Parses "12" as a run id, anything else as an exact run name (which must be unique).
// Throws std::runtime_error with a message for the user when nothing or several runs match.
int64_t resolve_run(Store& store, const std::string& id_or_name);

// Batches metric rows into transactions on its own thread, committing at least once a second, so
// the training loop never waits on the disk.
class MetricWriter {
 public:
  explicit MetricWriter(Store& store);
  ~MetricWriter();  // flushes
  void push(MetricRow row);
  void flush();  // returns when every row pushed before the call is committed
  // The last insert error ("" when none). Rows of a failed batch are dropped; training goes on.
  std::string error() const;
  uint64_t rows_written() const;  // committed so far

 private:
  struct State;
  std::unique_ptr<State> s_;
};

std::string utc_now_iso();

}  // namespace pretext
