#pragma once
#include <string>

namespace pretext {

// Sets LibTorch's intra-op threads (all cores when n <= 0). Debian's LibTorch otherwise uses one.
int init_threads(int n);

// "auto" picks CUDA when a GPU is usable at run time, else the CPU. Returns a torch device string.
std::string resolve_device(const std::string& requested);

// Human-readable description, e.g. "cuda:0 (NVIDIA H100)" or "cpu (2 threads)".
std::string describe_device(const std::string& device);

struct Versions {
  std::string pretext, commit, torch, opencv, sqlite;
};
Versions versions();

}  // namespace pretext
