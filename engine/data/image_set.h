#pragma once
// The decoded dataset: every image as uint8 HWC at one common size, contiguous in memory, so that
// augmentation reads pixels without decoding again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pretext {

struct BadFile {
  std::string path;
  std::string reason;
};

struct ImageSet {
  int height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;          // size() * height * width * channels
  std::vector<int> labels;              // one per image (-1 = none); empty when the source has none
  std::vector<std::string> class_names;
  std::vector<std::string> sources;     // file path, or "file#index" for binary formats
  std::vector<BadFile> bad;
  std::string origin;                   // what was opened

  size_t size() const { return sources.size(); }
  size_t image_bytes() const { return static_cast<size_t>(height) * width * channels; }
  const uint8_t* image(size_t i) const { return pixels.data() + i * image_bytes(); }
  bool has_labels() const;
  ImageSet subset(const std::vector<size_t>& indices) const;
};

struct LoadOptions {
  int resize = 0;       // > 0: every image resized to resize x resize; 0: the first image's size
  size_t limit = 0;     // > 0: an evenly spread subset of at most this many images
  unsigned threads = 0;
};

// Opens a folder of images (class sub-folders become labels) or an IDX file (raw or .gz; the
// labels file beside it is found by name). Bad files are reported in ImageSet::bad and skipped.
// Throws std::runtime_error when nothing usable is found.
ImageSet load_images(const std::string& path, const LoadOptions& options = {});

ImageSet load_folder(const std::string& dir, const LoadOptions& options);
ImageSet load_idx(const std::string& images_file, const std::string& labels_file,
                  const LoadOptions& options);

// Indices of an evenly spread subset: deterministic and, for class-sorted sources, balanced.
std::vector<size_t> spread_indices(size_t total, size_t limit);

}  // namespace pretext
