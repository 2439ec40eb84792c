// Folders of image files: recursive scan, labels from class sub-folders or a `path,label` CSV,
// parallel decode, one common size.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "engine/core/parallel.h"
#include "engine/data/decode.h"
#include "engine/data/image_set.h"

namespace pretext {
namespace fs = std::filesystem;

namespace {

bool is_image_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* kExts[] = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"};
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}

std::string trim(std::string s) {
  const char* ws = " \t\r\n\"";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

// `path,label` per line; an optional header line; paths relative to the folder or absolute. The
// last comma splits, so paths may contain commas.
std::map<std::string, std::string> read_labels_csv(const fs::path& csv, const fs::path& root, std::vector<BadFile>& bad) {
  std::ifstream in(csv);
  if (!in) throw std::runtime_error("cannot open labels file " + csv.string());
  std::map<std::string, std::string> out;
  std::string line;
  for (int no = 1; std::getline(in, line); ++no) {
    if (trim(line).empty()) continue;
    const auto comma = line.rfind(',');
    if (comma == std::string::npos) {
      bad.push_back({csv.string() + ":" + std::to_string(no), "labels line has no comma (expected path,label)"});
      continue;
    }
    const std::string path = trim(line.substr(0, comma)), label = trim(line.substr(comma + 1));
    if (no == 1 && (label == "label" || label == "class")) continue;
    if (path.empty() || label.empty()) {
      bad.push_back({csv.string() + ":" + std::to_string(no), "labels line with an empty path or label"});
      continue;
    }
    const fs::path p = fs::path(path).is_absolute() ? fs::path(path) : root / path;
    const std::string key = p.lexically_normal().string();
    const auto [it, fresh] = out.emplace(key, label);
    if (!fresh && it->second != label)
      bad.push_back({key, "labelled twice in " + csv.filename().string() + " ('" + it->second + "' and '" + label +
                              "'); the first is kept"});
  }
  return out;
}

}  // namespace

ImageSet load_folder(const std::string& dir, const LoadOptions& options) {
  std::vector<fs::path> files;
  std::error_code ec;
  ImageSet set;
  set.pixels = PixelStore(options.mmap_above_bytes);
  set.pixels.scratch_dir = options.scratch_dir;
  set.origin = dir;
  set.format = "folder";
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    // Image names that are not regular files (broken links, FIFOs) are reported, not opened: reading
    // a FIFO would block the scan forever.
    if (is_image_name(it->path()) && !it->is_directory(e2)) files.push_back(it->path());
  }
  if (ec) set.bad.push_back({dir, "scan stopped early: " + ec.message()});
  std::sort(files.begin(), files.end());

  const fs::path root(dir);
  std::vector<std::string> class_of(files.size());
  bool labelled = false;
  fs::path csv = options.labels_csv.empty() ? root / "labels.csv" : fs::path(options.labels_csv);
  if (!options.labels_csv.empty() || fs::is_regular_file(csv, ec)) {
    const auto table = read_labels_csv(csv, root, set.bad);
    std::map<std::string, bool> seen;
    for (size_t i = 0; i < files.size(); ++i) {
      const auto it = table.find(files[i].lexically_normal().string());
      if (it != table.end()) {
        class_of[i] = it->second;
        seen[it->first] = true;
      }
    }
    for (const auto& [path, label] : table)
      if (!seen.count(path)) set.bad.push_back({path, "listed in " + csv.filename().string() + " (label '" + label +
                                                          "') but no such image in the folder"});
    labelled = !table.empty();
  } else {
    // Class = first path component below the root, when every image lives in a sub-folder.
    labelled = !files.empty();
    for (size_t i = 0; i < files.size(); ++i) {
      const fs::path rel = files[i].lexically_relative(root);
      if (std::distance(rel.begin(), rel.end()) < 2) labelled = false;
      else class_of[i] = rel.begin()->string();
    }
  }
  if (labelled) {
    for (const auto& c : class_of)
      if (!c.empty()) set.class_names.push_back(c);
    std::sort(set.class_names.begin(), set.class_names.end());
    set.class_names.erase(std::unique(set.class_names.begin(), set.class_names.end()), set.class_names.end());
  }

  const auto pick = spread_indices(files.size(), options.limit);
  set.scanned = pick.size();
  std::vector<cv::Mat> decoded(pick.size());
  std::vector<std::string> reasons(pick.size());
  std::vector<ImageShape> shapes(pick.size());
  int h = options.resize, w = options.resize;
  // Decode in chunks and copy each chunk into the cache before the next is decoded, so a big folder
  // never holds every full-size photo at once. The cache is sized for every candidate; slots of bad
  // files stay unused at the end.
  const size_t chunk = 256;
  size_t out = 0;
  for (size_t start = 0; start < pick.size(); start += chunk) {
    const size_t end = std::min(pick.size(), start + chunk);
    parallel_for(end - start, [&](size_t j) {
      const size_t k = start + j;
      try {
        decoded[k] = decode_rgb(files[pick[k]].string(), options.max_pixels, reasons[k], &shapes[k]);
      } catch (const std::exception& e) {  // e.g. std::bad_alloc on a hostile file: one file, not the scan
        decoded[k].release();
        reasons[k] = std::string("decoder failed: ") + e.what();
      }
    }, options.threads);
    for (size_t k = start; k < end; ++k) {
      const std::string path = files[pick[k]].string();
      if (decoded[k].empty()) {
        set.bad.push_back({path, reasons[k]});
        continue;
      }
      if (h <= 0) {
        h = decoded[k].rows;
        w = decoded[k].cols;
      }
      if (set.pixels.size() == 0) {
        set.height = h;
        set.width = w;
        set.channels = 3;
        set.pixels.resize((pick.size() - k) * set.image_bytes());
      }
      cv::Mat img = decoded[k];
      decoded[k].release();
      cv::Mat dst(h, w, CV_8UC3, set.pixels.data() + out * set.image_bytes());
      if (img.rows != h || img.cols != w)
        cv::resize(img, dst, cv::Size(w, h), 0, 0, img.rows > h ? cv::INTER_AREA : cv::INTER_LINEAR);
      else
        img.copyTo(dst);
      set.sources.push_back(path);
      set.original.push_back(shapes[k]);
      if (labelled) {
        const std::string& c = class_of[pick[k]];
        const auto pos = std::lower_bound(set.class_names.begin(), set.class_names.end(), c);
        set.labels.push_back(c.empty() ? -1 : static_cast<int>(pos - set.class_names.begin()));
      }
      ++out;
    }
  }
  if (out == 0) {
    std::string why = "no readable image in " + dir;
    if (!set.bad.empty()) why += " (" + set.bad.front().path + ": " + set.bad.front().reason + ")";
    throw std::runtime_error(why);
  }
  return set;
}

}  // namespace pretext
