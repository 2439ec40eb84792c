#pragma once
// A prepared SQLite statement that finalizes itself; internal to engine/store.
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "engine/store/store.h"

namespace pretext {

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& bind(int i, double v) { sqlite3_bind_double(s_, i, v); return *this; }
  Stmt& bind(int i, const std::string& v) { sqlite3_bind_text(s_, i, v.c_str(), -1, SQLITE_TRANSIENT); return *this; }
  // No copy: the caller keeps v alive until the next step() (the batch insert's hot path).
  Stmt& bind_static(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(sqlite3_db_handle(s_)));
  }
  void reset() { sqlite3_reset(s_); sqlite3_clear_bindings(s_); }
  int64_t i64(int c) { return sqlite3_column_int64(s_, c); }
  double f64(int c) { return sqlite3_column_double(s_, c); }
  bool null(int c) { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::string str(int c) {
    const auto* t = sqlite3_column_text(s_, c);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// Runs statements without results; throws std::runtime_error with SQLite's message.
inline void exec_sql(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("sqlite: " + msg);
  }
}

// A write transaction: BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless committed.
// The rollback never throws, so an exception on the way out is the one that caused it (a ROLLBACK
// inside a catch could throw and hide it, or fail because SQLite already rolled back).
class Tx {
 public:
  explicit Tx(sqlite3* db) : db_(db) { run("BEGIN IMMEDIATE"); }
  ~Tx() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  void commit() {
    run("COMMIT");
    done_ = true;
  }

 private:
  void run(const char* sql) { exec_sql(db_, sql); }
  sqlite3* db_;
  bool done_ = false;
};

inline RunRecord read_run(Stmt& q) {
  RunRecord r;
  r.id = q.i64(0); r.name = q.str(1); r.method = q.str(2); r.backbone = q.str(3); r.status = q.str(4);
  r.config = q.str(5); r.seed = q.i64(6); r.dataset = q.str(7); r.device = q.str(8); r.created_at = q.str(9);
  r.finished_at = q.str(10); r.commit = q.str(11); r.torch_version = q.str(12); r.opencv_version = q.str(13);
  r.ui_version = q.str(14); r.message = q.str(15); r.notes = q.str(16);
  return r;
}

inline const char* const kRunColumns =
    "id, name, method, backbone, status, config, seed, dataset, device, created_at, finished_at, commit_hash, "
    "torch_version, opencv_version, ui_version, message, notes";

}  // namespace pretext
