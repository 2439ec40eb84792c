#include <algorithm>
#include <cstdio>
#include <sstream>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "app/cli/commands.h"
#include "app/cli/progress.h"
#include "engine/core/runtime.h"
#include "engine/eval/projections.h"
#include "engine/export/run_model.h"
#include "engine/store/store_sink.h"

namespace pretext::cli {
namespace {

struct ProjectArgs {
  std::string db = kDefaultDb, run, method = "pca", out;
  RunDataOptions data;
  int threads = 0;
  std::map<std::string, double> flags;             // every projection's parameter, by name
  std::map<std::string, CLI::Option*> given;       // to tell a value given from the default
};

// The parameters given on the command line; check_projection_parameters then refuses one the
// chosen projection does not take.
ProjectionParameters given_parameters(const ProjectArgs& a) {
  ProjectionParameters out;
  for (const auto& [name, option] : a.given)
    if (option->count() > 0) out[name] = a.flags.at(name);
  return out;
}

int run_project(const ProjectArgs& a) {
  if (!std::filesystem::exists(a.db)) {
    std::fprintf(stderr, "error: no database %s (give --db)\n", a.db.c_str());
    return 2;
  }
  const ProjectionParameters parameters = given_parameters(a);
  check_projection_parameters(a.method, parameters);  // before any image is embedded
  init_threads(a.threads);
  Store store(a.db);
  const int64_t id = resolve_run(store, a.run);
  const uint64_t seed = store.run(id)->seed;
  ProjectionEvent map;
  {
    Progress progress(a.method);
    const RunEmbeddings e =
        run_embeddings(store, id, a.data, [&](double f, const std::string& what) { progress.update(0.2 * f, what); });
    map = project_embeddings(
        e.table, id, a.method, a.data.checkpoint, seed,
        [&](double f, const std::string& what) { progress.update(0.2 + 0.8 * f, what); }, parameters);
    progress.update(1.0, std::to_string(map.image_indices.size()) + " points");
  }
  StoreSink(store).on_event(map);  // the projection leaves as an event; the store's sink records it
  if (!a.out.empty()) {
    std::ofstream f(a.out);
    if (!f) throw std::runtime_error("cannot write " + a.out);
    f << "index,x,y,label\n";
    for (size_t i = 0; i < map.image_indices.size(); ++i)
      f << map.image_indices[i] << ',' << map.xy[2 * i] << ',' << map.xy[2 * i + 1] << ',' << map.labels[i] << '\n';
    if (!f.flush()) throw std::runtime_error("cannot write " + a.out);
  }
  std::printf("run %lld: %s projection of %zu points stored%s%s\n", static_cast<long long>(id), map.kind.c_str(),
              map.image_indices.size(), a.out.empty() ? "" : " and written to ", a.out.c_str());
  return 0;
}

}  // namespace

void add_project(CLI::App& app, Commands& out) {
  auto a = std::make_shared<ProjectArgs>();
  auto* cmd = app.add_subcommand("project", "2-D projection (PCA, t-SNE or UMAP) of a run's embeddings, stored with the run");
  cmd->add_option("RUN", a->run, "Run id or name")->required();
  std::string offer;
  for (const auto& p : projection_infos()) offer += "\n  " + p.name + ": " + p.summary;
  cmd->add_option("--method", a->method, "The projection:" + offer)->capture_default_str()->check(CLI::IsMember(projection_names()));
  // One flag per parameter of the projection table (--min-dist for min_dist), its default in the help.
  for (const auto& p : projection_infos())
    for (const auto& q : p.parameters) {
      std::string flag = "--" + q.name;
      std::replace(flag.begin(), flag.end(), '_', '-');
      std::ostringstream help;
      help << p.name << ": " << q.help << " [default " << q.value << "]";
      a->flags[q.name] = q.value;
      a->given[q.name] = cmd->add_option(flag, a->flags[q.name], help.str());
    }
  cmd->add_option("--db", a->db, "SQLite experiment database")->capture_default_str();
  cmd->add_option("--data", a->data.data, "Training images (default: the run's)");
  cmd->add_option("--eval-data", a->data.eval_data, "Images to project (default: the run's probe queries)");
  cmd->add_option("--limit", a->data.limit, "At most this many points (0 = all)")->capture_default_str();
  cmd->add_option("--checkpoint", a->data.checkpoint,
                  "Project this checkpoint's embeddings (its step, see `runs show`; stored as METHOD@STEP) instead of "
                  "the backbone saved at the end");
  cmd->add_option("--out", a->out, "Also write the points as CSV (index,x,y,label)");
  cmd->add_option("--device", a->data.device, "auto, cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads (0 = all cores)")->capture_default_str();
  out.push_back({cmd, [a] { return run_project(*a); }});
}

}  // namespace pretext::cli
