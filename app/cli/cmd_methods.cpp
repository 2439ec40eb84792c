#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "engine/methods/method_info.h"

namespace pretext::cli {
namespace {

// The method list as a person reads it: one block per family, names in a column as wide as the
// longest.
void print_methods() {
  int width = 0;
  for (const auto& m : method_infos()) width = std::max(width, static_cast<int>(m.name.size()));
  for (const auto& family : method_families()) {
    std::printf("%s\n", family.c_str());
    for (const auto& m : method_infos()) {
      if (m.family != family) continue;
      std::printf("  %-*s  %s\n  %-*s  pipeline %s, %zu views, defaults %s\n", width, m.name.c_str(), m.summary.c_str(),
                  width, "", m.pipeline.c_str(), m.views, m.defaults.dump().c_str());
    }
  }
}

}  // namespace

void add_methods(CLI::App& app, Commands& out) {
  auto as_json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("methods", "List SSL methods with their default hyper-parameters");
  cmd->add_flag("--json", *as_json, "Machine-readable output");
  out.push_back({cmd, [as_json] {
                   if (!*as_json) {
                     print_methods();
                     return 0;
                   }
                   nlohmann::json all = nlohmann::json::array();
                   for (const auto& m : method_infos())
                     all.push_back({{"name", m.name}, {"family", m.family}, {"summary", m.summary},
                                    {"pipeline", m.pipeline}, {"views", m.views}, {"defaults", m.defaults}});
                   std::printf("%s\n", all.dump(2).c_str());
                   return 0;
                 }});
}

}  // namespace pretext::cli
