#include <cstdio>
#include <memory>

#include "app/cli/commands.h"
#include "engine/data/summary.h"

namespace pretext::cli {

namespace {
struct InspectArgs {
  std::string path, labels_csv, split;
  int resize = 0;
  size_t limit = 0;
  bool json = false;
};
}  // namespace

void add_inspect(CLI::App& app, Commands& out) {
  auto a = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand("inspect", "Describe a dataset: counts, sizes, channels, classes, mean/std, bad files");
  cmd->add_option("path", a->path, "Image folder, CIFAR/STL-10 .bin file or folder, or IDX file")->required();
  cmd->add_flag("--json", a->json, "Machine-readable output");
  cmd->add_option("--labels", a->labels_csv, "CSV of path,label for an image folder");
  cmd->add_option("--split", a->split, "Binary folders: train (default), test, unlabeled, train+unlabeled");
  cmd->add_option("--resize", a->resize, "Resize every image to N x N on load")->check(CLI::Range(0, 4096));
  cmd->add_option("--limit", a->limit, "Look at an evenly spread subset of at most N images");
  out.push_back({cmd, [a] {
                   LoadOptions o;
                   o.labels_csv = a->labels_csv;
                   o.split = a->split;
                   o.resize = a->resize;
                   o.limit = a->limit;
                   ImageSet set;
                   try {
                     set = load_images(a->path, o);
                   } catch (const std::exception& e) {
                     if (a->json) std::printf("%s\n", nlohmann::json{{"origin", a->path}, {"error", e.what()}}.dump(2).c_str());
                     std::fprintf(stderr, "error: %s\n", e.what());
                     return 2;
                   }
                   const DatasetSummary s = summarize(set);
                   if (a->json) std::printf("%s\n", s.to_json().dump(2).c_str());
                   else std::fputs(s.to_text().c_str(), stdout);
                   return 0;
                 }});
}

}  // namespace pretext::cli
