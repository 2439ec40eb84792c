// ctest-labels: unit
// A generated corpus of bad input: every file is reported with a reason, the good ones still load,
// nothing crashes, nothing hangs, nothing allocates what a lying header asks for.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>

#include "engine/data/image_set.h"
#include "support.h"

using namespace pretext;
namespace fs = std::filesystem;

namespace {

void put_be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

// A syntactically valid PNG signature + IHDR (with a correct CRC) claiming w x h RGB pixels, then a
// few bytes of IDAT: what a hostile or broken file looks like to a decoder.
std::vector<uint8_t> png_claiming(uint32_t w, uint32_t h) {
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> ihdr = {'I', 'H', 'D', 'R'};
  put_be32(ihdr, w);
  put_be32(ihdr, h);
  for (int v : {8, 2, 0, 0, 0}) ihdr.push_back(static_cast<uint8_t>(v));  // 8-bit RGB, no interlace
  put_be32(b, 13);
  b.insert(b.end(), ihdr.begin(), ihdr.end());
  put_be32(b, static_cast<uint32_t>(crc32(0, ihdr.data(), static_cast<uInt>(ihdr.size()))));
  for (int v : {0, 0, 0, 4, int('I'), int('D'), int('A'), int('T'), 1, 2, 3, 4, 0, 0, 0, 0}) b.push_back(static_cast<uint8_t>(v));
  return b;
}

// A 6x4 CMYK JPEG (Adobe APP14, 4 components) as ImageMagick writes it; OpenCV cannot write one.
const std::vector<uint8_t> kCmykJpeg = {
    0xff, 0xd8, 0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00,
    0x64, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x03,
    0x02, 0x02, 0x03, 0x02, 0x02, 0x03, 0x03, 0x03, 0x03, 0x04, 0x03, 0x03,
    0x04, 0x05, 0x08, 0x05, 0x05, 0x04, 0x04, 0x05, 0x0a, 0x07, 0x07, 0x06,
    0x08, 0x0c, 0x0a, 0x0c, 0x0c, 0x0b, 0x0a, 0x0b, 0x0b, 0x0d, 0x0e, 0x12,
    0x10, 0x0d, 0x0e, 0x11, 0x0e, 0x0b, 0x0b, 0x10, 0x16, 0x10, 0x11, 0x13,
    0x14, 0x15, 0x15, 0x15, 0x0c, 0x0f, 0x17, 0x18, 0x16, 0x14, 0x18, 0x12,
    0x14, 0x15, 0x14, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x03, 0x04, 0x04, 0x05,
    0x04, 0x05, 0x09, 0x05, 0x05, 0x09, 0x14, 0x0d, 0x0b, 0x0d, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0xff, 0xc0, 0x00, 0x14, 0x08, 0x00, 0x04, 0x00, 0x06, 0x04, 0x01, 0x11,
    0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0x04, 0x11, 0x00, 0xff, 0xc4,
    0x00, 0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x09, 0xff, 0xc4, 0x00,
    0x14, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc4, 0x00, 0x15, 0x01,
    0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x07, 0x09, 0xff, 0xc4, 0x00, 0x14, 0x11, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xda, 0x00, 0x0e, 0x04, 0x01, 0x00, 0x02,
    0x11, 0x03, 0x11, 0x04, 0x00, 0x00, 0x3f, 0x00, 0x44, 0x1c, 0xd2, 0xa9,
    0x54, 0xdf, 0xff, 0xd9,
};

}  // namespace

TEST(badinput, CorpusIsReportedAndGoodFilesStillLoad) {
  test::TempDir dir;
  const fs::path d = dir.path();
  std::vector<uint8_t> good;
  ASSERT_TRUE(cv::imencode(".png", cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), good));
  test::write_bytes(d / "00_good.png", good);
  test::write_bytes(d / "01_zero.png", {});
  test::write_bytes(d / "02_truncated.png", std::vector<uint8_t>(good.begin(), good.begin() + static_cast<long>(good.size() / 2)));
  {
    std::ofstream(d / "03_text.png") << "this is not an image, just text named .png\n";
  }
  test::write_bytes(d / "04_huge.png", png_claiming(100000, 100000));
  std::vector<uint8_t> jpg;
  ASSERT_TRUE(cv::imencode(".jpg", cv::Mat(16, 16, CV_8UC3, cv::Scalar(90, 90, 90)), jpg));
  test::write_bytes(d / "05_truncated.jpg", std::vector<uint8_t>(jpg.begin(), jpg.begin() + static_cast<long>(jpg.size() * 2 / 3)));
  test::write_bytes(d / "06_cmyk.jpg", kCmykJpeg);
  ASSERT_TRUE(cv::imwrite((d / "07_one_pixel.png").string(), cv::Mat(1, 1, CV_8UC3, cv::Scalar(7, 7, 7))));
  ASSERT_TRUE(cv::imwrite((d / "08_sixteen.png").string(), cv::Mat(8, 8, CV_16UC3, cv::Scalar(65535, 0, 0))));
  ASSERT_TRUE(cv::imwrite((d / "09_ünïcødé_画像.png").string(), cv::Mat(8, 8, CV_8UC1, cv::Scalar(200))));
  fs::create_symlink(d / "nowhere.png", d / "10_broken_link.png");
  ASSERT_EQ(mkfifo((d / "11_fifo.png").c_str(), 0600), 0);  // opening it would block forever
  test::write_bytes(d / "12_zero_size.png", png_claiming(0, 10));
  test::write_bytes(d / "13_gif.png", {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0});

  ImageSet s;
  ASSERT_NO_THROW(s = load_images(dir.str()));
  std::map<std::string, std::string> why;
  for (const auto& b : s.bad) why[fs::path(b.path).filename().string()] = b.reason;
  auto has = [&](const std::string& file, const std::string& words) {
    const auto it = why.find(file);
    if (it == why.end()) return ::testing::AssertionFailure() << file << " not reported";
    if (it->second.find(words) == std::string::npos)
      return ::testing::AssertionFailure() << file << ": '" << it->second << "' lacks '" << words << "'";
    return ::testing::AssertionSuccess();
  };
  EXPECT_TRUE(has("01_zero.png", "empty file"));
  EXPECT_TRUE(has("02_truncated.png", "corrupt or truncated PNG"));
  EXPECT_TRUE(has("03_text.png", "not an image"));
  EXPECT_TRUE(has("04_huge.png", "100000x100000"));
  EXPECT_TRUE(has("05_truncated.jpg", "truncated JPEG"));
  EXPECT_TRUE(has("10_broken_link.png", "broken symbolic link"));
  EXPECT_TRUE(has("11_fifo.png", "not a regular file"));
  EXPECT_TRUE(has("12_zero_size.png", "zero width"));
  EXPECT_TRUE(has("13_gif.png", "GIF"));

  std::map<std::string, size_t> at;
  for (size_t i = 0; i < s.size(); ++i) at[fs::path(s.sources[i]).filename().string()] = i;
  for (const char* ok : {"00_good.png", "06_cmyk.jpg", "07_one_pixel.png", "08_sixteen.png", "09_ünïcødé_画像.png"})
    EXPECT_TRUE(at.count(ok)) << ok << " should load: " << why[ok];
  // Every candidate is accounted for: loaded or reported.
  EXPECT_EQ(s.size() + s.bad.size(), s.scanned) << s.size() << " + " << s.bad.size();
  EXPECT_EQ(s.height, 8);  // the first good image sets the size; 1x1 is scaled up to it
  // CMYK red converts to RGB with red dominant.
  const uint8_t* cmyk = s.image(at["06_cmyk.jpg"]);
  EXPECT_GT(cmyk[0], 200);
  EXPECT_LT(cmyk[1], 80);
  // 16-bit blue (BGR 65535, 0, 0) scales to 8-bit 255 in B.
  EXPECT_EQ(s.image(at["08_sixteen.png"])[2], 255);
  EXPECT_EQ(s.image(at["09_ünïcødé_画像.png"])[0], 200);
}

TEST(badinput, NothingUsableIsAClearError) {
  test::TempDir dir;
  {
    std::ofstream(dir.path() / "a.png") << "nope";
  }
  try {
    load_images(dir.str());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no readable image"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not an image"), std::string::npos) << e.what();
  }
  test::write_bytes(dir.path() / "odd.bin", std::vector<uint8_t>(10, 1));
  EXPECT_THROW(load_images(dir.str("odd.bin")), std::runtime_error);
  test::write_bytes(dir.path() / "data_batch_1.bin", {});
  EXPECT_THROW(load_images(dir.str("data_batch_1.bin")), std::runtime_error);
  EXPECT_THROW(load_images(dir.str("missing")), std::runtime_error);
}

namespace {
// 0 when the scan reports `file` as unopenable and still loads the good image beside it.
int scan_reports_unreadable(const std::string& dir) {
  try {
    const ImageSet s = load_images(dir);
    bool reported = false;
    for (const auto& b : s.bad)
      reported |= b.path.find("unreadable.png") != std::string::npos && b.reason.find("cannot open") != std::string::npos;
    return reported && s.size() == 1 ? 0 : 1;
  } catch (...) {
    return 2;
  }
}
}  // namespace

TEST(badinput, UnreadableFileIsReported) {
  test::TempDir dir;
  std::vector<uint8_t> good;
  ASSERT_TRUE(cv::imencode(".png", cv::Mat(4, 4, CV_8UC3, cv::Scalar(1, 2, 3)), good));
  test::write_bytes(dir.path() / "good.png", good);
  test::write_bytes(dir.path() / "unreadable.png", good);
  fs::permissions(dir.path() / "unreadable.png", fs::perms::none);
  if (geteuid() != 0) {
    EXPECT_EQ(scan_reports_unreadable(dir.str()), 0);
    return;
  }
  // Root reads a chmod 000 file anyway, so the scan runs in a child that has dropped to "nobody".
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec |
                                  fs::perms::group_read | fs::perms::group_exec);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    _exit(scan_reports_unreadable(dir.str()));
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: not reported, 2: scan threw, 3: could not drop privileges";
}

// Links that loop (to a parent, to themselves, to each other) end the scan instead of walking forever,
// and an image 4,000 bytes deep in unicode folders loads like any other.
TEST(badinput, LinkLoopsEndTheScanAndLongUnicodePathsLoad) {
  test::TempDir dir;
  const fs::path d = dir.path();
  fs::create_directories(d / "cats");
  ASSERT_TRUE(cv::imwrite((d / "cats" / "a.png").string(), cv::Mat(6, 6, CV_8UC3, cv::Scalar(10, 20, 30))));
  fs::create_directory_symlink(d, d / "cats" / "up");            // a loop through the root
  fs::create_symlink(d / "cats" / "self.png", d / "cats" / "self.png");  // a link to itself
  fs::create_symlink(d / "ping.png", d / "pong.png");
  fs::create_symlink(d / "pong.png", d / "ping.png");
  fs::path deep = d / "deep";
  const std::string part = std::string(200, 'x') + "_ünï_画像";  // about 215 bytes a folder
  while (deep.string().size() + part.size() + 1 < 4030) deep /= part;
  deep /= std::string(std::max<size_t>(1, 4030 - deep.string().size() - 1), 'y');  // to 4,030 bytes: under PATH_MAX
  fs::create_directories(deep);
  ASSERT_TRUE(cv::imwrite((deep / "b.png").string(), cv::Mat(6, 6, CV_8UC3, cv::Scalar(200, 100, 50))));
  ASSERT_GE((deep / "b.png").string().size(), 4000u);

  ImageSet s;
  ASSERT_NO_THROW(s = load_images(dir.str()));
  std::vector<std::string> names;
  for (const auto& src : s.sources) names.push_back(fs::path(src).filename().string());
  EXPECT_EQ(std::count(names.begin(), names.end(), "a.png"), 1) << "the loop through the root was followed";
  EXPECT_EQ(std::count(names.begin(), names.end(), "b.png"), 1) << "the 4,000-byte path was not loaded";
  EXPECT_EQ(s.size() + s.bad.size(), s.scanned);
  std::printf("%zu images loaded, %zu files reported\n", s.size(), s.bad.size());
}
