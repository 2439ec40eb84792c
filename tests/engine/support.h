#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pretext::test {

// A fresh empty folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string str(const std::string& child = "") const { return (path_ / child).string(); }

 private:
  std::filesystem::path path_;
};

// Writes the bytes to a file (replacing it): tests build their own image and dataset files.
void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes);

// Fashion-MNIST from Debian's dataset-fashion-mnist package, or "" when it is not installed.
std::string fashion_mnist_train_images();

// Skips the calling test when dataset-fashion-mnist is not installed.
#define NEED_FMNIST()                                                 \
  if (::pretext::test::fashion_mnist_train_images().empty()) GTEST_SKIP() << "dataset-fashion-mnist is not installed"

}  // namespace pretext::test
