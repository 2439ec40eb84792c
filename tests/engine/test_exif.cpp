// ctest-labels: unit
// EXIF orientation outside JPEG: PNG eXIf, WebP EXIF and TIFF IFD0, each in a file written here, turned
// upright exactly as the EXIF table says (checked against a per-pixel mapping written independently
// of OpenCV's flips and transposes).
#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/data/decode.h"
#include "engine/data/exif.h"
#include "support.h"

using namespace pretext;

namespace {

constexpr int H = 2, W = 3;

// A grey pattern in which every pixel differs, so any misplaced pixel shows.
uint8_t value(int y, int x) { return static_cast<uint8_t>(20 + 40 * (y * W + x)); }

cv::Mat pattern_bgr() {
  cv::Mat m(H, W, CV_8UC3);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) m.at<cv::Vec3b>(y, x) = cv::Vec3b::all(value(y, x));
  return m;
}

// EXIF 2.3, Orientation: where the stored row 0 / column 0 belong in the upright picture.
uint8_t upright(int o, int y, int x) {
  switch (o) {
    case 2: return value(y, W - 1 - x);
    case 3: return value(H - 1 - y, W - 1 - x);
    case 4: return value(H - 1 - y, x);
    case 5: return value(x, y);
    case 6: return value(H - 1 - x, y);
    case 7: return value(H - 1 - x, W - 1 - y);
    case 8: return value(x, W - 1 - y);
    default: return value(y, x);
  }
}

void expect_upright(const cv::Mat& rgb, int o, const std::string& what = "") {
  const bool turned = o >= 5;
  ASSERT_EQ(rgb.rows, turned ? W : H) << what << " orientation " << o;
  ASSERT_EQ(rgb.cols, turned ? H : W) << what << " orientation " << o;
  for (int y = 0; y < rgb.rows; ++y)
    for (int x = 0; x < rgb.cols; ++x)
      EXPECT_EQ(rgb.at<cv::Vec3b>(y, x)[0], upright(o, y, x)) << what << " orientation " << o << " at " << y << "," << x;
}

// Byte by byte (vector::insert of a braced list trips a GCC 12 -Warray-bounds false positive).
void put(std::vector<uint8_t>& b, uint32_t v, int bytes, bool le) {
  for (int i = 0; i < bytes; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * (le ? i : bytes - 1 - i))));
}
void put16(std::vector<uint8_t>& b, uint16_t v, bool le) { put(b, v, 2, le); }
void put32(std::vector<uint8_t>& b, uint32_t v, bool le) { put(b, v, 4, le); }

// A TIFF-structured EXIF block with one IFD0 entry, Orientation = o.
std::vector<uint8_t> exif_block(int o, bool le) {
  std::vector<uint8_t> b = le ? std::vector<uint8_t>{'I', 'I'} : std::vector<uint8_t>{'M', 'M'};
  put16(b, 42, le);
  put32(b, 8, le);
  put16(b, 1, le);
  put16(b, 0x0112, le);
  put16(b, 3, le);  // SHORT
  put32(b, 1, le);
  put16(b, static_cast<uint16_t>(o), le);
  put16(b, 0, le);
  put32(b, 0, le);  // no next IFD
  return b;
}

uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

std::vector<uint8_t> png_with_exif(int o) {
  std::vector<uint8_t> png;
  EXPECT_TRUE(cv::imencode(".png", pattern_bgr(), png));
  std::vector<uint8_t> chunk;
  const auto data = exif_block(o, false);
  put32(chunk, static_cast<uint32_t>(data.size()), false);
  chunk.insert(chunk.end(), {'e', 'X', 'I', 'f'});
  chunk.insert(chunk.end(), data.begin(), data.end());
  put32(chunk, crc32(chunk.data() + 4, chunk.size() - 4), false);
  png.insert(png.begin() + 33, chunk.begin(), chunk.end());  // after the signature and IHDR
  return png;
}

std::vector<uint8_t> webp_with_exif(int o) {
  std::vector<uint8_t> webp;
  EXPECT_TRUE(cv::imencode(".webp", pattern_bgr(), webp, {cv::IMWRITE_WEBP_QUALITY, 101}));  // lossless
  auto data = exif_block(o, true);
  data.insert(data.begin(), {'E', 'x', 'i', 'f', 0, 0});  // the prefix some writers keep
  webp.insert(webp.end(), {'E', 'X', 'I', 'F'});
  put32(webp, static_cast<uint32_t>(data.size()), true);
  webp.insert(webp.end(), data.begin(), data.end());
  if (data.size() & 1) webp.push_back(0);
  std::vector<uint8_t> size;
  put32(size, static_cast<uint32_t>(webp.size() - 8), true);
  std::copy(size.begin(), size.end(), webp.begin() + 4);
  return webp;
}

// An uncompressed RGB TIFF, written field by field (libtiff would not let us choose the tag).
std::vector<uint8_t> tiff_with_orientation(int o, bool le) {
  std::vector<uint8_t> b = le ? std::vector<uint8_t>{'I', 'I'} : std::vector<uint8_t>{'M', 'M'};
  put16(b, 42, le);
  put32(b, 8, le);
  const uint16_t n = 11;
  const uint32_t bits_at = 8 + 2 + n * 12 + 4, pixels_at = bits_at + 6;
  put16(b, n, le);
  auto entry = [&](uint16_t tag, uint16_t type, uint32_t count, uint32_t v) {
    put16(b, tag, le);
    put16(b, type, le);
    put32(b, count, le);
    if (type == 3 && count == 1) {
      put16(b, static_cast<uint16_t>(v), le);
      put16(b, 0, le);
    } else {
      put32(b, v, le);
    }
  };
  entry(256, 3, 1, W);
  entry(257, 3, 1, H);
  entry(258, 3, 3, bits_at);
  entry(259, 3, 1, 1);  // no compression
  entry(262, 3, 1, 2);  // RGB
  entry(273, 4, 1, pixels_at);
  entry(274, 3, 1, static_cast<uint32_t>(o));
  entry(277, 3, 1, 3);
  entry(278, 3, 1, H);
  entry(279, 4, 1, W * H * 3);
  entry(284, 3, 1, 1);
  put32(b, 0, le);
  for (int i = 0; i < 3; ++i) put16(b, 8, le);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) b.insert(b.end(), 3, value(y, x));
  return b;
}

cv::Mat decode(const std::string& path) {
  std::string reason;
  cv::Mat m = decode_rgb(path, 1u << 20, reason);
  EXPECT_FALSE(m.empty()) << reason;
  return m;
}

}  // namespace

TEST(exif, ApplyOrientationFollowsTheExifTable) {
  for (int o = 1; o <= 8; ++o) {
    cv::Mat rgb;
    cv::cvtColor(apply_orientation(pattern_bgr(), o), rgb, cv::COLOR_BGR2RGB);
    expect_upright(rgb, o);
  }
}

TEST(exif, PngWebpAndTiffAreTurnedUpright) {
  test::TempDir dir;
  for (int o = 1; o <= 8; ++o) {
    const std::string s = std::to_string(o);
    test::write_bytes(dir.str("p" + s + ".png"), png_with_exif(o));
    expect_upright(decode(dir.str("p" + s + ".png")), o, "PNG");
    test::write_bytes(dir.str("w" + s + ".webp"), webp_with_exif(o));
    expect_upright(decode(dir.str("w" + s + ".webp")), o, "WebP");
    test::write_bytes(dir.str("t" + s + ".tif"), tiff_with_orientation(o, o % 2 == 0));  // both byte orders
    expect_upright(decode(dir.str("t" + s + ".tif")), o, "TIFF");
  }
}

TEST(exif, MalformedBlocksMeanUpright) {
  EXPECT_EQ(tiff_block_orientation({}), 1);
  EXPECT_EQ(tiff_block_orientation({'I', 'I', 42, 0, 0xff, 0xff, 0xff, 0x7f}), 1);  // IFD far past the end
  auto b = exif_block(9, true);  // not an orientation
  EXPECT_EQ(tiff_block_orientation(b), 1);
  EXPECT_EQ(tiff_block_orientation(exif_block(6, false)), 6);
}
