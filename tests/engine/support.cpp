#include "support.h"

#include <fstream>
#include <random>

namespace pretext::test {

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("pretext-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string fashion_mnist_train_images() {
  const std::string p = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
  return std::filesystem::exists(p) ? p : "";
}

}  // namespace pretext::test
