// One image file through the decoder (format sniffed from the bytes, header size check, EXIF
// orientation of PNG and WebP): the first byte picks the name's extension, which must not matter.
#include "engine/data/decode.h"
#include "engine/data/exif.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pretext;
  if (size < 1) return 0;
  static const char* kNames[] = {"a.png", "a.jpg", "a.webp", "a.tif", "a.bmp", "a.gif", "a.pgm", "a"};
  const auto dir = fuzz::fresh_folder("image");
  const std::string path = fuzz::write_file(dir / kNames[data[0] % 8], data + 1, size - 1);
  std::string reason;
  ImageShape shape;
  const cv::Mat rgb = decode_rgb(path, uint64_t(1) << 20, reason, &shape);
  if (rgb.empty() == reason.empty()) __builtin_trap();  // an image, or a reason: never both, never neither
  if (!rgb.empty() && (rgb.type() != CV_8UC3 || uint64_t(rgb.total()) > (uint64_t(1) << 20))) __builtin_trap();
  // The EXIF reader alone, on the whole input as a TIFF block.
  const int orientation = tiff_block_orientation(std::vector<uint8_t>(data + 1, data + size));
  if (orientation < 1 || orientation > 8) __builtin_trap();
  return 0;
}
