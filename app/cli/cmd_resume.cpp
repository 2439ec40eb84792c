#include <cstdio>
#include <memory>

#include "app/cli/commands.h"
#include "app/cli/console_sink.h"
#include "app/cli/stop_on_signal.h"
#include "engine/store/store.h"
#include "engine/train/trainer.h"
#include "engine/train/run_record.h"

namespace pretext::cli {
namespace {

struct ResumeArgs {
  int64_t run = 0;
  std::string db = kDefaultDb;
};

int run_resume(const ResumeArgs& a) {
  TrainConfig cfg;
  {
    std::unique_ptr<Store> store;
    try {
      store = std::make_unique<Store>(a.db);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 2;
    }
    store->mark_interrupted();
    const auto rec = store->run(a.run);
    if (!rec) {
      std::fprintf(stderr, "error: no run %lld in %s\n", static_cast<long long>(a.run), a.db.c_str());
      return 2;
    }
    if (rec->status == "finished" || rec->status == "running") {
      std::fprintf(stderr, "error: run %lld is %s: nothing to resume\n", static_cast<long long>(a.run),
                   rec->status.c_str());
      return 2;
    }
    try {
      cfg = stored_config(*rec);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 2;
    }
  }
  ConsoleSink sink(10);
  Trainer trainer(cfg, sink, a.db);
  trainer.resume_run(a.run);
  return run_to_end(trainer, a.db);
}

}  // namespace

void add_resume(CLI::App& app, Commands& out) {
  auto a = std::make_shared<ResumeArgs>();
  auto* cmd = app.add_subcommand("resume", "Continue a stopped or interrupted run from its latest checkpoint");
  cmd->add_option("run", a->run, "Run id (see `pretext-cli runs list`)")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--db", a->db, "SQLite experiment database")->capture_default_str();
  out.push_back({cmd, [a] { return run_resume(*a); }});
}

}  // namespace pretext::cli
