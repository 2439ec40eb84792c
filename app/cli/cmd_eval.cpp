#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/progress.h"
#include "engine/core/describe.h"
#include "engine/core/runtime.h"
#include "engine/eval/probes.h"
#include "engine/export/run_model.h"
#include "engine/store/store_sink.h"

namespace pretext::cli {
namespace {

struct EvalArgs {
  std::string db = kDefaultDb, run;
  RunDataOptions data;
  ProbeRequest request;
  std::map<std::string, bool> named;  // --knn, --linear, ...: one flag per entry of the probes table
  int threads = 0;
  bool as_json = false, no_store = false;
};

void print_probe(int64_t run, const ProbeEvent& p) {
  std::printf("run %lld: %s\n", static_cast<long long>(run), describe_probe(p).c_str());
}

int run_eval(EvalArgs a) {
  if (!std::filesystem::exists(a.db)) {
    std::fprintf(stderr, "error: no database %s (give --db)\n", a.db.c_str());
    return 2;
  }
  std::vector<std::string> kinds;  // naming probes runs those, in the table's order; none named: kNN
  for (const auto& kind : probe_kinds())
    if (a.named[kind.name]) kinds.push_back(kind.name);
  if (!kinds.empty()) a.request.kinds = kinds;
  init_threads(a.threads);
  Store store(a.db, a.no_store);
  const int64_t id = resolve_run(store, a.run);
  std::vector<ProbeEvent> probes;
  {
    // The results leave as events; unless --no-store, the store's sink records them with the run.
    std::unique_ptr<StoreSink> sink = a.no_store ? nullptr : std::make_unique<StoreSink>(store);
    Progress progress("eval");
    probes = evaluate_run(store, id, a.data, a.request, sink.get(),
                          [&](double f, const std::string& what) { progress.update(f, what); });
  }
  if (a.as_json) {
    nlohmann::json out = {{"run", id}, {"probes", nlohmann::json::array()}};
    for (const auto& p : probes) out["probes"].push_back(probe_json(p));
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const auto& p : probes) print_probe(id, p);
  }
  return 0;
}

}  // namespace

void add_eval(CLI::App& app, Commands& out) {
  auto a = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand(
      "eval", "Probe a run again: kNN and/or a linear probe on its saved backbone or on one of its checkpoints");
  cmd->add_option("RUN", a->run, "Run id or name")->required();
  cmd->add_option("--db", a->db, "SQLite experiment database")->capture_default_str();
  cmd->add_option("--checkpoint", a->request.checkpoint,
                  "Probe this checkpoint's step (see `runs show`) instead of the backbone saved at the end")
      ->check(CLI::NonNegativeNumber);
  for (const auto& kind : probe_kinds())
    cmd->add_flag("--" + kind.name, a->named[kind.name],
                  kind.help + (kind.name == ProbeRequest{}.kinds.front() ? " (the default when no probe is named)" : ""));
  cmd->add_option("--k", a->request.k, "kNN neighbours (default: the run's, 200)")->check(CLI::PositiveNumber);
  cmd->add_option("--t", a->request.temperature, "kNN temperature (default: the run's, 0.1; solo-learn uses k=20, T=0.07)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--data", a->data.data, "Labelled training images for the bank (default: the run's)");
  cmd->add_option("--eval-data", a->data.eval_data, "Labelled query images (default: the run's, else its held-out part)");
  cmd->add_option("--device", a->data.device, "auto, cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads (0 = all cores)")->capture_default_str();
  cmd->add_flag("--no-store", a->no_store, "Do not record the results in the database");
  cmd->add_flag("--json", a->as_json, "Machine-readable output");
  out.push_back({cmd, [a] { return run_eval(*a); }});
}

}  // namespace pretext::cli
