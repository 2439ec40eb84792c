#include "engine/store/store.h"

#include <nlohmann/json.hpp>

#include "engine/store/stmt.h"

#include <sqlite3.h>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace pretext {
namespace {

// Each entry moves the schema one version forward; never edit an entry once released.
const char* const kMigrations[] = {
    // v1
    R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, method TEXT NOT NULL, backbone TEXT, status TEXT NOT NULL,
  config TEXT NOT NULL, seed INTEGER, dataset TEXT, device TEXT, created_at TEXT, finished_at TEXT,
  commit_hash TEXT, torch_version TEXT, opencv_version TEXT, ui_version TEXT, message TEXT);
CREATE TABLE metrics(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL, name TEXT NOT NULL, value REAL);
CREATE INDEX metrics_by_run ON metrics(run_id, name, step);
CREATE TABLE probes(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER, kind TEXT NOT NULL, k INTEGER, accuracy REAL, queries INTEGER, created_at TEXT);
CREATE TABLE projections(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, kind TEXT NOT NULL,
  image_index INTEGER, x REAL, y REAL, label INTEGER);
CREATE INDEX projections_by_run ON projections(run_id, kind);
)sql",
    // v2. (checkpoints as first released; v3 replaces it.)
    R"sql(
ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
CREATE TABLE run_tags(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, tag TEXT NOT NULL,
  PRIMARY KEY(run_id, tag)) WITHOUT ROWID;
CREATE INDEX run_tags_by_tag ON run_tags(tag);
CREATE TABLE datasets(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, fingerprint TEXT, images INTEGER,
  classes INTEGER, width INTEGER, height INTEGER, channels INTEGER, created_at TEXT);
CREATE TABLE IF NOT EXISTS checkpoints(run_id INTEGER, step INTEGER, path TEXT, created_at TEXT);
CREATE INDEX IF NOT EXISTS checkpoints_by_run ON checkpoints(run_id, step);
CREATE VIEW diagnostics AS SELECT run_id, step, substr(name, 6) AS name, value FROM metrics WHERE name LIKE 'diag/%';
CREATE INDEX runs_by_method ON runs(method);
)sql",
    // v3. One definition of the checkpoint and process tables. Builds before v3 created checkpoints
    // both here (v2) and lazily elsewhere, without constraints, and run_processes only lazily: rows
    // of deleted runs and incomplete rows are dropped on the way.
    R"sql(
CREATE TABLE checkpoints_v3(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL, path TEXT NOT NULL, created_at TEXT, PRIMARY KEY(run_id, step)) WITHOUT ROWID;
INSERT OR REPLACE INTO checkpoints_v3(run_id, step, path, created_at)
  SELECT run_id, step, path, created_at FROM checkpoints
  WHERE run_id IN (SELECT id FROM runs) AND step IS NOT NULL AND path IS NOT NULL;
DROP TABLE checkpoints;
ALTER TABLE checkpoints_v3 RENAME TO checkpoints;
CREATE TABLE IF NOT EXISTS run_processes(run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  pid INTEGER NOT NULL, start_ticks INTEGER, host TEXT, started_at TEXT);
DELETE FROM run_processes WHERE run_id NOT IN (SELECT id FROM runs);
)sql",
    // v4. Probes say what they measured and how; baselines are kept per dataset and backbone.
    R"sql(
ALTER TABLE probes ADD COLUMN top5 REAL;
ALTER TABLE probes ADD COLUMN bank INTEGER;
ALTER TABLE probes ADD COLUMN train_accuracy REAL;
ALTER TABLE probes ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
ALTER TABLE probes ADD COLUMN confusion TEXT;
CREATE INDEX probes_by_run ON probes(run_id, kind, step);
CREATE TABLE baselines(dataset TEXT NOT NULL, backbone TEXT NOT NULL, baseline TEXT NOT NULL, scope TEXT NOT NULL,
  params TEXT NOT NULL, accuracy REAL, queries INTEGER, created_at TEXT,
  PRIMARY KEY(dataset, backbone, baseline, scope, params)) WITHOUT ROWID;
)sql",
    // v5. Nothing a run reports is dropped on the way in: which probe ended the run, and the names of
    // a projection's classes.
    R"sql(
ALTER TABLE probes ADD COLUMN end_of_run INTEGER NOT NULL DEFAULT 0;
CREATE TABLE projection_classes(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, kind TEXT NOT NULL,
  names TEXT NOT NULL, PRIMARY KEY(run_id, kind)) WITHOUT ROWID;
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == Store::kSchemaVersion);

// How long a connection waits for another's lock before it reports the database as locked.
constexpr int kBusyTimeoutMs = 5000;

int user_version(sqlite3* db) {
  Stmt q(db, "PRAGMA user_version");
  q.step();
  return static_cast<int>(q.i64(0));
}

// A file that is not SQLite at all (a text file, an image given as --db) is refused in a sentence of
// its own: SQLite's "file is not a database" reads as if the database were damaged. Nothing has been
// written to it.
std::string not_a_database(const std::string& path) {
  return path + " is not a Pretext database: it is not an SQLite file (it was left as it is; choose another file)";
}

// SQLite opens a file it may not write read-only without a word, and the first write of a run then
// fails with "attempt to write a readonly database" after minutes of data loading. Said up front.
std::string read_only_database(const std::string& path) {
  return "the database " + path + " is read-only (a read-only disk, or a file this user may not write): runs " +
         "cannot be recorded in it; choose a workspace elsewhere (it can still be read: runs list, export)";
}

// How a read-only connection names the file. A database on a read-only disk (or in a folder this user
// may not write) cannot get the shared-memory index a WAL database is read through, and every query
// fails with "attempt to write a readonly database"; nobody can change such a file, so it is opened
// as immutable (SQLite's URI parameter), which reads it without the index. A folder with a -wal file
// is read the usual way: an immutable read would miss the commits still in it.
struct ReadOnlyName {
  std::string name;
  int flags = 0;
};
ReadOnlyName read_only_name(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
  if (::access(dir.c_str(), W_OK) == 0 || std::filesystem::exists(path + "-wal")) return {path, 0};
  std::string uri = "file:";
  static const char* hex = "0123456789ABCDEF";
  for (const unsigned char c : std::filesystem::absolute(path).string()) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += hex[c >> 4];
      uri += hex[c & 15];
    }
  }
  return {uri + "?immutable=1", SQLITE_OPEN_URI};
}

}  // namespace

std::string utc_now_iso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Store::Store(const std::string& path, bool read_only) : path_(std::filesystem::absolute(path).string()) {
  if (read_only) {
    // Bring an older database to this schema once, so the read-only queries below find their columns.
    // The same patience as every connection: this read meets a writer's lock too (a run's connection
    // closing checkpoints the WAL under an exclusive lock), and without a busy timeout it failed at
    // once with "database is locked" on the runs page right after a run stopped.
    sqlite3* probe = nullptr;
    bool older = false;
    const ReadOnlyName name = read_only_name(path);
    if (sqlite3_open_v2(name.name.c_str(), &probe, SQLITE_OPEN_READONLY | name.flags, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(probe, kBusyTimeoutMs);
      try {
        older = user_version(probe) < kSchemaVersion;
      } catch (...) {
        const bool not_sqlite = sqlite3_errcode(probe) == SQLITE_NOTADB;
        sqlite3_close(probe);
        if (not_sqlite) throw std::runtime_error(not_a_database(path));
        throw;
      }
    }
    sqlite3_close(probe);
    if (older) Store upgrade(path, false);
  }
  const ReadOnlyName name = read_only ? read_only_name(path) : ReadOnlyName{path, 0};
  const int flags = read_only ? SQLITE_OPEN_READONLY | name.flags : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(name.name.c_str(), &db_, flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  if (read_only) return;
  if (sqlite3_db_readonly(db_, "main") == 1) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(read_only_database(path));
  }
  // A constructor that throws runs no destructor: close the handle here, or the file stays open.
  try {
    exec("PRAGMA journal_mode=WAL");
    // NORMAL in WAL mode: a power cut can lose the last commits but never corrupts the file.
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    // The metrics index outgrows SQLite's 2 MB default cache within a long run; a miss there costs a
    // page read per insert. 64 MB is a bound, not an allocation.
    exec("PRAGMA cache_size=-65536");
    migrate();
  } catch (...) {
    const bool not_sqlite = sqlite3_errcode(db_) == SQLITE_NOTADB;
    sqlite3_close(db_);
    db_ = nullptr;
    if (not_sqlite) throw std::runtime_error(not_a_database(path));
    throw;
  }
}

Store::~Store() { sqlite3_close(db_); }

void Store::exec(const char* sql) { exec_sql(db_, sql); }

int Store::schema_version() {
  std::lock_guard<std::mutex> lock(mu_);
  return user_version(db_);
}

void Store::migrate() {
  int v = user_version(db_);
  if (v > kSchemaVersion)
    throw std::runtime_error("database schema v" + std::to_string(v) + " is newer than this Pretext (v" +
                             std::to_string(kSchemaVersion) + ")");
  while (v < kSchemaVersion) {
    Tx tx(db_);
    // Read the version again under the write lock: another process (or connection) opening the
    // same new database may have migrated it between our first read and this transaction.
    v = user_version(db_);
    if (v >= kSchemaVersion) {
      tx.commit();
      break;
    }
    exec(kMigrations[v]);
    exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
    tx.commit();
    ++v;
  }
}

int64_t Store::create_run(const RunRecord& r) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_,
         "INSERT INTO runs(name, method, backbone, status, config, seed, dataset, device, created_at, commit_hash, "
         "torch_version, opencv_version, ui_version, message) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  q.bind(1, r.name).bind(2, r.method).bind(3, r.backbone).bind(4, r.status.empty() ? "running" : r.status)
      .bind(5, r.config).bind(6, r.seed).bind(7, r.dataset).bind(8, r.device)
      .bind(9, r.created_at.empty() ? utc_now_iso() : r.created_at).bind(10, r.commit).bind(11, r.torch_version)
      .bind(12, r.opencv_version).bind(13, r.ui_version).bind(14, r.message);
  q.step();
  return sqlite3_last_insert_rowid(db_);
}

void Store::set_status(int64_t run, const std::string& status, const std::string& message, bool finished) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "UPDATE runs SET status=?, message=?, finished_at=? WHERE id=?");
  q.bind(1, status).bind(2, message).bind(4, run);
  if (finished) q.bind(3, utc_now_iso());  // an unbound parameter is NULL
  q.step();
}

void Store::add_metrics(const std::vector<MetricRow>& rows) {
  if (rows.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  Tx tx(db_);
  Stmt q(db_, "INSERT INTO metrics(run_id, step, name, value) VALUES(?,?,?,?)");
  for (const auto& r : rows) {
    q.bind(1, r.run_id).bind(2, r.step).bind_static(3, r.name).bind(4, r.value);
    q.step();
    q.reset();
  }
  tx.commit();
}

void Store::add_probe(const ProbeEvent& p) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string params = p.params.empty() ? "{}" : p.params;
  Tx tx(db_);
  // The same probe of the same weights measured again: one row, the newest.
  Stmt same(db_, "DELETE FROM probes WHERE run_id=? AND step=? AND kind=? AND k=? AND params=?");
  same.bind(1, p.run_id).bind(2, p.step).bind(3, p.kind).bind(4, int64_t(p.k)).bind(5, params);
  same.step();
  Stmt q(db_,
         "INSERT INTO probes(run_id, step, kind, k, accuracy, queries, created_at, top5, bank, train_accuracy, params, "
         "confusion, end_of_run) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
  q.bind(1, p.run_id).bind(2, p.step).bind(3, p.kind).bind(4, int64_t(p.k)).bind(5, p.accuracy)
      .bind(6, p.queries).bind(7, utc_now_iso()).bind(9, p.bank).bind(11, params).bind(13, int64_t(p.end_of_run));
  if (p.top5 >= 0) q.bind(8, p.top5);  // an unbound parameter is NULL
  if (p.train_accuracy >= 0) q.bind(10, p.train_accuracy);
  if (!p.confusion.empty()) q.bind(12, nlohmann::json(p.confusion).dump());
  q.step();
  tx.commit();
}

void Store::set_projection(const ProjectionEvent& p) {
  std::lock_guard<std::mutex> lock(mu_);
  Tx tx(db_);
  for (const char* table : {"projections", "projection_classes"}) {
    Stmt del(db_, (std::string("DELETE FROM ") + table + " WHERE run_id=? AND kind=?").c_str());
    del.bind(1, p.run_id).bind(2, p.kind);
    del.step();
  }
  Stmt q(db_, "INSERT INTO projections(run_id, kind, image_index, x, y, label) VALUES(?,?,?,?,?,?)");
  for (size_t i = 0; i < p.image_indices.size(); ++i) {
    q.bind(1, p.run_id).bind(2, p.kind).bind(3, p.image_indices[i]).bind(4, double(p.xy[2 * i]))
        .bind(5, double(p.xy[2 * i + 1])).bind(6, int64_t(p.labels.empty() ? -1 : p.labels[i]));
    q.step();
    q.reset();
  }
  if (!p.class_names.empty()) {
    Stmt names(db_, "INSERT INTO projection_classes(run_id, kind, names) VALUES(?,?,?)");
    names.bind(1, p.run_id).bind(2, p.kind).bind(3, nlohmann::json(p.class_names).dump());
    names.step();
  }
  tx.commit();
}

std::vector<RunRecord> Store::runs() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, (std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id").c_str());
  std::vector<RunRecord> out;
  while (q.step()) out.push_back(read_run(q));
  for (auto& r : out) r.tags = tags_of(r.id);
  return out;
}

std::optional<RunRecord> Store::run(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, (std::string("SELECT ") + kRunColumns + " FROM runs WHERE id=?").c_str());
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  RunRecord r = read_run(q);
  r.tags = tags_of(id);
  return r;
}

std::vector<std::string> Store::metric_names(int64_t run) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "SELECT DISTINCT name FROM metrics WHERE run_id=? ORDER BY name");
  q.bind(1, run);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::vector<std::pair<int64_t, double>> Store::metric(int64_t run, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "SELECT step, value FROM metrics WHERE run_id=? AND name=? ORDER BY step");
  q.bind(1, run).bind(2, name);
  std::vector<std::pair<int64_t, double>> out;
  while (q.step()) out.emplace_back(q.i64(0), q.f64(1));
  return out;
}

std::vector<ProbeEvent> Store::probes(int64_t run) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_,
         "SELECT run_id, step, kind, k, accuracy, queries, top5, bank, train_accuracy, params, confusion, end_of_run "
         "FROM probes WHERE run_id=? ORDER BY id");
  q.bind(1, run);
  std::vector<ProbeEvent> out;
  while (q.step()) {
    ProbeEvent p;
    p.run_id = q.i64(0);
    p.step = q.i64(1);
    p.kind = q.str(2);
    p.k = int(q.i64(3));
    p.accuracy = q.f64(4);
    p.queries = q.i64(5);
    p.top5 = q.null(6) ? -1 : q.f64(6);
    p.bank = q.i64(7);
    p.train_accuracy = q.null(8) ? -1 : q.f64(8);
    p.params = q.str(9);
    const auto confusion = nlohmann::json::parse(q.null(10) ? "[]" : q.str(10), nullptr, false);
    if (confusion.is_array()) p.confusion = confusion.get<std::vector<int64_t>>();
    p.end_of_run = q.i64(11) != 0;
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<BaselineRecord> Store::baseline(const std::string& dataset, const std::string& backbone,
                                              const std::string& baseline, const std::string& scope,
                                              const std::string& params) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_,
         "SELECT accuracy, queries, created_at FROM baselines WHERE dataset=? AND backbone=? AND baseline=? AND "
         "scope=? AND params=?");
  q.bind(1, dataset).bind(2, backbone).bind(3, baseline).bind(4, scope).bind(5, params);
  if (!q.step()) return std::nullopt;
  return BaselineRecord{dataset, backbone, baseline, scope, params, q.f64(0), q.i64(1), q.str(2)};
}

void Store::set_baseline(const BaselineRecord& b) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_,
         "INSERT OR REPLACE INTO baselines(dataset, backbone, baseline, scope, params, accuracy, queries, created_at) "
         "VALUES(?,?,?,?,?,?,?,?)");
  q.bind(1, b.dataset).bind(2, b.backbone).bind(3, b.baseline).bind(4, b.scope).bind(5, b.params).bind(6, b.accuracy)
      .bind(7, b.queries).bind(8, utc_now_iso());
  q.step();
}

std::vector<BaselineRecord> Store::baselines(const std::string& dataset, const std::string& backbone) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_,
         "SELECT backbone, baseline, scope, params, accuracy, queries, created_at FROM baselines "
         "WHERE dataset=? AND (backbone=? OR backbone='pixels') ORDER BY scope, baseline, created_at");
  q.bind(1, dataset).bind(2, backbone);
  std::vector<BaselineRecord> out;
  while (q.step()) out.push_back({dataset, q.str(0), q.str(1), q.str(2), q.str(3), q.f64(4), q.i64(5), q.str(6)});
  return out;
}

std::vector<ProjectionPoint> Store::projection(int64_t run, const std::string& kind) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "SELECT image_index, x, y, label FROM projections WHERE run_id=? AND kind=? ORDER BY rowid");
  q.bind(1, run).bind(2, kind);
  std::vector<ProjectionPoint> out;
  while (q.step()) out.push_back({q.i64(0), float(q.f64(1)), float(q.f64(2)), int(q.i64(3))});
  return out;
}

std::vector<std::string> Store::projection_class_names(int64_t run, const std::string& kind) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "SELECT names FROM projection_classes WHERE run_id=? AND kind=?");
  q.bind(1, run).bind(2, kind);
  if (!q.step()) return {};
  const auto names = nlohmann::json::parse(q.str(0), nullptr, false);
  return names.is_array() ? names.get<std::vector<std::string>>() : std::vector<std::string>{};
}

std::string Store::integrity_check() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "PRAGMA integrity_check");
  std::string out;
  while (q.step()) {
    if (!out.empty()) out += '\n';  // appended, not chained: GCC 12 warns falsely on "x" + std::string
    out += q.str(0);
  }
  return out;
}

namespace {
constexpr size_t kBatchRows = 50000;
}

struct MetricWriter::State {
  Store& store;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<MetricRow> pending;
  bool stop = false, flush_requested = false;
  std::string error;
  uint64_t pushed = 0, written = 0;  // written: handled (committed or dropped), for flush()
  uint64_t committed = 0;
  std::condition_variable flushed;
  std::thread thread;
  explicit State(Store& s) : store(s) {}
};

MetricWriter::MetricWriter(Store& store) : s_(std::make_unique<State>(store)) {
  s_->thread = std::thread([s = s_.get()] {
    std::unique_lock<std::mutex> lock(s->mu);
    while (true) {
      // Half a second keeps the "committed at least once a second" promise even when a batch
      // takes a while to write; a full batch goes at once so memory stays bounded.
      s->cv.wait_for(lock, std::chrono::milliseconds(500),
                     [s] { return s->stop || s->flush_requested || s->pending.size() >= kBatchRows; });
      s->flush_requested = false;
      std::vector<MetricRow> batch;
      batch.swap(s->pending);
      const uint64_t upto = s->pushed;
      const bool stopping = s->stop;
      lock.unlock();
      bool ok = true;
      try {
        if (!batch.empty()) s->store.add_metrics(batch);
      } catch (const std::exception& e) {
        // Keep training: the rows are lost, but the run and its checkpoints are not.
        std::lock_guard<std::mutex> relock(s->mu);
        s->error = e.what();
        ok = false;
      }
      lock.lock();
      if (ok) s->committed += batch.size();
      s->written = upto;
      s->flushed.notify_all();
      if (stopping && s->pending.empty()) break;
    }
  });
}

MetricWriter::~MetricWriter() {
  {
    std::lock_guard<std::mutex> lock(s_->mu);
    s_->stop = true;
  }
  s_->cv.notify_all();
  s_->thread.join();
}

void MetricWriter::push(MetricRow row) {
  bool full = false;
  {
    std::lock_guard<std::mutex> lock(s_->mu);
    s_->pending.push_back(std::move(row));
    ++s_->pushed;
    full = s_->pending.size() == kBatchRows;
  }
  if (full) s_->cv.notify_all();
}

std::string MetricWriter::error() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->error;
}

uint64_t MetricWriter::rows_written() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->committed;
}

void MetricWriter::flush() {
  std::unique_lock<std::mutex> lock(s_->mu);
  const uint64_t target = s_->pushed;
  s_->flush_requested = true;
  s_->cv.notify_all();
  s_->flushed.wait(lock, [&] { return s_->written >= target; });
}

}  // namespace pretext
