// Fixed-record binary datasets: CIFAR-10 / CIFAR-100 (label bytes + 3x32x32 planar RGB) and STL-10
// (3x96x96 planes stored column-major, labels in a separate byte file). Source files are mapped,
// not read, so the 2.7 GB STL-10 unlabeled split costs no extra copy.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "engine/core/parallel.h"
#include "engine/data/image_set.h"

namespace pretext {
namespace fs = std::filesystem;

namespace {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      throw std::runtime_error(path + ": not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        close(fd);
        throw std::runtime_error("cannot map " + path + ": " + std::strerror(errno));
      }
      data_ = static_cast<const uint8_t*>(p);
    }
    close(fd);
  }
  ~MappedFile() {
    if (data_) munmap(const_cast<uint8_t*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

std::vector<std::string> read_lines(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Records a file holds in full; a partial tail is reported with the offset where it starts.
size_t whole_records(const std::string& path, size_t bytes, size_t record, std::vector<BadFile>& bad) {
  const size_t n = bytes / record;
  if (bytes % record != 0)
    bad.push_back({path, "truncated: " + std::to_string(bytes % record) + " stray bytes at byte offset " +
                             std::to_string(n * record) + " (records are " + std::to_string(record) +
                             " bytes; " + std::to_string(n) + " whole records kept)"});
  return n;
}

void store_image(ImageSet& set, size_t slot, const cv::Mat& hwc, int h, int w) {
  cv::Mat dst(set.height, set.width, CV_8UC3, set.pixels.data() + slot * set.image_bytes());
  if (h == set.height && w == set.width) hwc.copyTo(dst);
  else cv::resize(hwc, dst, dst.size(), 0, 0, set.height < h ? cv::INTER_AREA : cv::INTER_LINEAR);
}

void init_set(ImageSet& set, const LoadOptions& o, int h, int w) {
  set.pixels = PixelStore(o.mmap_above_bytes);
  set.pixels.scratch_dir = o.scratch_dir;
  set.height = o.resize > 0 ? o.resize : h;
  set.width = o.resize > 0 ? o.resize : w;
  set.channels = 3;
}

}  // namespace

ImageSet load_cifar(const std::vector<std::string>& files, bool cifar100, const LoadOptions& options) {
  constexpr int kSide = 32;
  constexpr size_t kPixels = 3 * kSide * kSide;
  const size_t label_bytes = cifar100 ? 2 : 1, record = label_bytes + kPixels;
  ImageSet set;
  init_set(set, options, kSide, kSide);
  set.format = cifar100 ? "cifar100" : "cifar10";
  set.origin = files.empty() ? "" : files.front();
  struct Part {
    std::unique_ptr<MappedFile> file;
    std::string name;
    size_t records = 0;
  };
  std::vector<Part> parts;
  size_t total = 0;
  for (const auto& f : files) {
    Part p;
    try {
      p.file = std::make_unique<MappedFile>(f);
    } catch (const std::exception& e) {
      set.bad.push_back({f, e.what()});
      continue;
    }
    if (p.file->size() == 0) {
      set.bad.push_back({f, "empty file (0 bytes)"});
      continue;
    }
    p.name = f;
    p.records = whole_records(f, p.file->size(), record, set.bad);
    total += p.records;
    parts.push_back(std::move(p));
  }
  set.scanned = total;
  const auto pick = spread_indices(total, options.limit);
  set.pixels.resize(pick.size() * set.image_bytes());
  set.labels.resize(pick.size());
  set.sources.resize(pick.size());
  set.original.assign(pick.size(), ImageShape{kSide, kSide, 3, 8});
  std::vector<std::pair<size_t, size_t>> where(pick.size());  // (part, record)
  for (size_t j = 0, part = 0, base = 0; j < pick.size(); ++j) {
    while (pick[j] >= base + parts[part].records) base += parts[part++].records;
    where[j] = {part, pick[j] - base};
  }
  int max_label = -1;
  for (size_t j = 0; j < pick.size(); ++j) {
    const auto [part, r] = where[j];
    const uint8_t* rec = parts[part].file->data() + r * record;
    set.labels[j] = rec[label_bytes - 1];  // CIFAR-100: the fine label (the second byte)
    max_label = std::max(max_label, set.labels[j]);
    set.sources[j] = parts[part].name + "#" + std::to_string(r);
  }
  parallel_for(pick.size(), [&](size_t j) {
    const auto [part, r] = where[j];
    const uint8_t* px = parts[part].file->data() + r * record + label_bytes;
    cv::Mat planes[3] = {cv::Mat(kSide, kSide, CV_8U, const_cast<uint8_t*>(px)),
                         cv::Mat(kSide, kSide, CV_8U, const_cast<uint8_t*>(px + kSide * kSide)),
                         cv::Mat(kSide, kSide, CV_8U, const_cast<uint8_t*>(px + 2 * kSide * kSide))};
    cv::Mat hwc;
    cv::merge(planes, 3, hwc);
    store_image(set, j, hwc, kSide, kSide);
  }, options.threads);
  const fs::path dir = files.empty() ? fs::path() : fs::path(files.front()).parent_path();
  auto names = read_lines(dir / (cifar100 ? "fine_label_names.txt" : "batches.meta.txt"));
  if (names.empty() && !cifar100)
    names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  const int classes = cifar100 ? 100 : 10;
  if (max_label >= classes)
    set.bad.push_back({set.origin, "label " + std::to_string(max_label) + " out of range for " + set.format +
                                       ": not a " + set.format + " file?"});
  for (int l = 0; l < std::max(classes, max_label + 1); ++l)
    set.class_names.push_back(l < static_cast<int>(names.size()) ? names[l] : std::to_string(l));
  if (set.size() == 0) throw std::runtime_error((set.origin.empty() ? std::string("CIFAR") : set.origin) +
                                                ": no whole record" + (set.bad.empty() ? "" : " (" + set.bad.front().reason + ")"));
  return set;
}

ImageSet load_stl10(const std::vector<std::string>& image_files, const std::vector<std::string>& label_files,
                    const LoadOptions& options) {
  constexpr int kSide = 96;
  constexpr size_t kRecord = 3 * kSide * kSide;
  ImageSet set;
  init_set(set, options, kSide, kSide);
  set.format = "stl10";
  set.origin = image_files.empty() ? "" : image_files.front();
  std::vector<std::unique_ptr<MappedFile>> maps;
  std::vector<size_t> counts;
  std::vector<std::string> names;
  std::vector<int> labels;  // -1 for unlabeled files
  bool any_labels = false;
  for (size_t f = 0; f < image_files.size(); ++f) {
    std::unique_ptr<MappedFile> m;
    try {
      m = std::make_unique<MappedFile>(image_files[f]);
    } catch (const std::exception& e) {
      set.bad.push_back({image_files[f], e.what()});
      continue;
    }
    if (m->size() == 0) {
      set.bad.push_back({image_files[f], "empty file (0 bytes)"});
      continue;
    }
    const size_t n = whole_records(image_files[f], m->size(), kRecord, set.bad);
    const std::string lf = f < label_files.size() ? label_files[f] : "";
    std::vector<int> file_labels(n, -1);
    if (!lf.empty()) {
      try {
        MappedFile lm(lf);
        if (lm.size() < n)
          set.bad.push_back({lf, "only " + std::to_string(lm.size()) + " labels for " + std::to_string(n) +
                                     " images (file ends at byte offset " + std::to_string(lm.size()) + ")"});
        for (size_t i = 0; i < n && i < lm.size(); ++i) {
          const int l = lm.data()[i];
          if (l < 1 || l > 10) {
            set.bad.push_back({lf + "#" + std::to_string(i), "label " + std::to_string(l) + " outside 1..10"});
            continue;
          }
          file_labels[i] = l - 1;
          any_labels = true;
        }
      } catch (const std::exception& e) {
        set.bad.push_back({lf, e.what()});
      }
    }
    labels.insert(labels.end(), file_labels.begin(), file_labels.end());
    counts.push_back(n);
    names.push_back(image_files[f]);
    maps.push_back(std::move(m));
  }
  size_t total = 0;
  for (size_t c : counts) total += c;
  set.scanned = total;
  const auto pick = spread_indices(total, options.limit);
  set.pixels.resize(pick.size() * set.image_bytes());
  std::vector<std::pair<size_t, size_t>> where(pick.size());
  for (size_t j = 0, part = 0, base = 0; j < pick.size(); ++j) {
    while (pick[j] >= base + counts[part]) base += counts[part++];
    where[j] = {part, pick[j] - base};
    set.sources.push_back(names[part] + "#" + std::to_string(pick[j] - base));
    if (any_labels) set.labels.push_back(labels[pick[j]]);
  }
  set.original.assign(pick.size(), ImageShape{kSide, kSide, 3, 8});
  parallel_for(pick.size(), [&](size_t j) {
    const uint8_t* px = maps[where[j].first]->data() + where[j].second * kRecord;
    // Byte (c, x, y) of the record is channel c of pixel row y, column x (MATLAB column-major order).
    cv::Mat hwc(kSide, kSide, CV_8UC3);
    for (int y = 0; y < kSide; ++y) {
      uint8_t* row = hwc.ptr<uint8_t>(y);
      for (int x = 0; x < kSide; ++x)
        for (int c = 0; c < 3; ++c) row[x * 3 + c] = px[c * kSide * kSide + x * kSide + y];
    }
    store_image(set, j, hwc, kSide, kSide);
  }, options.threads);
  if (any_labels) {
    const fs::path dir = fs::path(set.origin).parent_path();
    auto cls = read_lines(dir / "class_names.txt");
    if (cls.size() < 10) cls = {"airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"};
    cls.resize(10);
    set.class_names = cls;
  }
  if (set.size() == 0) throw std::runtime_error((set.origin.empty() ? std::string("STL-10") : set.origin) +
                                                ": no whole image" + (set.bad.empty() ? "" : " (" + set.bad.front().reason + ")"));
  return set;
}

}  // namespace pretext
