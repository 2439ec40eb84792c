// MNIST-family IDX files: a big-endian header (magic 0x0000TTDD, then DD dimension sizes) followed
// by the raw array. Only unsigned bytes (type 0x08) are images; labels are 1-D byte arrays.
#include <zlib.h>

#include <cstring>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "engine/data/image_set.h"

namespace pretext {
namespace {

std::vector<uint8_t> read_maybe_gz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files unchanged, too
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<uint8_t> data;
  uint8_t buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) data.insert(data.end(), buf, buf + n);
  int err = 0;
  const char* msg = gzerror(f, &err);
  std::string why = (n < 0 || (err != Z_OK && err != Z_BUF_ERROR)) ? msg : "";
  gzclose(f);
  if (!why.empty()) throw std::runtime_error(path + ": decompression failed after " +
                                             std::to_string(data.size()) + " bytes: " + why);
  return data;
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

struct IdxArray {
  std::vector<uint32_t> dims;
  size_t offset = 0;  // of the first data byte
};

IdxArray parse_header(const std::vector<uint8_t>& d, const std::string& path) {
  if (d.size() < 4) throw std::runtime_error(path + ": too short for an IDX header");
  if (d[0] != 0 || d[1] != 0) throw std::runtime_error(path + ": bad IDX magic");
  if (d[2] != 0x08) throw std::runtime_error(path + ": IDX element type " + std::to_string(d[2]) +
                                             " unsupported (only unsigned byte)");
  IdxArray a;
  const int nd = d[3];
  if (nd < 1 || nd > 4 || d.size() < 4 + 4 * size_t(nd)) throw std::runtime_error(path + ": bad IDX dimensions");
  for (int i = 0; i < nd; ++i) a.dims.push_back(be32(&d[4 + 4 * i]));
  a.offset = 4 + 4 * size_t(nd);
  return a;
}

// Refuses an image shape no IDX image file has, before any size is computed from it: a zero side,
// more pixels than the load allows, or channels other than 1 or 3.
void check_image_shape(const IdxArray& a, const std::string& path, uint64_t max_pixels) {
  if (a.dims.size() < 3) throw std::runtime_error(path + ": IDX images need 3 dimensions");
  const uint64_t h = a.dims[1], w = a.dims[2], c = a.dims.size() > 3 ? a.dims[3] : 1;
  const std::string shape = std::to_string(h) + " x " + std::to_string(w);
  if (h == 0 || w == 0) throw std::runtime_error(path + ": IDX images of " + shape + " pixels");
  if (h * w > max_pixels)
    throw std::runtime_error(path + ": IDX images of " + shape + " pixels, over the limit of " +
                             std::to_string(max_pixels) + " pixels an image");
  if (c != 1 && c != 3) throw std::runtime_error(path + ": IDX images with " + std::to_string(c) + " channels (1 or 3 are read)");
}

}  // namespace

ImageSet load_idx(const std::string& images_file, const std::string& labels_file, const LoadOptions& options) {
  const auto data = read_maybe_gz(images_file);
  const IdxArray a = parse_header(data, images_file);
  check_image_shape(a, images_file, options.max_pixels);
  size_t n = a.dims[0];
  const int h = static_cast<int>(a.dims[1]), w = static_cast<int>(a.dims[2]);
  const int c = a.dims.size() > 3 ? static_cast<int>(a.dims[3]) : 1;
  const size_t bytes = size_t(h) * w * c;
  ImageSet set;
  set.pixels = PixelStore(options.mmap_above_bytes);
  set.pixels.scratch_dir = options.scratch_dir;
  set.origin = images_file;
  set.format = "idx";
  const size_t available = (data.size() - a.offset) / bytes;
  if (available < n) {
    set.bad.push_back({images_file, "truncated: header says " + std::to_string(n) + " images, data ends at byte offset " +
                                        std::to_string(data.size()) + " after " + std::to_string(available)});
    n = available;
  }
  std::vector<uint8_t> labels;
  if (!labels_file.empty()) {
    const auto ld = read_maybe_gz(labels_file);
    const IdxArray la = parse_header(ld, labels_file);
    labels.assign(ld.begin() + la.offset, ld.end());
    if (labels.size() < n) set.bad.push_back({labels_file, "only " + std::to_string(labels.size()) + " labels for " +
                                                               std::to_string(n) + " images"});
  }
  set.scanned = n;
  const auto pick = spread_indices(n, options.limit);
  set.original.assign(pick.size(), ImageShape{h, w, c, 8});
  const int oh = options.resize > 0 ? options.resize : h, ow = options.resize > 0 ? options.resize : w;
  set.height = oh;
  set.width = ow;
  set.channels = c;
  set.pixels.resize(pick.size() * set.image_bytes());
  int max_label = -1;
  for (size_t j = 0; j < pick.size(); ++j) {
    const uint8_t* src = data.data() + a.offset + pick[j] * bytes;
    uint8_t* dst = set.pixels.data() + j * set.image_bytes();
    if (oh == h && ow == w) {
      std::memcpy(dst, src, bytes);
    } else {
      cv::Mat in(h, w, CV_8UC(c), const_cast<uint8_t*>(src)), out(oh, ow, CV_8UC(c), dst);
      cv::resize(in, out, out.size(), 0, 0, cv::INTER_LINEAR);
    }
    set.sources.push_back(images_file + "#" + std::to_string(pick[j]));
    if (!labels.empty()) {
      const int l = pick[j] < labels.size() ? labels[pick[j]] : -1;
      set.labels.push_back(l);
      max_label = std::max(max_label, l);
    }
  }
  // IDX files carry no class names; Fashion-MNIST's are well known, so name them for the plots.
  static const char* kFashion[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  const bool fashion = images_file.find("fashion") != std::string::npos && max_label <= 9;
  for (int l = 0; l <= max_label; ++l) set.class_names.push_back(fashion ? kFashion[l] : std::to_string(l));
  if (set.size() == 0) throw std::runtime_error(images_file + ": no images");
  return set;
}

}  // namespace pretext
