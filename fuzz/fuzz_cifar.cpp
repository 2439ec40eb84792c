// CIFAR-10 and CIFAR-100 binary batches: the first byte picks the format, the rest is the batch file.
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pretext;
  if (size < 1) return 0;
  const bool cifar100 = data[0] & 1;
  const auto dir = fuzz::fresh_folder("cifar");
  const std::string batch = fuzz::write_file(dir / (cifar100 ? "train.bin" : "data_batch_1.bin"), data + 1, size - 1);
  fuzz::expect_load_or_refusal([&] { return load_cifar({batch}, cifar100, fuzz::small_load()); });
  return 0;
}
