#include "engine/data/image_set.h"

#include <algorithm>
#include <cctype>
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
  out.format = format;
  out.scanned = scanned;
  out.pixels = pixels;  // keeps the mapping threshold; resize below gives fresh storage
  out.pixels.resize(indices.size() * image_bytes());
  for (size_t j = 0; j < indices.size(); ++j) {
    const size_t i = indices[j];
    std::memcpy(out.pixels.data() + j * image_bytes(), image(i), image_bytes());
    out.sources.push_back(sources[i]);
    if (i < original.size()) out.original.push_back(original[i]);
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

namespace {
namespace fs = std::filesystem;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> existing(const fs::path& dir, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& n : names)
    if (fs::exists(dir / n, ec)) out.push_back((dir / n).string());
  return out;
}

// STL-10 folder (stl10_binary): the split chooses the files; labels ride along where they exist.
ImageSet open_stl10_folder(const fs::path& dir, const LoadOptions& o) {
  const std::string split = o.split.empty() ? "train" : o.split;
  std::vector<std::string> parts;
  if (split == "train+unlabeled") parts = {"train", "unlabeled"};
  else if (split == "train" || split == "test" || split == "unlabeled") parts = {split};
  else throw std::runtime_error("unknown STL-10 split '" + split + "' (train, test, unlabeled, train+unlabeled)");
  std::vector<std::string> xs, ys;
  std::error_code ec;
  for (const auto& p : parts) {
    const fs::path x = dir / (p + "_X.bin"), y = dir / (p + "_y.bin");
    if (!fs::exists(x, ec)) throw std::runtime_error("STL-10 split '" + p + "' missing: " + x.string());
    xs.push_back(x.string());
    ys.push_back(fs::exists(y, ec) ? y.string() : "");
  }
  return load_stl10(xs, ys, o);
}

ImageSet open_cifar_folder(const fs::path& dir, bool cifar100, const LoadOptions& o) {
  const std::string split = o.split.empty() ? "train" : o.split;
  std::vector<std::string> files;
  if (cifar100) {
    if (split != "train" && split != "test") throw std::runtime_error("CIFAR-100 splits are train and test");
    files = existing(dir, {split + ".bin"});
  } else if (split == "train") {
    files = existing(dir, {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                           "data_batch_5.bin"});
  } else if (split == "test") {
    files = existing(dir, {"test_batch.bin"});
  } else {
    throw std::runtime_error("CIFAR-10 splits are train and test");
  }
  if (files.empty()) throw std::runtime_error("no CIFAR " + split + " files in " + dir.string());
  ImageSet s = load_cifar(files, cifar100, o);
  s.origin = dir.string();
  return s;
}

}  // namespace

ImageSet load_images(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) {
    // Binary dataset folders are recognised by their file names; anything else is an image folder.
    if (fs::exists(p / "data_batch_1.bin", ec) || fs::exists(p / "test_batch.bin", ec))
      return open_cifar_folder(p, false, options);
    if ((fs::exists(p / "train.bin", ec) || fs::exists(p / "test.bin", ec)) && fs::exists(p / "fine_label_names.txt", ec))
      return open_cifar_folder(p, true, options);
    if (fs::exists(p / "train_X.bin", ec) || fs::exists(p / "unlabeled_X.bin", ec) || fs::exists(p / "test_X.bin", ec))
      return open_stl10_folder(p, options);
    return load_folder(path, options);
  }
  if (!fs::exists(p, ec)) throw std::runtime_error("no such file or folder: " + path);
  const std::string name = lower(p.filename().string());
  if (name.find("idx3-ubyte") != std::string::npos || name.find("images-idx") != std::string::npos) {
    // MNIST naming: train-images-idx3-ubyte[.gz] pairs with train-labels-idx1-ubyte[.gz].
    std::string labels = path;
    const auto pos = labels.rfind("images-idx3");
    if (pos != std::string::npos) labels.replace(pos, 11, "labels-idx1");
    if (labels == path || !fs::exists(labels, ec)) labels.clear();
    return load_idx(path, labels, options);
  }
  if (ends_with(name, ".gz") || ends_with(name, "-ubyte")) return load_idx(path, "", options);
  if (ends_with(name, "_x.bin")) {
    std::string labels = path.substr(0, path.size() - 6) + "_y.bin";
    if (!fs::exists(labels, ec)) labels.clear();
    return load_stl10({path}, {labels}, options);
  }
  if (ends_with(name, ".bin")) {
    // CIFAR: the file name tells the variant (data_batch_N / test_batch: CIFAR-10; train / test:
    // CIFAR-100); otherwise the record size that divides the file.
    bool cifar100;
    if (name.rfind("data_batch", 0) == 0 || name.rfind("test_batch", 0) == 0) cifar100 = false;
    else if (name == "train.bin" || name == "test.bin") cifar100 = true;
    else {
      const auto size = fs::file_size(p, ec);
      const bool ten = size % 3073 == 0, hundred = size % 3074 == 0;
      if (ten == hundred)
        throw std::runtime_error(path + ": cannot tell CIFAR-10 from CIFAR-100 by size (" + std::to_string(size) +
                                 " bytes); name it data_batch_N.bin or train.bin");
      cifar100 = hundred;
    }
    return load_cifar({path}, cifar100, options);
  }
  throw std::runtime_error("unsupported dataset: " + path +
                           " (expected a folder of images, a CIFAR / STL-10 .bin file or folder, or an IDX file)");
}

}  // namespace pretext
