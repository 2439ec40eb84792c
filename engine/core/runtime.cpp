#include "engine/core/runtime.h"

#include <sqlite3.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <stdexcept>
#include <thread>

#ifdef __has_include
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif
#endif

namespace pretext {

const char* build_commit();   // generated/build_info.cpp
const char* build_version();

int init_threads(int n) {
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
  // OpenCV runs inside our own parallel loops; its own pool would oversubscribe the cores.
  cv::setNumThreads(1);
  return n;
}

std::string resolve_device(const std::string& requested) {
  if (requested.empty() || requested == "auto") {
    return torch::cuda::is_available() ? "cuda" : "cpu";
  }
  if (requested.rfind("cuda", 0) == 0 && !torch::cuda::is_available()) {
    throw std::runtime_error("device '" + requested + "' requested but no CUDA GPU is available");
  }
  if (requested != "cpu" && requested.rfind("cuda", 0) != 0) {
    throw std::runtime_error("unknown device '" + requested + "' (use auto, cpu or cuda[:N])");
  }
  return requested;
}

std::string describe_device(const std::string& device) {
  if (device.rfind("cuda", 0) == 0) {
    return device + " (" + std::to_string(torch::cuda::device_count()) + " CUDA device(s))";
  }
  return "cpu (" + std::to_string(torch::get_num_threads()) + " threads)";
}

Versions versions() {
  Versions v;
  v.pretext = build_version();
  v.commit = build_commit();
#ifdef TORCH_VERSION
  v.torch = TORCH_VERSION;
#else
  v.torch = "unknown";
#endif
  v.opencv = CV_VERSION;
  v.sqlite = sqlite3_libversion();
  return v;
}

}  // namespace pretext
