#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/progress.h"
#include "engine/core/runtime.h"
#include "engine/export/run_model.h"

namespace pretext::cli {
namespace {

struct EvalArgs {
  std::string db = kDefaultDb, run;
  RunDataOptions data;
  int threads = 0;
  bool as_json = false, no_store = false;
};

int run_eval(const EvalArgs& a) {
  if (!std::filesystem::exists(a.db)) {
    std::fprintf(stderr, "error: no database %s (give --db)\n", a.db.c_str());
    return 2;
  }
  init_threads(a.threads);
  Store store(a.db, a.no_store);
  const int64_t id = resolve_run(store, a.run);
  EvalResult r;
  {
    Progress progress("eval");
    r = evaluate_run(store, id, a.data, [&](double f, const std::string& what) { progress.update(f, what); });
  }
  int64_t step = 0;
  for (const auto& p : store.probes(id)) step = std::max(step, p.step);
  // Its own kind, so the probe made during training stays as it was.
  if (!a.no_store) store.add_probe({id, step, "knn-eval", r.k, r.accuracy, r.queries});
  if (a.as_json) {
    std::printf("%s\n", nlohmann::json({{"run", id}, {"k", r.k}, {"accuracy", r.accuracy}, {"queries", r.queries},
                                        {"bank", r.bank}}).dump(2).c_str());
  } else {
    std::printf("run %lld: kNN (k=%d) accuracy %.2f%% on %lld queries, bank %lld\n", static_cast<long long>(id), r.k,
                100 * r.accuracy, static_cast<long long>(r.queries), static_cast<long long>(r.bank));
  }
  return 0;
}

}  // namespace

void add_eval(CLI::App& app, Commands& out) {
  auto a = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand(
      "eval", "Run the kNN probe again from a run's saved backbone (<db>.runs/<id>/backbone.safetensors)");
  cmd->add_option("RUN", a->run, "Run id or name")->required();
  cmd->add_option("--db", a->db, "SQLite experiment database")->capture_default_str();
  cmd->add_option("--data", a->data.data, "Labelled training images for the bank (default: the run's)");
  cmd->add_option("--eval-data", a->data.eval_data, "Labelled query images (default: the run's, else its held-out part)");
  cmd->add_option("--device", a->data.device, "auto, cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads (0 = all cores)")->capture_default_str();
  cmd->add_flag("--no-store", a->no_store, "Do not record the result (as a knn-eval probe) in the database");
  cmd->add_flag("--json", a->as_json, "Machine-readable output");
  out.push_back({cmd, [a] { return run_eval(*a); }});
}

}  // namespace pretext::cli
