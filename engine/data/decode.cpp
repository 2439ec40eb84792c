#include "engine/data/decode.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "engine/data/byte_order.h"
#include "engine/data/exif.h"

namespace pretext {
namespace fs = std::filesystem;

const char* format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::Png: return "PNG";
    case ImageFormat::Jpeg: return "JPEG";
    case ImageFormat::Bmp: return "BMP";
    case ImageFormat::Webp: return "WebP";
    case ImageFormat::Tiff: return "TIFF";
    case ImageFormat::Pnm: return "PNM";
    case ImageFormat::Gif: return "GIF";
    default: return "unknown";
  }
}

ImageFormat sniff_format(const uint8_t* h, size_t n) {
  auto starts = [&](const char* magic, size_t len, size_t at = 0) {
    return n >= at + len && std::memcmp(h + at, magic, len) == 0;
  };
  if (starts("\x89PNG\r\n\x1a\n", 8)) return ImageFormat::Png;
  if (starts("\xff\xd8\xff", 3)) return ImageFormat::Jpeg;
  if (starts("BM", 2)) return ImageFormat::Bmp;
  if (starts("RIFF", 4) && starts("WEBP", 4, 8)) return ImageFormat::Webp;
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return ImageFormat::Tiff;
  if (n >= 2 && h[0] == 'P' && h[1] >= '1' && h[1] <= '6') return ImageFormat::Pnm;
  if (starts("GIF8", 4)) return ImageFormat::Gif;
  return ImageFormat::Unknown;
}

namespace {

std::vector<uint8_t> read_head(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> buf(n);
  in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(n));
  buf.resize(static_cast<size_t>(std::max<std::streamsize>(0, in.gcount())));
  return buf;
}

// A JPEG whose end-of-image marker is missing was cut short: libjpeg would still return the rows it
// got (grey below), which must not enter a training set silently.
bool jpeg_has_end_marker(const std::string& path, uint64_t size) {
  std::ifstream in(path, std::ios::binary);
  const uint64_t tail = std::min<uint64_t>(size, 4096);
  in.seekg(static_cast<std::streamoff>(size - tail));
  std::vector<char> buf(tail);
  in.read(buf.data(), static_cast<std::streamsize>(tail));
  for (size_t i = buf.size(); i >= 2; --i)
    if (uint8_t(buf[i - 2]) == 0xFF && uint8_t(buf[i - 1]) == 0xD9) return true;
  return false;
}

}  // namespace

bool header_size(const std::string& path, ImageFormat f, uint64_t& w, uint64_t& h) {
  if (f == ImageFormat::Png) {
    const auto b = read_head(path, 24);
    if (b.size() < 24 || std::memcmp(b.data() + 12, "IHDR", 4) != 0) return false;
    w = be32(b.data() + 16);
    h = be32(b.data() + 20);
    return true;
  }
  if (f == ImageFormat::Bmp) {
    const auto b = read_head(path, 26);
    if (b.size() < 26) return false;
    w = static_cast<uint64_t>(std::abs(static_cast<int32_t>(le32(b.data() + 18))));
    h = static_cast<uint64_t>(std::abs(static_cast<int32_t>(le32(b.data() + 22))));
    return true;
  }
  if (f == ImageFormat::Webp) {
    const auto b = read_head(path, 30);
    if (b.size() < 30) return false;
    if (std::memcmp(b.data() + 12, "VP8 ", 4) == 0) {
      w = le16(b.data() + 26) & 0x3fff;
      h = le16(b.data() + 28) & 0x3fff;
    } else if (std::memcmp(b.data() + 12, "VP8L", 4) == 0) {
      const uint32_t bits = le32(b.data() + 21);
      w = (bits & 0x3fff) + 1;
      h = ((bits >> 14) & 0x3fff) + 1;
    } else if (std::memcmp(b.data() + 12, "VP8X", 4) == 0) {
      w = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
      h = 1 + (b[27] | (b[28] << 8) | (uint32_t(b[29]) << 16));
    } else {
      return false;
    }
    return true;
  }
  if (f == ImageFormat::Jpeg) {
    // Walk the marker segments up to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC).
    std::ifstream in(path, std::ios::binary);
    uint8_t m[4];
    in.seekg(2);
    for (int guard = 0; guard < 512 && in.read(reinterpret_cast<char*>(m), 4); ++guard) {
      if (m[0] != 0xFF) return false;
      const uint8_t type = m[1];
      const uint32_t len = be16(m + 2);
      if (type >= 0xC0 && type <= 0xCF && type != 0xC4 && type != 0xC8 && type != 0xCC) {
        uint8_t sof[5];
        if (!in.read(reinterpret_cast<char*>(sof), 5)) return false;
        h = be16(sof + 1);
        w = be16(sof + 3);
        return true;
      }
      if (len < 2) return false;
      in.seekg(len - 2, std::ios::cur);
    }
    return false;
  }
  return false;
}

cv::Mat decode_rgb(const std::string& path, uint64_t max_pixels, std::string& reason, ImageShape* shape) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    reason = fs::is_symlink(fs::symlink_status(path, ec)) ? "broken symbolic link" : "not a regular file";
    return {};
  }
  const auto bytes = fs::file_size(path, ec);
  if (ec) {
    reason = "cannot read: " + ec.message();
    return {};
  }
  if (bytes == 0) {
    reason = "empty file (0 bytes)";
    return {};
  }
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) {
      reason = std::string("cannot open: ") + std::strerror(errno);
      return {};
    }
  }
  const auto head = read_head(path, 32);
  const ImageFormat f = sniff_format(head.data(), head.size());
  if (f == ImageFormat::Unknown) {
    std::string ext = fs::path(path).extension().string();
    reason = "not an image: the content matches no supported format" + (ext.empty() ? "" : " (named " + ext + ")");
    return {};
  }
  if (f == ImageFormat::Gif) {
    reason = "GIF is not supported (OpenCV 4.6 has no GIF decoder)";
    return {};
  }
  uint64_t w = 0, h = 0;
  if (header_size(path, f, w, h)) {
    if (w == 0 || h == 0) {
      reason = std::string("bad ") + format_name(f) + " header: zero width or height";
      return {};
    }
    if (w * h > max_pixels) {
      reason = std::string(format_name(f)) + " header claims " + std::to_string(w) + "x" + std::to_string(h) +
               " pixels, over the limit of " + std::to_string(max_pixels) + " (refused before decoding)";
      return {};
    }
  }
  if (f == ImageFormat::Jpeg && !jpeg_has_end_marker(path, bytes)) {
    reason = "truncated JPEG: no end-of-image marker (file has " + std::to_string(bytes) + " bytes)";
    return {};
  }
  // JPEG carries no alpha and no 16-bit data, so it is read in colour mode, where OpenCV applies the
  // EXIF orientation and converts CMYK and grey. Other formats are read unchanged to keep alpha and
  // 16-bit depth, which OpenCV only returns without orientation handling: exif.h turns them upright.
  const int flags = f == ImageFormat::Jpeg ? cv::IMREAD_COLOR : cv::IMREAD_UNCHANGED;
  cv::Mat m;
  try {
    m = cv::imread(path, flags);
  } catch (const cv::Exception& e) {
    reason = std::string("decoder error: ") + e.what();
    return {};
  }
  if (m.empty()) {
    reason = std::string("corrupt or truncated ") + format_name(f) + " data (decoder returned nothing)";
    return {};
  }
  if (f != ImageFormat::Jpeg) m = apply_orientation(m, file_orientation(path, f));
  if (shape) *shape = {m.rows, m.cols, m.channels(), m.depth() == CV_16U ? 16 : m.depth() == CV_8U ? 8 : 32};
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257.0);
  else if (m.depth() == CV_32F || m.depth() == CV_64F) m.convertTo(m, CV_8U, 255.0);
  else if (m.depth() != CV_8U) m.convertTo(m, CV_8U);
  cv::Mat rgb;
  switch (m.channels()) {
    case 1: cv::cvtColor(m, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB); break;
    case 4: {
      // Composite on black: colour * alpha / 255, rounded.
      cv::Mat bgra[4];
      cv::split(m, bgra);
      for (int c = 0; c < 3; ++c) cv::multiply(bgra[c], bgra[3], bgra[c], 1.0 / 255.0);
      cv::Mat planes[] = {bgra[2], bgra[1], bgra[0]};
      cv::merge(planes, 3, rgb);
      break;
    }
    default: reason = "unsupported channel count " + std::to_string(m.channels()); return {};
  }
  return rgb;
}

}  // namespace pretext
