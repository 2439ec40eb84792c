#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/cli/commands.h"
#include "app/cli/progress.h"
#include "engine/export/run_model.h"
#include "engine/export/tables.h"

namespace pretext::cli {
namespace {

struct ExportArgs {
  std::string db = kDefaultDb, run, what, out;
  RunDataOptions data;
};

int run_export(const ExportArgs& a) {
  if (!std::filesystem::exists(a.db)) {
    std::fprintf(stderr, "error: no database %s (give --db)\n", a.db.c_str());
    return 2;
  }
  Store store(a.db, true);
  const int64_t id = resolve_run(store, a.run);
  if (a.what == "metrics") {
    const size_t rows = write_metrics_csv(store, id, a.out);
    std::printf("wrote %zu metric rows to %s\n", rows, a.out.c_str());
    return 0;
  }
  if (a.what == "weights") {
    const size_t n = export_run_weights(store, id, a.out);
    std::printf("wrote %s (%zu tensors, torchvision names)\n", a.out.c_str(), n);
    return 0;
  }
  RunEmbeddings e;
  {
    Progress progress("embeddings");
    e = export_run_embeddings(store, id, a.data, a.out, [&](double f, const std::string& what) { progress.update(f, what); });
  }
  std::printf("wrote %zu embeddings of dimension %zu to %s: embeddings.csv, vectors.tsv, metadata.tsv, sprite.png, "
              "projector_config.pbtxt\n", e.table.n, e.table.dim, a.out.c_str());
  return 0;
}

}  // namespace

void add_export(CLI::App& app, Commands& out) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Export a run: backbone weights (safetensors), metrics (CSV), embeddings "
                                           "(CSV + TensorBoard projector TSV and sprite)");
  cmd->add_option("RUN", a->run, "Run id or name")->required();
  cmd->add_option("--what", a->what, "weights, metrics or embeddings")
      ->required()->check(CLI::IsMember({"weights", "metrics", "embeddings"}));
  cmd->add_option("--out", a->out, "Output file (weights, metrics) or folder (embeddings)")->required();
  cmd->add_option("--db", a->db, "SQLite experiment database")->capture_default_str();
  cmd->add_option("--data", a->data.data, "Embeddings: training images (default: the run's)");
  cmd->add_option("--eval-data", a->data.eval_data, "Embeddings: images to embed (default: the run's probe queries)");
  cmd->add_option("--limit", a->data.limit, "Embeddings: at most this many images (0 = all)")->capture_default_str();
  cmd->add_option("--device", a->data.device, "auto, cpu or cuda[:N]")->capture_default_str();
  out.push_back({cmd, [a] { return run_export(*a); }});
}

}  // namespace pretext::cli
