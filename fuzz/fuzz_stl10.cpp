// STL-10 binary: an images file (96 x 96 x 3 column-major planes) and a labels file, split as fuzz_idx.
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pretext;
  if (size < 2) return 0;
  const size_t split = std::min<size_t>(size - 2, (size_t(data[0]) << 16 | size_t(data[1]) << 8) % (size - 1));
  const auto dir = fuzz::fresh_folder("stl10");
  const std::string images = fuzz::write_file(dir / "train_X.bin", data + 2, split);
  std::vector<std::string> labels;
  if (split + 2 < size) labels.push_back(fuzz::write_file(dir / "train_y.bin", data + 2 + split, size - 2 - split));
  fuzz::expect_load_or_refusal([&] { return load_stl10({images}, labels, fuzz::small_load()); });
  return 0;
}
