// ctest-labels: unit
// A database written by schema v1 (the DDL below is v1 exactly as released) must open with the
// current Store, keep every row, and gain the v2 features.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "engine/store/compare.h"
#include "engine/store/store.h"
#include "support.h"

using namespace pretext;

namespace {

const char* kV1Schema = R"sql(
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
INSERT INTO runs VALUES(1, 'old run', 'simclr', 'resnet-tiny', 'finished', '{"epochs":3,"seed":5}', 5,
  '/data/a', 'cpu', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z', 'abc123', '2.15.0', '4.6.0', '', '');
INSERT INTO runs VALUES(2, 'crashed', 'simclr', 'resnet18', 'running', '{"epochs":9,"seed":5}', 5,
  '/data/b', 'cuda', '2026-01-02T00:00:00Z', NULL, 'abc123', '2.15.0', '4.6.0', '6.4.2', '');
INSERT INTO metrics VALUES(1, 1, 'loss', 5.5), (1, 2, 'loss', 5.25), (1, 2, 'diag/rankme', 12.5), (2, 1, 'loss', 6.0);
INSERT INTO probes VALUES(1, 1, 2, 'knn', 200, 0.625, 1000, '2026-01-01T01:00:00Z');
INSERT INTO projections VALUES(1, 'pca', 7, 0.5, -0.5, 3);
PRAGMA user_version=1;
)sql";

void make_v1(const std::string& path, const char* extra = "") {
  sqlite3* db = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_open(path.c_str(), &db));
  char* err = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_exec(db, kV1Schema, nullptr, nullptr, &err)) << (err ? err : "");
  ASSERT_EQ(SQLITE_OK, sqlite3_exec(db, extra, nullptr, nullptr, &err)) << (err ? err : "");
  sqlite3_close(db);
}

std::vector<std::string> columns(Store& s, const std::string& table) {
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(s.handle(), ("PRAGMA table_info(" + table + ")").c_str(), -1, &q, nullptr);
  std::vector<std::string> out;
  while (sqlite3_step(q) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 1)));
  sqlite3_finalize(q);
  return out;
}

}  // namespace

TEST(migrations, V1DatabaseKeepsItsRowsAndGainsV2) {
  test::TempDir dir;
  const std::string db = dir.str("v1.db");
  make_v1(db);
  Store s(db);
  EXPECT_EQ(s.schema_version(), Store::kSchemaVersion);

  const auto runs = s.runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].name, "old run");
  EXPECT_EQ(runs[0].config, R"({"epochs":3,"seed":5})");
  EXPECT_EQ(runs[0].commit, "abc123");
  EXPECT_EQ(runs[0].finished_at, "2026-01-01T01:00:00Z");
  EXPECT_EQ(runs[0].notes, "");
  EXPECT_TRUE(runs[0].tags.empty());
  EXPECT_EQ(runs[1].status, "running");
  EXPECT_EQ(runs[1].ui_version, "6.4.2");
  const auto loss = s.metric(1, "loss");
  ASSERT_EQ(loss.size(), 2u);
  EXPECT_DOUBLE_EQ(loss[1].second, 5.25);
  ASSERT_EQ(s.probes(1).size(), 1u);
  EXPECT_DOUBLE_EQ(s.probes(1)[0].accuracy, 0.625);
  ASSERT_EQ(s.projection(1, "pca").size(), 1u);
  EXPECT_EQ(s.projection(1, "pca")[0].label, 3);

  // v2 features on the migrated rows.
  s.add_tag(1, "baseline");
  s.set_notes(1, "kept from v1");
  s.rename_run(2, "crashed run");
  EXPECT_EQ(s.run(1)->tags, std::vector<std::string>{"baseline"});
  EXPECT_EQ(s.run(1)->notes, "kept from v1");
  EXPECT_EQ(s.run(2)->name, "crashed run");
  EXPECT_EQ(columns(s, "checkpoints"), (std::vector<std::string>{"run_id", "step", "path", "created_at"}));
  EXPECT_EQ(columns(s, "datasets").size(), 9u);

  // The diagnostics view shows the diag/ metrics without their prefix.
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_prepare_v2(s.handle(), "SELECT run_id, step, name, value FROM diagnostics", -1, &q, nullptr));
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), 1);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, 2))), "rankme");
  EXPECT_DOUBLE_EQ(sqlite3_column_double(q, 3), 12.5);
  EXPECT_EQ(sqlite3_step(q), SQLITE_DONE);
  sqlite3_finalize(q);
  EXPECT_EQ(s.integrity_check(), "ok");
}

TEST(migrations, ReadOnlyOpenOfV1MigratesFirst) {
  test::TempDir dir;
  const std::string db = dir.str("v1ro.db");
  make_v1(db);
  Store reader(db, /*read_only=*/true);
  EXPECT_EQ(reader.schema_version(), Store::kSchemaVersion);
  const auto runs = reader.list_runs({});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].name, "crashed");
}

TEST(migrations, CheckpointsTableMadeBeforeTheMigrationIsKept) {
  // The trainer's checkpoint code creates the table itself (IF NOT EXISTS); a v1 database it wrote
  // to must still migrate, keeping its rows.
  test::TempDir dir;
  const std::string db = dir.str("v1ck.db");
  make_v1(db,
          "CREATE TABLE IF NOT EXISTS checkpoints(run_id INTEGER, step INTEGER, path TEXT, created_at TEXT);"
          "INSERT INTO checkpoints VALUES(2, 500, '/x/ckpt-500.pt', '2026-01-02T00:10:00Z');");
  Store s(db);
  EXPECT_EQ(s.schema_version(), Store::kSchemaVersion);
  const auto c = s.checkpoints(2);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].step, 500);
  EXPECT_EQ(c[0].path, "/x/ckpt-500.pt");
}

TEST(migrations, FreshDatabaseEqualsMigratedSchema) {
  test::TempDir dir;
  make_v1(dir.str("a.db"));
  Store migrated(dir.str("a.db"));
  Store fresh(dir.str("b.db"));
  for (const char* table : {"runs", "metrics", "probes", "projections", "run_tags", "datasets", "checkpoints"})
    EXPECT_EQ(columns(migrated, table), columns(fresh, table)) << table;
}

namespace {

// What builds before v3 left: the v2 migration as released, plus the checkpoint and process tables
// that engine/store/checkpoints.cpp created on first use (the IF NOT EXISTS in v2 made whichever ran
// first win), with a checkpoint row of a deleted run.
const char* kV2AsLeft = R"sql(
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
CREATE TABLE IF NOT EXISTS run_processes(run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  pid INTEGER NOT NULL, start_ticks INTEGER, host TEXT, started_at TEXT);
INSERT INTO checkpoints VALUES(2, 500, '/runs/2/ckpt-500.pt', '2026-01-02T00:10:00Z'),
  (2, 1000, '/runs/2/ckpt-1000.pt', '2026-01-02T00:20:00Z'), (9, 5, '/runs/9/ckpt-5.pt', NULL);
INSERT INTO run_processes VALUES(2, 4242, 1, 'elsewhere', '2026-01-02T00:00:00Z');
PRAGMA user_version=2;
)sql";

// The statement that created a table, as SQLite keeps it.
std::string table_sql(Store& s, const std::string& table) {
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(s.handle(), "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", -1, &q, nullptr);
  sqlite3_bind_text(q, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  std::string out;
  if (sqlite3_step(q) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  return out;
}

int foreign_keys_to_runs(Store& s, const std::string& table) {
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(s.handle(), ("PRAGMA foreign_key_list(" + table + ")").c_str(), -1, &q, nullptr);
  int n = 0;
  while (sqlite3_step(q) == SQLITE_ROW) n += std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, 2))) == "runs";
  sqlite3_finalize(q);
  return n;
}

}  // namespace

// One schema, one place: a new database has the checkpoint and process tables from the numbered
// migrations, with their constraints, before any checkpoint is written.
TEST(migrations, NewDatabaseHasEveryTableFromTheMigrations) {
  test::TempDir dir;
  Store s(dir.str("new.db"));
  EXPECT_EQ(s.schema_version(), Store::kSchemaVersion);
  EXPECT_EQ(foreign_keys_to_runs(s, "checkpoints"), 1);
  EXPECT_NE(table_sql(s, "checkpoints").find("NOT NULL"), std::string::npos) << table_sql(s, "checkpoints");
  EXPECT_FALSE(table_sql(s, "run_processes").empty());  // before any run recorded its process
  EXPECT_EQ(foreign_keys_to_runs(s, "run_processes"), 1);
}

TEST(migrations, V2DatabaseAsEarlierBuildsLeftItMovesToOneCheckpointTable) {
  test::TempDir dir;
  const std::string path = dir.str("v2.db");
  make_v1(path, kV2AsLeft);
  Store s(path);
  EXPECT_EQ(s.schema_version(), Store::kSchemaVersion);
  EXPECT_EQ(foreign_keys_to_runs(s, "checkpoints"), 1);
  const auto cks = s.checkpoints(2);
  ASSERT_EQ(cks.size(), 2u);  // kept, in step order
  EXPECT_EQ(cks[0].step, 500);
  EXPECT_EQ(cks[1].path, "/runs/2/ckpt-1000.pt");
  EXPECT_TRUE(s.checkpoints(9).empty());  // the deleted run's row is gone
  s.add_checkpoint(2, 1000, "/runs/2/again.pt");  // one row per (run, step)
  EXPECT_EQ(s.checkpoints(2).size(), 2u);
  EXPECT_EQ(s.integrity_check(), "ok");
}

namespace {
size_t open_descriptors() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}
}  // namespace

// A database from a newer Pretext is refused with a message that says so, and the refusal leaves no
// file open (the constructor threw before, so no destructor closed its SQLite handle).
TEST(migrations, ANewerDatabaseIsRefusedAndLeavesNoFileOpen) {
  test::TempDir dir;
  const std::string path = dir.str("newer.db");
  { Store s(path); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const size_t before = open_descriptors();
  for (int i = 0; i < 3; ++i) {
    try {
      Store s(path);
      FAIL() << "opened a v99 database";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("newer than this Pretext"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(open_descriptors(), before);
}
