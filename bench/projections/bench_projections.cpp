// One projection of a feature matrix, timed: the Pretext side of bench/projections/run.sh.
//   bench_projections METHOD FEATURES.f32 N DIM OUT.f32 [SEED [NAME=VALUE ...]]
// The NAME=VALUE pairs set the projection's parameters (projection_infos(): epochs=500, perplexity=50).
// FEATURES.f32 is N x DIM float32, row-major, as the script writes it from NumPy; OUT.f32 receives
// N x 2 float32. Prints one JSON line: {"method", "n", "dim", "seconds"}. The clock covers all of
// project(): the neighbour search, the affinities and the layout.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/eval/projections.h"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s METHOD FEATURES.f32 N DIM OUT.f32 [SEED [NAME=VALUE ...]]\n", argv[0]);
    return 2;
  }
  const std::string method = argv[1];
  const size_t n = std::stoul(argv[3]), dim = std::stoul(argv[4]);
  std::vector<float> rows(n * dim);
  std::ifstream in(argv[2], std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(rows.data()), std::streamsize(rows.size() * sizeof(float)))) {
    std::fprintf(stderr, "cannot read %zu x %zu floats from %s\n", n, dim, argv[2]);
    return 2;
  }
  pretext::ProjectionOptions o;
  o.seed = argc > 6 ? std::stoull(argv[6]) : 0;
  for (int a = 7; a < argc; ++a) {
    const std::string pair = argv[a];
    const size_t eq = pair.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "expected NAME=VALUE, got %s\n", argv[a]);
      return 2;
    }
    o.parameters[pair.substr(0, eq)] = std::stod(pair.substr(eq + 1));
  }
  const auto start = std::chrono::steady_clock::now();
  const std::vector<float> xy = pretext::project(method, rows, n, dim, o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ofstream out(argv[5], std::ios::binary);
  out.write(reinterpret_cast<const char*>(xy.data()), std::streamsize(xy.size() * sizeof(float)));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", argv[5]);
    return 2;
  }
  std::printf("{\"method\": \"%s\", \"n\": %zu, \"dim\": %zu, \"seconds\": %.3f}\n", method.c_str(), n, dim, seconds);
  return 0;
}
