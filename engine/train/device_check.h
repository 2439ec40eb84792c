#pragma once
// A GPU self-check (bench/gpu_check.sh runs it through `pretext-cli device-check`): the same method,
// weights and fixed batch on the CPU and on the accelerator must give the same loss and gradients,
// and the training step's throughput is timed with and without mixed precision.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "engine/train/options.h"

namespace pretext {

struct DeviceCheckOptions {
  std::string method = "simclr";
  std::string backbone = "resnet18";
  std::string device = "cuda";
  int batch = 256;
  int size = 32;  // square images
  int channels = 3;
  int warmup = 5;
  int steps = 30;
  std::vector<std::string> amp = amp_modes();
  bool channels_last = true;
  uint64_t seed = 0;
  double tolerance = 1e-4;  // relative, fp32 with TF32 off
};

// Returns {"agreement": {...}, "throughput": [{amp, images_per_s, ...}], "ok": bool}. Throws for a
// device that is not available.
nlohmann::json run_device_check(const DeviceCheckOptions& o, const std::function<void(const std::string&)>& log);

}  // namespace pretext
