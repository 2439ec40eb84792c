// Run management on the store: what the runs page and `pretext-cli runs` call.
#include <filesystem>
#include <stdexcept>

#include "engine/store/stmt.h"
#include "engine/store/store.h"

namespace pretext {
namespace {

// LIKE with '\' as the escape, so a search for "50%" or "a_b" means those characters.
std::string like_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace

std::string run_dir(const std::string& db_path, int64_t run) {
  return db_path + ".runs/" + std::to_string(run);
}

std::string run_backbone_path(const std::string& db_path, int64_t run) {
  return run_dir(db_path, run) + "/backbone.safetensors";
}

int64_t resolve_run(Store& store, const std::string& id_or_name) {
  if (!id_or_name.empty() && id_or_name.find_first_not_of("0123456789") == std::string::npos) {
    const int64_t id = std::stoll(id_or_name);
    if (!store.run(id)) throw std::runtime_error("no run " + id_or_name + " in " + store.path());
    return id;
  }
  int64_t found = 0;
  int matches = 0;
  for (const auto& r : store.runs())
    if (r.name == id_or_name) {
      found = r.id;
      ++matches;
    }
  if (matches == 0) throw std::runtime_error("no run named '" + id_or_name + "' in " + store.path());
  if (matches > 1) throw std::runtime_error(std::to_string(matches) + " runs are named '" + id_or_name + "': give its id");
  return found;
}

void Store::require_run(int64_t run) {
  Stmt q(db_, "SELECT 1 FROM runs WHERE id=?");
  q.bind(1, run);
  if (!q.step()) throw std::runtime_error("no run " + std::to_string(run));
}

std::vector<std::string> Store::tags_of(int64_t run) {
  Stmt q(db_, "SELECT tag FROM run_tags WHERE run_id=? ORDER BY tag");
  q.bind(1, run);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::vector<RunRecord> Store::list_runs(const RunFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  // Every condition is present and switched off by an empty parameter, so one statement serves all
  // filters and nothing is spliced into SQL.
  const std::string sql = std::string("SELECT ") + kRunColumns +
                          " FROM runs r WHERE (?1 = '' OR method = ?1) AND (?2 = '' OR dataset = ?2)"
                          " AND (?3 = '' OR EXISTS(SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?3))"
                          " AND (?4 = '' OR status = ?4)"
                          " AND (?5 = '%%' OR name LIKE ?5 ESCAPE '\\' OR notes LIKE ?5 ESCAPE '\\'"
                          "  OR method LIKE ?5 ESCAPE '\\' OR backbone LIKE ?5 ESCAPE '\\'"
                          "  OR dataset LIKE ?5 ESCAPE '\\'"
                          "  OR EXISTS(SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag LIKE ?5 ESCAPE '\\'))"
                          " ORDER BY id";
  Stmt q(db_, sql.c_str());
  q.bind(1, f.method).bind(2, f.dataset).bind(3, f.tag).bind(4, f.status).bind(5, like_pattern(f.text));
  std::vector<RunRecord> out;
  while (q.step()) out.push_back(read_run(q));
  for (auto& r : out) r.tags = tags_of(r.id);
  return out;
}

void Store::rename_run(int64_t run, const std::string& name) {
  if (name.empty()) throw std::runtime_error("a run name cannot be empty");
  std::lock_guard<std::mutex> lock(mu_);
  require_run(run);
  Stmt q(db_, "UPDATE runs SET name=? WHERE id=?");
  q.bind(1, name).bind(2, run);
  q.step();
}

void Store::add_tag(int64_t run, const std::string& tag) {
  if (tag.empty()) throw std::runtime_error("a tag cannot be empty");
  std::lock_guard<std::mutex> lock(mu_);
  require_run(run);
  Stmt q(db_, "INSERT OR IGNORE INTO run_tags(run_id, tag) VALUES(?,?)");
  q.bind(1, run).bind(2, tag);
  q.step();
}

void Store::remove_tag(int64_t run, const std::string& tag) {
  std::lock_guard<std::mutex> lock(mu_);
  require_run(run);
  Stmt q(db_, "DELETE FROM run_tags WHERE run_id=? AND tag=?");
  q.bind(1, run).bind(2, tag);
  q.step();
}

std::vector<std::string> Store::all_tags() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "SELECT DISTINCT tag FROM run_tags ORDER BY tag");
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.str(0));
  return out;
}

void Store::set_notes(int64_t run, const std::string& notes) {
  std::lock_guard<std::mutex> lock(mu_);
  require_run(run);
  Stmt q(db_, "UPDATE runs SET notes=? WHERE id=?");
  q.bind(1, notes).bind(2, run);
  q.step();
}

void Store::delete_run(int64_t run, bool force) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT status FROM runs WHERE id=?");
    s.bind(1, run);
    if (!s.step()) throw std::runtime_error("no run " + std::to_string(run));
    if (s.str(0) == "running" && !force)
      throw std::runtime_error("run " + std::to_string(run) +
                               " is still running (stop it first, or force if its process is gone)");
    Tx tx(db_);
    // The child tables cascade through their foreign keys; they are spelled out all the same because
    // a database may have been written with foreign_keys off.
    for (const char* sql : {"DELETE FROM metrics WHERE run_id=?", "DELETE FROM probes WHERE run_id=?",
                            "DELETE FROM projections WHERE run_id=?", "DELETE FROM projection_classes WHERE run_id=?",
                            "DELETE FROM run_tags WHERE run_id=?",
                            "DELETE FROM checkpoints WHERE run_id=?", "DELETE FROM run_processes WHERE run_id=?",
                            "DELETE FROM runs WHERE id=?"}) {
      Stmt q(db_, sql);
      q.bind(1, run);
      q.step();
    }
    tx.commit();
  }
  // Files go after the rows: a crash in between leaves an orphan folder, never a run without files.
  std::error_code ec;
  std::filesystem::remove_all(run_dir(path_, run), ec);
  if (ec) throw std::runtime_error("run " + std::to_string(run) + " deleted, but its folder " + run_dir(path_, run) +
                                   " could not be removed: " + ec.message());
}

std::string Store::run_config(int64_t run) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "SELECT config FROM runs WHERE id=?");
  q.bind(1, run);
  if (!q.step()) throw std::runtime_error("no run " + std::to_string(run));
  return q.str(0);
}

std::vector<MetricRow> Store::last_metrics(int64_t run) {
  std::lock_guard<std::mutex> lock(mu_);
  // SQLite takes the bare columns of a max() aggregate from the row that holds the maximum.
  Stmt q(db_, "SELECT name, max(step), value FROM metrics WHERE run_id=? GROUP BY name ORDER BY name");
  q.bind(1, run);
  std::vector<MetricRow> out;
  while (q.step()) out.push_back({run, q.i64(1), q.str(0), q.f64(2)});
  return out;
}

std::vector<CheckpointRecord> Store::checkpoints(int64_t run) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "SELECT run_id, step, path, created_at FROM checkpoints WHERE run_id=? ORDER BY step");
  q.bind(1, run);
  std::vector<CheckpointRecord> out;
  while (q.step()) out.push_back({q.i64(0), q.i64(1), q.str(2), q.str(3)});
  return out;
}

int64_t Store::upsert_dataset(const DatasetRecord& d) {
  if (d.path.empty()) throw std::runtime_error("a dataset needs a path");
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_,
         "INSERT INTO datasets(path, fingerprint, images, classes, width, height, channels, created_at) "
         "VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(path) DO UPDATE SET fingerprint=excluded.fingerprint, "
         "images=excluded.images, classes=excluded.classes, width=excluded.width, height=excluded.height, "
         "channels=excluded.channels");
  q.bind(1, d.path).bind(2, d.fingerprint).bind(3, d.images).bind(4, d.classes).bind(5, d.width)
      .bind(6, d.height).bind(7, d.channels).bind(8, d.created_at.empty() ? utc_now_iso() : d.created_at);
  q.step();
  Stmt id(db_, "SELECT id FROM datasets WHERE path=?");
  id.bind(1, d.path);
  id.step();
  return id.i64(0);
}

std::vector<DatasetRecord> Store::datasets() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt q(db_, "SELECT id, path, fingerprint, images, classes, width, height, channels, created_at FROM datasets "
              "ORDER BY id");
  std::vector<DatasetRecord> out;
  while (q.step())
    out.push_back({q.i64(0), q.str(1), q.str(2), q.i64(3), q.i64(4), q.i64(5), q.i64(6), q.i64(7), q.str(8)});
  return out;
}

}  // namespace pretext
