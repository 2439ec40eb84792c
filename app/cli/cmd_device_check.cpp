#include <cstdio>
#include <fstream>
#include <memory>

#include "app/cli/commands.h"
#include "engine/methods/method_info.h"
#include "engine/train/device_check.h"
#include "engine/train/options.h"

namespace pretext::cli {
namespace {

struct DeviceCheckArgs {
  DeviceCheckOptions o;
  std::string json_out;
};

int run_device_check_cmd(const DeviceCheckArgs& a) {
  nlohmann::json report;
  try {
    report = run_device_check(a.o, [](const std::string& m) { std::printf("%s\n", m.c_str()); std::fflush(stdout); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  if (!a.json_out.empty()) std::ofstream(a.json_out) << report.dump(2) << "\n";
  std::printf("%s\n", report.dump().c_str());
  return report.value("ok", false) ? 0 : 1;
}

}  // namespace

void add_device_check(CLI::App& app, Commands& out) {
  auto a = std::make_shared<DeviceCheckArgs>();
  auto* cmd = app.add_subcommand("device-check",
                                 "Compare CPU and accelerator losses on a fixed batch and time training steps");
  cmd->add_option("--device", a->o.device, "Device to check against the CPU")->capture_default_str();
  cmd->add_option("--method", a->o.method, "SSL method")->capture_default_str()->check(CLI::IsMember(method_names()));
  cmd->add_option("--backbone", a->o.backbone, "Backbone")->capture_default_str();
  cmd->add_option("--batch", a->o.batch, "Batch size")->capture_default_str()->check(CLI::Range(2, 1 << 16));
  cmd->add_option("--size", a->o.size, "Image size")->capture_default_str()->check(CLI::Range(8, 1024));
  cmd->add_option("--steps", a->o.steps, "Timed steps")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", a->o.warmup, "Untimed steps first")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--amp", a->o.amp, "Precisions to time: off bf16 fp16")->capture_default_str()
      ->check(CLI::IsMember(amp_modes()));
  cmd->add_option("--tolerance", a->o.tolerance, "Largest relative loss difference accepted")->capture_default_str();
  cmd->add_option("--json", a->json_out, "Also write the report to this file");
  out.push_back({cmd, [a] { return run_device_check_cmd(*a); }});
}

}  // namespace pretext::cli
