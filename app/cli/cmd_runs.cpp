#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/progress.h"
#include "engine/core/describe.h"
#include "engine/store/compare.h"
#include "engine/store/store.h"
#include "engine/store/store_sink.h"

namespace pretext::cli {
namespace {

using nlohmann::json;

struct RunsArgs {
  std::string db = kDefaultDb;
  bool as_json = false, yes = false, force = false;
  RunFilter filter;
  std::string run, name, text, metric = "loss";
  std::vector<std::string> tags, runs;
};

// Reading commands must not create an empty database where the user mistyped a path.
Store open_existing(const std::string& db, bool read_only) {
  if (!std::filesystem::exists(db)) throw std::runtime_error("no database " + db + " (give --db)");
  return Store(db, read_only);
}

json run_json(const RunRecord& r) {
  return {{"id", r.id},          {"name", r.name},       {"method", r.method},         {"backbone", r.backbone},
          {"status", r.status},  {"message", r.message}, {"seed", r.seed},             {"dataset", r.dataset},
          {"device", r.device},  {"created_at", r.created_at}, {"finished_at", r.finished_at},
          {"tags", r.tags},      {"notes", r.notes},
          {"versions", {{"commit", r.commit}, {"torch", r.torch_version}, {"opencv", r.opencv_version}, {"ui", r.ui_version}}}};
}

double last_knn(Store& store, int64_t run) {
  const auto p = last_probe(store, run, "knn");
  return p ? p->accuracy : -1;
}

int list_runs(const RunsArgs& a) {
  Store store = open_existing(a.db, true);
  json all = json::array();
  const auto runs = store.list_runs(a.filter);
  int method_width = 12;  // the method column is as wide as its longest name ("relative-location")
  for (const auto& r : runs) method_width = std::max(method_width, static_cast<int>(r.method.size()));
  for (const auto& r : runs) {
    const double acc = last_knn(store, r.id);
    if (a.as_json) {
      json j = run_json(r);
      j["knn_accuracy"] = acc < 0 ? json() : json(acc);
      all.push_back(j);
    } else {
      char knn[32] = "-";
      if (acc >= 0) std::snprintf(knn, sizeof knn, "%.2f%%", 100 * acc);
      std::string tags;
      for (const auto& t : r.tags) tags += " #" + t;
      std::printf("%4lld  %-*s %-11s %-6s %s  knn %s  %s%s\n", static_cast<long long>(r.id), method_width, r.method.c_str(),
                  r.status.c_str(), r.device.c_str(), r.created_at.c_str(), knn, r.name.c_str(), tags.c_str());
    }
  }
  if (a.as_json) std::printf("%s\n", all.dump(2).c_str());
  return 0;
}

int show_run(const RunsArgs& a) {
  Store store = open_existing(a.db, true);
  const int64_t id = resolve_run(store, a.run);
  const RunRecord r = *store.run(id);
  json config;
  try {
    config = json::parse(r.config);
  } catch (const std::exception&) {
    config = r.config;  // shown as stored
  }
  const auto metrics = store.last_metrics(id);
  const auto probes = store.probes(id);
  const auto baselines = store.baselines(config.is_object() ? config.value("data_fingerprint", std::string()) : std::string(), r.backbone);
  const auto ckpts = store.checkpoints(id);
  const std::string dir = run_dir(store.path(), id);
  std::vector<std::string> files;
  if (std::filesystem::is_directory(dir))
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (a.as_json) {
    json j = run_json(r);
    j["config"] = config;
    j["last_metrics"] = json::object();
    for (const auto& m : metrics) j["last_metrics"][m.name] = {{"step", m.step}, {"value", m.value}};
    j["probes"] = json::array();
    for (const auto& p : probes) j["probes"].push_back(probe_json(p));
    j["baselines"] = json::array();
    for (const auto& b : baselines)
      j["baselines"].push_back({{"baseline", b.baseline},
                                {"scope", b.scope},
                                {"backbone", b.backbone},
                                {"accuracy", b.accuracy},
                                {"queries", b.queries},
                                {"params", json::parse(b.params, nullptr, false)}});
    j["checkpoints"] = json::array();
    for (const auto& c : ckpts) j["checkpoints"].push_back({{"step", c.step}, {"path", c.path}, {"created_at", c.created_at}});
    j["files"] = files;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("run %lld: %s\n", static_cast<long long>(r.id), r.name.c_str());
  std::printf("  status    %s%s%s\n", r.status.c_str(), r.message.empty() ? "" : ": ", r.message.c_str());
  std::printf("  method    %s on %s, seed %lld\n", r.method.c_str(), r.backbone.c_str(), static_cast<long long>(r.seed));
  std::printf("  data      %s\n", r.dataset.c_str());
  std::printf("  device    %s\n", r.device.c_str());
  std::printf("  created   %s   finished %s\n", r.created_at.c_str(), r.finished_at.empty() ? "-" : r.finished_at.c_str());
  std::printf("  versions  pretext %s, LibTorch %s, OpenCV %s%s%s\n", r.commit.c_str(), r.torch_version.c_str(),
              r.opencv_version.c_str(), r.ui_version.empty() ? "" : ", ", r.ui_version.c_str());  // ui_version: "Qt 6.4.2"
  if (!r.tags.empty()) {
    std::string t;
    for (const auto& s : r.tags) t += (t.empty() ? "" : ", ") + s;
    std::printf("  tags      %s\n", t.c_str());
  }
  if (!r.notes.empty()) std::printf("  notes     %s\n", r.notes.c_str());
  std::printf("last metrics:\n");
  if (metrics.empty()) std::printf("  (none)\n");
  for (const auto& m : metrics)
    std::printf("  %-22s %.6g  (step %lld)\n", m.name.c_str(), m.value, static_cast<long long>(m.step));
  std::printf("probes:\n");
  if (probes.empty()) std::printf("  (none)\n");
  for (const auto& p : probes) std::printf("  %s\n", describe_probe(p).c_str());
  std::printf("baselines (what the same probes read without learning):\n");
  if (baselines.empty()) std::printf("  (none)\n");
  for (const auto& b : baselines) std::printf("  %s\n", describe_baseline(baseline_event(b)).c_str());
  if (!ckpts.empty()) {
    std::printf("checkpoints:\n");
    for (const auto& c : ckpts) std::printf("  step %-7lld %s\n", static_cast<long long>(c.step), c.path.c_str());
  }
  if (!files.empty()) {
    std::printf("files:\n");
    for (const auto& f : files) std::printf("  %s\n", f.c_str());
  }
  std::printf("config:\n%s\n", config.dump(2).c_str());
  return 0;
}

int delete_run(const RunsArgs& a) {
  Store store = open_existing(a.db, false);
  const int64_t id = resolve_run(store, a.run);
  const RunRecord r = *store.run(id);
  if (!a.yes) {
    if (!stdin_is_tty()) {
      std::fprintf(stderr, "error: deleting run %lld needs --yes when not on a terminal\n", static_cast<long long>(id));
      return 2;
    }
    std::fprintf(stderr, "Delete run %lld '%s' (%s), its metrics and its files in %s? [y/N] ",
                 static_cast<long long>(id), r.name.c_str(), r.status.c_str(), run_dir(store.path(), id).c_str());
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      std::fprintf(stderr, "not deleted\n");
      return 0;
    }
  }
  store.delete_run(id, a.force);
  std::printf("deleted run %lld\n", static_cast<long long>(id));
  return 0;
}

int edit_run(const RunsArgs& a, const std::string& what) {
  Store store = open_existing(a.db, false);
  const int64_t id = resolve_run(store, a.run);
  if (what == "rename") store.rename_run(id, a.name);
  if (what == "tag")
    for (const auto& t : a.tags) store.add_tag(id, t);
  if (what == "untag")
    for (const auto& t : a.tags) store.remove_tag(id, t);
  if (what == "notes") store.set_notes(id, a.text);
  const RunRecord r = *store.run(id);
  std::string tags;
  for (const auto& t : r.tags) tags += " #" + t;
  std::printf("run %lld: %s%s\n", static_cast<long long>(id), r.name.c_str(), tags.c_str());
  return 0;
}

int compare_runs(const RunsArgs& a) {
  Store store = open_existing(a.db, true);
  std::vector<int64_t> ids;
  for (const auto& r : a.runs) ids.push_back(resolve_run(store, r));
  const auto probes = probe_table(store, ids);
  const auto diff = config_diff(store, ids);
  const auto series = metric_series(store, ids, a.metric);
  if (a.as_json) {
    json j = {{"runs", ids}, {"probes", json::array()}, {"config_diff", json::array()}, {"metric", a.metric},
              {"series", json::array()}};
    for (const auto& p : probes) {
      json acc = json::array();
      for (const auto& v : p.accuracy) acc.push_back(v ? json(*v) : json());
      j["probes"].push_back({{"kind", p.kind}, {"k", p.k}, {"accuracy", acc}});
    }
    for (const auto& d : diff) j["config_diff"].push_back({{"key", d.key}, {"values", d.values}});
    for (const auto& s : series) j["series"].push_back({{"run", s.run_id}, {"steps", s.steps}, {"values", s.values}});
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%-28s", "");
  for (int64_t id : ids) std::printf(" %14s", ("run " + std::to_string(id)).c_str());
  std::printf("\n");
  for (const auto& p : probes) {
    std::printf("%-28s", (p.kind + " k=" + std::to_string(p.k)).c_str());
    for (const auto& v : p.accuracy) {
      if (v) std::printf(" %13.2f%%", 100 * *v);
      else std::printf(" %14s", "-");
    }
    std::printf("\n");
  }
  std::printf("%-28s", ("last " + a.metric).c_str());
  for (const auto& s : series) {
    if (s.values.empty()) std::printf(" %14s", "-");
    else std::printf(" %14.6g", s.values.back());
  }
  std::printf("\nconfig differences:\n");
  if (diff.empty()) std::printf("  (none)\n");
  for (const auto& d : diff) {
    std::printf("  %-26s", d.key.c_str());
    for (const auto& v : d.values) std::printf(" %14s", v.dump().c_str());
    std::printf("\n");
  }
  return 0;
}

}  // namespace

void add_runs(CLI::App& app, Commands& out) {
  auto* runs = app.add_subcommand("runs", "Runs stored in a database: list, show, delete, rename, tag, notes, compare");
  runs->require_subcommand(1);
  auto db_opt = [](CLI::App* c, RunsArgs& a) {
    c->add_option("--db", a.db, "SQLite experiment database")->capture_default_str();
  };

  auto a = std::make_shared<RunsArgs>();
  auto* list = runs->add_subcommand("list", "List runs, optionally filtered");
  db_opt(list, *a);
  list->add_flag("--json", a->as_json, "Machine-readable output");
  list->add_option("--method", a->filter.method, "Only runs of this method");
  list->add_option("--dataset", a->filter.dataset, "Only runs on this dataset path");
  list->add_option("--tag", a->filter.tag, "Only runs with this tag");
  list->add_option("--status", a->filter.status, "running, finished, stopped, failed, interrupted");
  list->add_option("--search", a->filter.text, "Text in the name, notes, method, backbone, dataset or a tag");
  out.push_back({list, [a] { return list_runs(*a); }});

  auto s = std::make_shared<RunsArgs>();
  auto* show = runs->add_subcommand("show", "Config, status, versions, last metrics, probes and files of a run");
  db_opt(show, *s);
  show->add_option("RUN", s->run, "Run id or name")->required();
  show->add_flag("--json", s->as_json, "Machine-readable output");
  out.push_back({show, [s] { return show_run(*s); }});

  auto d = std::make_shared<RunsArgs>();
  auto* del = runs->add_subcommand("delete", "Delete a run, its rows and its files (asks first on a terminal)");
  db_opt(del, *d);
  del->add_option("RUN", d->run, "Run id or name")->required();
  del->add_flag("--yes,-y", d->yes, "Do not ask");
  del->add_flag("--force", d->force, "Also delete a run still marked running (its process is gone)");
  out.push_back({del, [d] { return delete_run(*d); }});

  auto r = std::make_shared<RunsArgs>();
  auto* rename = runs->add_subcommand("rename", "Rename a run");
  db_opt(rename, *r);
  rename->add_option("RUN", r->run, "Run id or name")->required();
  rename->add_option("NAME", r->name, "New name")->required();
  out.push_back({rename, [r] { return edit_run(*r, "rename"); }});

  auto t = std::make_shared<RunsArgs>();
  auto* tag = runs->add_subcommand("tag", "Add tags to a run");
  db_opt(tag, *t);
  tag->add_option("RUN", t->run, "Run id or name")->required();
  tag->add_option("TAGS", t->tags, "Tags")->required();
  out.push_back({tag, [t] { return edit_run(*t, "tag"); }});

  auto u = std::make_shared<RunsArgs>();
  auto* untag = runs->add_subcommand("untag", "Remove tags from a run");
  db_opt(untag, *u);
  untag->add_option("RUN", u->run, "Run id or name")->required();
  untag->add_option("TAGS", u->tags, "Tags")->required();
  out.push_back({untag, [u] { return edit_run(*u, "untag"); }});

  auto n = std::make_shared<RunsArgs>();
  auto* notes = runs->add_subcommand("notes", "Set a run's notes (an empty text clears them)");
  db_opt(notes, *n);
  notes->add_option("RUN", n->run, "Run id or name")->required();
  notes->add_option("TEXT", n->text, "Notes")->required();
  out.push_back({notes, [n] { return edit_run(*n, "notes"); }});

  auto c = std::make_shared<RunsArgs>();
  auto* compare = runs->add_subcommand("compare", "Probe table, last metric and config diff of several runs");
  db_opt(compare, *c);
  compare->add_option("RUNS", c->runs, "Run ids or names")->required()->expected(2, 64);
  compare->add_option("--metric", c->metric, "Metric whose series are compared")->capture_default_str();
  compare->add_flag("--json", c->as_json, "Machine-readable output (with the full series)");
  out.push_back({compare, [c] { return compare_runs(*c); }});
}

}  // namespace pretext::cli
