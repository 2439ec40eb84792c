#pragma once
// A dataset made in memory for tests that need images but not their content's meaning: n square
// images of `side` pixels, each byte from `pixel` (called in order over the whole set), sources named
// "synthetic#i".
#include <functional>
#include <string>

#include "engine/data/image_set.h"

namespace pretext::test {

inline ImageSet synthetic_images(size_t n, int side, int channels, const std::function<uint8_t()>& pixel) {
  ImageSet s;
  s.height = s.width = side;
  s.channels = channels;
  s.pixels.resize(n * s.image_bytes());
  for (size_t i = 0; i < n * s.image_bytes(); ++i) s.pixels.data()[i] = pixel();
  for (size_t i = 0; i < n; ++i) s.sources.push_back("synthetic#" + std::to_string(i));
  return s;
}

}  // namespace pretext::test
