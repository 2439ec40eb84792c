#pragma once
// Every random draw in the engine derives from (seed, image index, view, epoch) so that the preview
// shows exactly the bytes training sees, and a resumed run continues the same stream.
#include <cstdint>
#include <random>

namespace pretext {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline uint64_t mix_seed(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  uint64_t h = splitmix64(seed);
  h = splitmix64(h ^ a);
  h = splitmix64(h ^ b);
  return splitmix64(h ^ c);
}

// A small seeded generator with the draws augmentations need. std::uniform_real_distribution's
// output is implementation-defined, so the conversion is written out to keep bytes identical
// across standard libraries.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  double uniform() { return static_cast<double>(gen_() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool bernoulli(double p) { return uniform() < p; }
  int64_t integer(int64_t lo, int64_t hi_inclusive) {
    const uint64_t span = static_cast<uint64_t>(hi_inclusive - lo) + 1;
    return lo + static_cast<int64_t>(gen_() % span);
  }
  uint64_t next() { return gen_(); }

 private:
  std::mt19937_64 gen_;
};

}  // namespace pretext
