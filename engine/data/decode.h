#pragma once
// Decoding one image file for the cache: format sniffed from the bytes (not the name), size checked
// from the header before any pixel is allocated, EXIF orientation honoured, and every failure turned
// into a reason a person can act on.
#include <opencv2/core.hpp>
#include <string>

#include "engine/data/image_set.h"

namespace pretext {

enum class ImageFormat { Unknown, Png, Jpeg, Bmp, Webp, Tiff, Pnm, Gif };
const char* format_name(ImageFormat f);

// The format the first bytes announce.
ImageFormat sniff_format(const uint8_t* head, size_t n);
// Width and height from the header when the format allows reading them cheaply (PNG, JPEG, BMP,
// WebP); false when unknown.
bool header_size(const std::string& path, ImageFormat f, uint64_t& width, uint64_t& height);

// 8-bit RGB (grey expanded, alpha composited on black, 16-bit scaled by 1/257, CMYK converted),
// or an empty Mat and `reason`. `shape` receives what the file held.
cv::Mat decode_rgb(const std::string& path, uint64_t max_pixels, std::string& reason, ImageShape* shape = nullptr);

}  // namespace pretext
