#pragma once
// EXIF orientation for the formats OpenCV reads without it. OpenCV 4.6 turns JPEGs (in colour mode)
// and TIFFs upright itself, but PNG (eXIf chunk) and WebP (EXIF chunk), read unchanged to keep alpha
// and 16-bit depth, come back as stored: a phone photo saved as PNG would train sideways.
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "engine/data/decode.h"

namespace pretext {

// Orientation 1..8 of a TIFF-structured block ("II*\0" or "MM\0*", optionally after "Exif\0\0");
// 1 when the tag is absent or the block is malformed.
int tiff_block_orientation(const std::vector<uint8_t>& block);

// Orientation 1..8 stored in a PNG or WebP file; 1 for other formats or when absent.
int file_orientation(const std::string& path, ImageFormat format);

// The image turned upright (EXIF 2.3, table of Orientation values; the same mapping as OpenCV's JPEG path).
cv::Mat apply_orientation(const cv::Mat& image, int orientation);

}  // namespace pretext
