// IDX (MNIST / Fashion-MNIST): the input is an images file, optionally followed by a labels file; the
// first two bytes say where the images end.
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pretext;
  if (size < 2) return 0;
  const size_t split = std::min<size_t>(size - 2, (size_t(data[0]) << 8 | data[1]));
  const auto dir = fuzz::fresh_folder("idx");
  const std::string images = fuzz::write_file(dir / "x-images-idx3-ubyte", data + 2, split);
  const std::string labels = split + 2 < size ? fuzz::write_file(dir / "x-labels-idx1-ubyte", data + 2 + split, size - 2 - split) : "";
  fuzz::expect_load_or_refusal([&] { return load_idx(images, labels, fuzz::small_load()); });
  return 0;
}
