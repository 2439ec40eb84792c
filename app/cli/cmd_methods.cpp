#include <cstdio>
#include <memory>

#include "app/cli/commands.h"
#include "engine/methods/method_info.h"

namespace pretext::cli {

void add_methods(CLI::App& app, Commands& out) {
  auto as_json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("methods", "List SSL methods with their default hyper-parameters");
  cmd->add_flag("--json", *as_json, "Machine-readable output");
  out.push_back({cmd, [as_json] {
                   nlohmann::json all = nlohmann::json::array();
                   for (const auto& m : method_infos()) {
                     if (*as_json) {
                       all.push_back({{"name", m.name}, {"summary", m.summary}, {"pipeline", m.pipeline},
                                      {"views", m.views}, {"defaults", m.defaults}});
                     } else {
                       std::printf("%-12s %s\n             pipeline %s, %zu views, defaults %s\n", m.name.c_str(),
                                   m.summary.c_str(), m.pipeline.c_str(), m.views, m.defaults.dump().c_str());
                     }
                   }
                   if (*as_json) std::printf("%s\n", all.dump(2).c_str());
                   return 0;
                 }});
}

}  // namespace pretext::cli
