// ctest-labels: unit
// Every dataset format parsed from files the test writes itself.
#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "engine/data/image_set.h"
#include "engine/data/summary.h"
#include "support.h"

using namespace pretext;
namespace fs = std::filesystem;

namespace {

// Pixel (y, x, c) of record r, a pattern that tells positions and channels apart.
uint8_t pattern(int r, int y, int x, int c) { return static_cast<uint8_t>(r * 31 + y * 7 + x * 3 + c * 50); }

// CIFAR record: label byte(s), then the R plane, G plane, B plane, each row-major 32x32.
std::vector<uint8_t> cifar_records(int n, bool hundred) {
  std::vector<uint8_t> b;
  for (int r = 0; r < n; ++r) {
    if (hundred) b.push_back(static_cast<uint8_t>(r % 20));  // coarse
    b.push_back(static_cast<uint8_t>(hundred ? (r * 7) % 100 : r % 10));
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) b.push_back(pattern(r, y, x, c));
  }
  return b;
}

void expect_pattern(const ImageSet& s, size_t i, int r) {
  const uint8_t* p = s.image(i);
  for (int y : {0, 5, s.height - 1})
    for (int x : {0, 9, s.width - 1})
      for (int c = 0; c < 3; ++c)
        ASSERT_EQ(p[(y * s.width + x) * 3 + c], pattern(r, y, x, c)) << "image " << i << " y " << y << " x " << x << " c " << c;
}

}  // namespace

TEST(formats, Cifar10FolderOfBatches) {
  test::TempDir dir;
  test::write_bytes(dir.str("data_batch_1.bin"), cifar_records(3, false));
  test::write_bytes(dir.str("data_batch_2.bin"), cifar_records(2, false));
  test::write_bytes(dir.str("test_batch.bin"), cifar_records(4, false));
  const ImageSet s = load_images(dir.str());
  EXPECT_EQ(s.format, "cifar10");
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s.height, 32);
  EXPECT_EQ(s.channels, 3);
  EXPECT_EQ(s.labels, (std::vector<int>{0, 1, 2, 0, 1}));
  EXPECT_EQ(s.class_names.size(), 10u);
  EXPECT_EQ(s.class_names[0], "airplane");
  expect_pattern(s, 1, 1);
  expect_pattern(s, 3, 0);  // first record of the second batch
  EXPECT_NE(s.sources[4].find("data_batch_2.bin#1"), std::string::npos);
  LoadOptions test;
  test.split = "test";
  EXPECT_EQ(load_images(dir.str(), test).size(), 4u);
  EXPECT_TRUE(s.bad.empty());
}

TEST(formats, Cifar100FileUsesFineLabelsAndNames) {
  test::TempDir dir;
  test::write_bytes(dir.str("train.bin"), cifar_records(4, true));
  {
    std::ofstream names(dir.str("fine_label_names.txt"));
    for (int i = 0; i < 100; ++i) names << "class" << i << "\n";
  }
  const ImageSet s = load_images(dir.str("train.bin"));
  EXPECT_EQ(s.format, "cifar100");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.labels, (std::vector<int>{0, 7, 14, 21}));
  EXPECT_EQ(s.class_names[21], "class21");
  expect_pattern(s, 2, 2);
  EXPECT_EQ(load_images(dir.str()).format, "cifar100");  // folder detection
}

TEST(formats, TruncatedCifarReportsTheOffset) {
  test::TempDir dir;
  auto b = cifar_records(3, false);
  b.resize(b.size() - 100);  // third record cut short
  test::write_bytes(dir.str("data_batch_1.bin"), b);
  const ImageSet s = load_images(dir.str("data_batch_1.bin"));
  EXPECT_EQ(s.size(), 2u);
  ASSERT_EQ(s.bad.size(), 1u);
  EXPECT_NE(s.bad[0].reason.find("byte offset 6146"), std::string::npos) << s.bad[0].reason;  // 2 * 3073
}

TEST(formats, Stl10ColumnMajorWithLabelsAndUnlabeledSplit) {
  test::TempDir dir;
  const int side = 96, n = 3;
  std::vector<uint8_t> x;
  // STL-10 stores each channel column by column: byte (c, col, row).
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < 3; ++c)
      for (int col = 0; col < side; ++col)
        for (int row = 0; row < side; ++row) x.push_back(pattern(r, row, col, c));
  test::write_bytes(dir.str("train_X.bin"), x);
  test::write_bytes(dir.str("train_y.bin"), {1, 10, 4});
  test::write_bytes(dir.str("unlabeled_X.bin"), std::vector<uint8_t>(x.begin(), x.begin() + 2 * 3 * side * side));
  const ImageSet s = load_images(dir.str());
  EXPECT_EQ(s.format, "stl10");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.height, 96);
  EXPECT_EQ(s.labels, (std::vector<int>{0, 9, 3}));
  EXPECT_EQ(s.class_names[9], "truck");
  expect_pattern(s, 2, 2);
  LoadOptions o;
  o.split = "unlabeled";
  const ImageSet u = load_images(dir.str(), o);
  EXPECT_EQ(u.size(), 2u);
  EXPECT_TRUE(u.labels.empty());
  o.split = "train+unlabeled";
  const ImageSet both = load_images(dir.str(), o);
  EXPECT_EQ(both.size(), 5u);
  EXPECT_EQ(both.labels, (std::vector<int>{0, 9, 3, -1, -1}));
  o.split = "valid";
  EXPECT_THROW(load_images(dir.str(), o), std::runtime_error);
  // A truncated image file keeps its whole records and names the offset.
  x.resize(x.size() - 5);
  test::write_bytes(dir.str("test_X.bin"), x);
  const ImageSet t = load_images(dir.str("test_X.bin"));
  EXPECT_EQ(t.size(), 2u);
  ASSERT_FALSE(t.bad.empty());
  EXPECT_NE(t.bad[0].reason.find("byte offset 55296"), std::string::npos) << t.bad[0].reason;
}

TEST(formats, LabelsCsvOverridesFoldersAndReportsProblems) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "a");
  for (const char* f : {"a/x.png", "y.png", "z,comma.png"})
    ASSERT_TRUE(cv::imwrite(dir.str(f), cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(9))));
  {
    std::ofstream csv(dir.str("labels.csv"));
    csv << "path,label\n" << "a/x.png,dog\n" << "y.png,cat\n" << "z,comma.png,cat\n" << "missing.png,cat\n"
        << "garbage line\n";
  }
  const ImageSet s = load_images(dir.str());
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(s.labels, (std::vector<int>{1, 0, 0}));  // sorted paths: a/x.png, y.png, z,comma.png
  ASSERT_EQ(s.bad.size(), 2u);
  bool missing = false, garbage = false;
  for (const auto& b : s.bad) {
    missing |= b.path.find("missing.png") != std::string::npos;
    garbage |= b.reason.find("no comma") != std::string::npos;
  }
  EXPECT_TRUE(missing);
  EXPECT_TRUE(garbage);
}

TEST(formats, ExifOrientationIsHonoured) {
  test::TempDir dir;
  // 2 rows x 4 columns, left half black, right half white.
  cv::Mat m(2, 4, CV_8UC3, cv::Scalar::all(0));
  m(cv::Rect(2, 0, 2, 2)).setTo(cv::Scalar::all(255));
  std::vector<uint8_t> jpg;
  ASSERT_TRUE(cv::imencode(".jpg", m, jpg, {cv::IMWRITE_JPEG_QUALITY, 100}));
  // An APP1 Exif segment with one IFD0 entry: Orientation (0x0112) = 6, "rotate 90 clockwise to view".
  const std::vector<uint8_t> app1 = {0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,
                                     'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,  // TIFF header, IFD at 8
                                     0x01, 0x00,                                    // one entry
                                     0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x00};                       // no next IFD
  jpg.insert(jpg.begin() + 2, app1.begin(), app1.end());
  test::write_bytes(dir.str("rotated.jpg"), jpg);
  const ImageSet s = load_images(dir.str());
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s.height, 4);  // turned upright: 4 rows x 2 columns
  ASSERT_EQ(s.width, 2);
  // Rotated clockwise, the right (white) half becomes the bottom.
  EXPECT_LT(s.image(0)[0], 60);
  EXPECT_GT(s.image(0)[(3 * 2 + 1) * 3], 200);
}

TEST(formats, SixteenBitGreyAndAlphaAreConverted) {
  test::TempDir dir;
  cv::Mat g16(3, 3, CV_16UC1, cv::Scalar(65535));
  g16.at<uint16_t>(0, 0) = 257 * 100;
  ASSERT_TRUE(cv::imwrite(dir.str("a16.png"), g16));
  cv::Mat bgra(3, 3, CV_8UC4, cv::Scalar(200, 100, 50, 255));
  bgra.at<cv::Vec4b>(0, 0) = {200, 100, 50, 0};     // transparent -> black
  bgra.at<cv::Vec4b>(1, 1) = {200, 100, 50, 128};   // half -> about half
  ASSERT_TRUE(cv::imwrite(dir.str("b_rgba.png"), bgra));
  const ImageSet s = load_images(dir.str());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.image(0)[0], 100);
  EXPECT_EQ(s.image(0)[3], 255);
  EXPECT_EQ(s.original[0].bits, 16);
  EXPECT_EQ(s.original[1].channels, 4);
  const uint8_t* p = s.image(1);
  EXPECT_EQ(p[0], 0);
  EXPECT_EQ(p[(1 * 3 + 1) * 3 + 0], 25);   // R 50 * 128/255
  EXPECT_EQ(p[(1 * 3 + 1) * 3 + 2], 100);  // B 200 * 128/255
  EXPECT_EQ(p[(2 * 3 + 2) * 3 + 0], 50);   // opaque: unchanged RGB
  const DatasetSummary sum = summarize(s);
  EXPECT_EQ(sum.original_channels.at("grey 16-bit"), 1u);
  EXPECT_EQ(sum.original_channels.at("RGBA"), 1u);
}

TEST(formats, LargeCacheIsMemoryMappedWithTheSameBytes) {
  test::TempDir dir;
  test::write_bytes(dir.str("data_batch_1.bin"), cifar_records(6, false));
  LoadOptions o;
  o.mmap_above_bytes = 1000;  // force the mapped path on a tiny set
  o.scratch_dir = dir.str();
  const ImageSet mapped = load_images(dir.str(), o);
  const ImageSet plain = load_images(dir.str());
  EXPECT_TRUE(mapped.pixels.mapped());
  EXPECT_FALSE(plain.pixels.mapped());
  ASSERT_EQ(mapped.size(), plain.size());
  EXPECT_EQ(std::memcmp(mapped.image(0), plain.image(0), plain.size() * plain.image_bytes()), 0);
  // The scratch file is unlinked at once: nothing is left in the folder.
  for (const auto& e : fs::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename().string().find("pretext-cache"), std::string::npos);
  EXPECT_TRUE(summarize(mapped).memory_mapped);
}

TEST(formats, ResizeOnLoadAndSummaryStatistics) {
  test::TempDir dir;
  cv::Mat a(40, 60, CV_8UC3, cv::Scalar(0, 0, 255));  // BGR red
  cv::Mat b(20, 20, CV_8UC3, cv::Scalar(0, 0, 0));
  ASSERT_TRUE(cv::imwrite(dir.str("a.png"), a));
  ASSERT_TRUE(cv::imwrite(dir.str("b.png"), b));
  LoadOptions o;
  o.resize = 16;
  const ImageSet s = load_images(dir.str(), o);
  EXPECT_EQ(s.height, 16);
  EXPECT_EQ(s.width, 16);
  const DatasetSummary sum = summarize(s);
  EXPECT_EQ(sum.original_sizes.at("40x60"), 1u);
  EXPECT_EQ(sum.original_sizes.at("20x20"), 1u);
  ASSERT_EQ(sum.mean.size(), 3u);
  EXPECT_NEAR(sum.mean[0], 0.5, 1e-9);  // R: one image all 255, one all 0
  EXPECT_NEAR(sum.std[0], 0.5, 1e-9);
  EXPECT_NEAR(sum.mean[1], 0.0, 1e-9);
  EXPECT_EQ(sum.to_json()["images"], 2);
}
