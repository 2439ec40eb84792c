#include "engine/data/image_set.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace pretext {

bool ImageSet::has_labels() const {
  return std::any_of(labels.begin(), labels.end(), [](int l) { return l >= 0; });
}

ImageSet ImageSet::subset(const std::vector<size_t>& indices) const {
  ImageSet out;
  out.height = height;
  out.width = width;
  out.channels = channels;
  out.class_names = class_names;
  out.origin = origin;
  out.bad = bad;
  out.pixels.resize(indices.size() * image_bytes());
  for (size_t j = 0; j < indices.size(); ++j) {
    const size_t i = indices[j];
    std::memcpy(out.pixels.data() + j * image_bytes(), image(i), image_bytes());
    out.sources.push_back(sources[i]);
    if (!labels.empty()) out.labels.push_back(labels[i]);
  }
  return out;
}

std::vector<size_t> spread_indices(size_t total, size_t limit) {
  std::vector<size_t> idx;
  if (limit == 0 || limit >= total) {
    idx.resize(total);
    for (size_t i = 0; i < total; ++i) idx[i] = i;
    return idx;
  }
  idx.reserve(limit);
  for (size_t j = 0; j < limit; ++j) idx.push_back(j * total / limit);
  return idx;
}

static bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ImageSet load_images(const std::string& path, const LoadOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return load_folder(path, options);
  if (!fs::exists(path, ec)) throw std::runtime_error("no such file or folder: " + path);
  const std::string name = fs::path(path).filename().string();
  if (name.find("idx3-ubyte") != std::string::npos || name.find("images-idx") != std::string::npos) {
    // MNIST naming: train-images-idx3-ubyte[.gz] pairs with train-labels-idx1-ubyte[.gz].
    std::string labels = path;
    const auto pos = labels.rfind("images-idx3");
    if (pos != std::string::npos) labels.replace(pos, 11, "labels-idx1");
    if (labels == path || !fs::exists(labels, ec)) labels.clear();
    return load_idx(path, labels, options);
  }
  if (ends_with(name, ".gz") || ends_with(name, "-ubyte")) return load_idx(path, "", options);
  throw std::runtime_error("unsupported dataset: " + path +
                           " (expected a folder of images or an IDX file)");
}

}  // namespace pretext
