#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "engine/store/store.h"

namespace pretext::cli {
namespace {

struct RunsArgs {
  std::string db = kDefaultDb;
  bool as_json = false;
};

int list_runs(const RunsArgs& a) {
  Store store(a.db, true);
  nlohmann::json all = nlohmann::json::array();
  for (const auto& r : store.runs()) {
    const auto probes = store.probes(r.id);
    const double acc = probes.empty() ? -1 : probes.back().accuracy;
    if (a.as_json) {
      all.push_back({{"id", r.id}, {"name", r.name}, {"method", r.method}, {"status", r.status}, {"seed", r.seed},
                     {"device", r.device}, {"created_at", r.created_at},
                     {"knn_accuracy", acc < 0 ? nlohmann::json() : nlohmann::json(acc)}});
    } else {
      char knn[32] = "-";
      if (acc >= 0) std::snprintf(knn, sizeof knn, "%.2f%%", 100 * acc);
      std::printf("%4lld  %-12s %-10s %-6s %s  knn %s  %s\n", static_cast<long long>(r.id), r.method.c_str(),
                  r.status.c_str(), r.device.c_str(), r.created_at.c_str(), knn, r.name.c_str());
    }
  }
  if (a.as_json) std::printf("%s\n", all.dump(2).c_str());
  return 0;
}

}  // namespace

void add_runs(CLI::App& app, Commands& out) {
  auto a = std::make_shared<RunsArgs>();
  auto* runs = app.add_subcommand("runs", "Runs stored in a database");
  runs->require_subcommand(1);
  auto* list = runs->add_subcommand("list", "List runs");
  list->add_option("--db", a->db, "SQLite experiment database")->capture_default_str();
  list->add_flag("--json", a->as_json, "Machine-readable output");
  out.push_back({list, [a] { return list_runs(*a); }});
}

}  // namespace pretext::cli
