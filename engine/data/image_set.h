#pragma once
// The decoded dataset: every image as uint8 HWC at one common size, contiguous, so that augmentation
// reads pixels without decoding again. Small sets live in memory; large ones in a memory-mapped
// scratch file the kernel can page out, behind the same image(i) pointer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pretext {

struct BadFile {
  std::string path;
  std::string reason;
};

// The uint8 cache behind ImageSet. Copies share the bytes (a loaded set is read-only in practice).
class PixelStore {
 public:
  explicit PixelStore(size_t mmap_above_bytes = size_t(1) << 30) : mmap_above_(mmap_above_bytes) {}
  // Zero-filled storage of `bytes`; a memory-mapped, already-unlinked scratch file when bytes exceed
  // the threshold (in `scratch_dir`, default $TMPDIR or /tmp). Throws std::runtime_error on failure.
  void resize(size_t bytes);
  uint8_t* data() { return buf_.get(); }
  const uint8_t* data() const { return buf_.get(); }
  size_t size() const { return size_; }
  bool mapped() const { return mapped_; }
  std::string scratch_dir;

 private:
  size_t mmap_above_;
  std::shared_ptr<uint8_t> buf_;
  size_t size_ = 0;
  bool mapped_ = false;
};

// What a file held before it was converted for the cache (for inspect and the dataset browser).
struct ImageShape {
  int height = 0, width = 0, channels = 0, bits = 8;
};

struct ImageSet {
  int height = 0, width = 0, channels = 0;
  PixelStore pixels;                    // size() * height * width * channels
  std::vector<int> labels;              // one per image (-1 = none); empty when the source has none
  std::vector<std::string> class_names;
  std::vector<std::string> sources;     // file path, or "file#index" for binary formats
  std::vector<ImageShape> original;     // one per image: the decoded file before conversion
  std::vector<BadFile> bad;
  std::string origin;                   // what was opened
  std::string format;                   // folder, idx, cifar10, cifar100, stl10
  size_t scanned = 0;                   // candidates looked at (good + bad)

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
  std::string labels_csv;  // folders: `path,label` lines (path relative to the folder); default
                           // <folder>/labels.csv when it exists
  std::string split;       // binary folders: train (default), test, unlabeled (STL-10), train+unlabeled
  size_t mmap_above_bytes = size_t(1) << 30;  // caches larger than this go to a mapped scratch file
  std::string scratch_dir;                    // where that file lives (default $TMPDIR or /tmp)
  uint64_t max_pixels = uint64_t(1) << 28;    // files claiming more pixels are refused before decoding
};

// Opens, by what the path holds: a folder of images (class sub-folders or a labels CSV give labels),
// a CIFAR-10 / CIFAR-100 binary batch or folder, an STL-10 binary file or folder, or an IDX file
// (raw or .gz; the labels file beside it is found by name). Bad files are reported in
// ImageSet::bad (path and reason, byte offset for truncated binaries) and skipped.
// Throws std::runtime_error when nothing usable is found.
ImageSet load_images(const std::string& path, const LoadOptions& options = {});

ImageSet load_folder(const std::string& dir, const LoadOptions& options);
ImageSet load_idx(const std::string& images_file, const std::string& labels_file,
                  const LoadOptions& options);
// CIFAR-10 (1 label byte + 3072) or CIFAR-100 (coarse + fine label bytes + 3072) records; one set
// from several batch files (data_batch_1..5). Class names from batches.meta.txt / fine_label_names.txt
// beside the files when present.
ImageSet load_cifar(const std::vector<std::string>& files, bool cifar100, const LoadOptions& options);
// STL-10 *_X.bin (96x96x3, column-major planes) with its *_y.bin (labels 1..10) when given.
ImageSet load_stl10(const std::vector<std::string>& image_files, const std::vector<std::string>& label_files,
                    const LoadOptions& options);

// Indices of an evenly spread subset: deterministic and, for class-sorted sources, balanced.
std::vector<size_t> spread_indices(size_t total, size_t limit);

}  // namespace pretext
