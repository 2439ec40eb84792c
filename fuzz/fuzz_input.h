#pragma once
// What every fuzz target shares: a private scratch folder per process, the input written there as a
// file under a given name, and the load options that keep one input's work small.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/data/image_set.h"

namespace pretext::fuzz {

inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("pretext-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// An empty folder under the scratch folder, the same one for every input of this process.
inline std::filesystem::path fresh_folder(const std::string& name) {
  const auto dir = scratch() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string write_file(const std::filesystem::path& path, const uint8_t* data, size_t size) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return path.string();
}

// One thread (findings reproduce), no memory-mapped cache, and images of at most 2^20 pixels: an input
// claiming a huge image is refused, as the app refuses it past its own, larger limit.
inline LoadOptions small_load() {
  LoadOptions o;
  o.threads = 1;
  o.max_pixels = uint64_t(1) << 20;
  o.mmap_above_bytes = size_t(1) << 40;
  return o;
}

// Runs a load that may refuse the input: std::runtime_error is the loader's promised "nothing usable
// here, and why"; anything else (another exception, a crash, a sanitizer report) is a finding.
template <typename Load>
void expect_load_or_refusal(Load&& load) {
  try {
    const ImageSet set = load();
    // Every image the loader kept must be readable end to end at its stated size.
    uint64_t sum = 0;
    for (size_t i = 0; i < set.size(); ++i)
      for (size_t b = 0; b < set.image_bytes(); b += 97) sum += set.image(i)[b];
    if (!set.labels.empty() && set.labels.size() != set.size()) __builtin_trap();
    (void)sum;
  } catch (const std::runtime_error&) {
  }
}

}  // namespace pretext::fuzz
