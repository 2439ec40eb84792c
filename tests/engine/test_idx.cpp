// ctest-labels: unit
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "engine/data/image_set.h"
#include "support.h"

using namespace pretext;

namespace {
std::string idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::string s = {0, 0, 0x08, static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int b = 3; b >= 0; --b) s.push_back(static_cast<char>((d >> (8 * b)) & 0xff));
  }
  s.append(data.begin(), data.end());
  return s;
}
void write_raw(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }
void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}
std::vector<uint8_t> ramp(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i % 251);
  return v;
}
}  // namespace

TEST(idx, RawImagesWithLabelsBeside) {
  test::TempDir dir;
  write_raw(dir.str("train-images-idx3-ubyte"), idx_bytes({3, 2, 4}, ramp(24)));
  write_raw(dir.str("train-labels-idx1-ubyte"), idx_bytes({3}, {7, 0, 2}));
  const ImageSet s = load_images(dir.str("train-images-idx3-ubyte"));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.height, 2);
  EXPECT_EQ(s.width, 4);
  EXPECT_EQ(s.channels, 1);
  EXPECT_EQ(s.labels, (std::vector<int>{7, 0, 2}));
  EXPECT_EQ(s.image(1)[0], 8);
  EXPECT_EQ(s.image(2)[7], 23);
  EXPECT_TRUE(s.bad.empty());
}

TEST(idx, GzipCompressed) {
  test::TempDir dir;
  write_gz(dir.str("t10k-images-idx3-ubyte.gz"), idx_bytes({2, 3, 3}, ramp(18)));
  write_gz(dir.str("t10k-labels-idx1-ubyte.gz"), idx_bytes({2}, {1, 9}));
  const ImageSet s = load_images(dir.str("t10k-images-idx3-ubyte.gz"));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.labels, (std::vector<int>{1, 9}));
  EXPECT_EQ(s.image(1)[8], 17);
}

TEST(idx, TruncatedFileIsReportedWithOffset) {
  test::TempDir dir;
  auto bytes = idx_bytes({4, 2, 2}, ramp(16));
  bytes.resize(bytes.size() - 5);  // last image cut short
  write_raw(dir.str("x-images-idx3-ubyte"), bytes);
  const ImageSet s = load_images(dir.str("x-images-idx3-ubyte"));
  EXPECT_EQ(s.size(), 2u);  // 11 data bytes hold two whole 4-byte images
  ASSERT_EQ(s.bad.size(), 1u);
  EXPECT_NE(s.bad[0].reason.find("offset 27"), std::string::npos) << s.bad[0].reason;
}

TEST(idx, BadMagicThrows) {
  test::TempDir dir;
  write_raw(dir.str("bad-images-idx3-ubyte"), "\x01\x02\x03\x04garbage");
  EXPECT_THROW(load_images(dir.str("bad-images-idx3-ubyte")), std::runtime_error);
}

// Shapes no IDX image file has are refused by name before any size is computed from them (a zero side
// divided by zero: found by fuzz/fuzz_idx, kept in fuzz/regressions/idx).
TEST(idx, ImpossibleShapesAreRefusedWithTheShape) {
  test::TempDir dir;
  const auto refusal = [&](const std::vector<uint32_t>& dims) {
    write_raw(dir.str("x-images-idx3-ubyte"), idx_bytes(dims, ramp(64)));
    try {
      load_idx(dir.str("x-images-idx3-ubyte"), "", {});
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refusal({2, 0, 4}).find("of 0 x 4 pixels"), std::string::npos);
  EXPECT_NE(refusal({2, 4, 0}).find("of 4 x 0 pixels"), std::string::npos);
  EXPECT_NE(refusal({1, 70000, 70000}).find("over the limit"), std::string::npos);
  EXPECT_NE(refusal({2, 2, 2, 7}).find("7 channels"), std::string::npos);
  EXPECT_EQ(refusal({2, 2, 2, 3}), "accepted");
}
