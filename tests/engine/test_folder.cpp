// ctest-labels: unit
#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "engine/data/image_set.h"
#include "support.h"

using namespace pretext;

namespace {
void write_image(const std::string& path, int h, int w, int value, int channels = 3) {
  cv::Mat m(h, w, CV_8UC(channels), cv::Scalar::all(value));
  ASSERT_TRUE(cv::imwrite(path, m)) << path;
}
}  // namespace

TEST(folder, ClassSubfoldersBecomeLabels) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "cat" / "nested");
  std::filesystem::create_directories(dir.path() / "dog");
  write_image(dir.str("cat/a.png"), 8, 8, 10);
  write_image(dir.str("cat/nested/b.jpg"), 8, 8, 20);
  write_image(dir.str("dog/c.bmp"), 8, 8, 30);
  const ImageSet s = load_images(dir.str());
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(s.labels, (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(s.channels, 3);
  EXPECT_EQ(s.image(2)[0], 30);  // BMP is lossless
}

TEST(folder, FlatFolderHasNoLabelsAndCommonSize) {
  test::TempDir dir;
  write_image(dir.str("a.png"), 8, 8, 10);
  write_image(dir.str("b.png"), 16, 12, 200, 1);  // other size and grey: resized and expanded
  const ImageSet s = load_images(dir.str());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_FALSE(s.has_labels());
  EXPECT_EQ(s.height, 8);
  EXPECT_EQ(s.width, 8);
  EXPECT_EQ(s.image(1)[0], 200);
}

TEST(folder, BadFilesAreReportedAndSkipped) {
  test::TempDir dir;
  write_image(dir.str("good.png"), 4, 4, 1);
  std::ofstream(dir.str("empty.png")).close();
  std::ofstream(dir.str("text.png")) << "this is not an image";
  const ImageSet s = load_images(dir.str());
  EXPECT_EQ(s.size(), 1u);
  ASSERT_EQ(s.bad.size(), 2u);
  for (const auto& b : s.bad) EXPECT_FALSE(b.reason.empty()) << b.path;
}

TEST(folder, ResizeAndLimitOptions) {
  test::TempDir dir;
  for (int i = 0; i < 10; ++i) write_image(dir.str("img" + std::to_string(i) + ".png"), 20, 20, i);
  LoadOptions o;
  o.resize = 6;
  o.limit = 5;
  const ImageSet s = load_images(dir.str(), o);
  EXPECT_EQ(s.size(), 5u);
  EXPECT_EQ(s.height, 6);
}

TEST(folder, MissingPathThrows) { EXPECT_THROW(load_images("/nonexistent/pretext"), std::runtime_error); }
