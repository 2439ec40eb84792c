#include "engine/data/exif.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "engine/data/byte_order.h"

namespace pretext {
namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint32_t kMaxBlock = 1u << 20;  // an EXIF block is at most 64 KiB in JPEG; be generous, not unbounded

class FileBytes {
 public:
  explicit FileBytes(const std::string& path) : in_(path, std::ios::binary) {}
  // n bytes at offset, or fewer at the end of the file.
  std::vector<uint8_t> at(uint64_t offset, size_t n) {
    std::vector<uint8_t> b(n);
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(n));
    b.resize(static_cast<size_t>(std::max<std::streamsize>(0, in_.gcount())));
    return b;
  }

 private:
  std::ifstream in_;
};

// IFD0's orientation in a TIFF-structured block starting at `t` (n bytes); 1 when absent or malformed.
int ifd0_orientation(const uint8_t* t, size_t n) {
  if (n < 8) return 1;
  const bool le = t[0] == 'I' && t[1] == 'I';
  if (!le && !(t[0] == 'M' && t[1] == 'M')) return 1;
  auto u16 = [le](const uint8_t* p) { return le ? le16(p) : be16(p); };
  auto u32 = [le](const uint8_t* p) { return le ? le32(p) : be32(p); };
  if (u16(t + 2) != 42) return 1;
  const uint64_t ifd = u32(t + 4);
  if (ifd + 2 > n) return 1;
  const uint64_t end = std::min<uint64_t>(n, ifd + 2 + uint64_t(u16(t + ifd)) * 12);
  for (uint64_t e = ifd + 2; e + 12 <= end; e += 12) {
    if (u16(t + e) != kOrientationTag) continue;
    const uint32_t v = u16(t + e + 2) == 3 ? u16(t + e + 8) : 1;  // SHORT: the first two bytes of the value
    return v >= 1 && v <= 8 ? int(v) : 1;
  }
  return 1;
}

std::vector<uint8_t> png_exif(FileBytes& f) {
  uint64_t pos = 8;
  for (int chunks = 0; chunks < 10000; ++chunks) {
    const auto h = f.at(pos, 8);
    if (h.size() < 8) break;
    const uint32_t len = be32(h.data());
    if (std::memcmp(h.data() + 4, "eXIf", 4) == 0) return len <= kMaxBlock ? f.at(pos + 8, len) : std::vector<uint8_t>{};
    if (std::memcmp(h.data() + 4, "IEND", 4) == 0) break;
    pos += 12 + uint64_t(len);
  }
  return {};
}

std::vector<uint8_t> webp_exif(FileBytes& f) {
  const auto riff = f.at(0, 12);
  if (riff.size() < 12) return {};
  const uint64_t end = 8 + uint64_t(le32(riff.data() + 4));
  for (uint64_t pos = 12; pos + 8 <= end;) {
    const auto h = f.at(pos, 8);
    if (h.size() < 8) break;
    const uint32_t len = le32(h.data() + 4);
    if (std::memcmp(h.data(), "EXIF", 4) == 0) return len <= kMaxBlock ? f.at(pos + 8, len) : std::vector<uint8_t>{};
    pos += 8 + uint64_t(len) + (len & 1);  // chunks are padded to an even size
  }
  return {};
}

}  // namespace

int tiff_block_orientation(const std::vector<uint8_t>& block) {
  const size_t skip = block.size() >= 6 && std::memcmp(block.data(), "Exif\0\0", 6) == 0 ? 6 : 0;
  return ifd0_orientation(block.data() + skip, block.size() - skip);
}

int file_orientation(const std::string& path, ImageFormat format) {
  FileBytes f(path);
  switch (format) {
    // TIFF is absent on purpose: OpenCV's TIFF decoder applies the tag itself, even when reading
    // unchanged (test engine.exif checks the end result for all eight values).
    case ImageFormat::Png: return tiff_block_orientation(png_exif(f));
    case ImageFormat::Webp: return tiff_block_orientation(webp_exif(f));
    default: return 1;
  }
}

cv::Mat apply_orientation(const cv::Mat& image, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(image, out, 1); break;
    case 3: cv::flip(image, out, -1); break;
    case 4: cv::flip(image, out, 0); break;
    case 5: cv::transpose(image, out); break;
    case 6: cv::transpose(image, out); cv::flip(out, out, 1); break;
    case 7: cv::transpose(image, out); cv::flip(out, out, -1); break;
    case 8: cv::transpose(image, out); cv::flip(out, out, 0); break;
    default: out = image;
  }
  return out;
}

}  // namespace pretext
