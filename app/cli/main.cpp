// pretext-cli: train and inspect self-supervised runs without a display. No Qt is linked.
#include <cstdio>

#include "app/cli/commands.h"
#include "engine/core/runtime.h"

int main(int argc, char** argv) {
  CLI::App app{"Pretext: self-supervised pretraining on images, headless"};
  app.require_subcommand(1);
  const pretext::Versions v = pretext::versions();
  app.set_version_flag("--version", "pretext-cli " + v.pretext + " (" + v.commit + ", LibTorch " + v.torch + ")");

  pretext::cli::Commands commands;
  pretext::cli::add_train(app, commands);
  pretext::cli::add_methods(app, commands);
  pretext::cli::add_runs(app, commands);
  pretext::cli::add_export(app, commands);
  pretext::cli::add_eval(app, commands);
  pretext::cli::add_project(app, commands);
  pretext::cli::add_inspect(app, commands);
  pretext::cli::add_preview(app, commands);
  pretext::cli::add_resume(app, commands);
  pretext::cli::add_device_check(app, commands);
  pretext::cli::add_compare_tasks(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    for (const auto& c : commands)
      if (c.app->parsed()) return c.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 2;
}
