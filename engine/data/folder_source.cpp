#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "engine/core/parallel.h"
#include "engine/data/image_set.h"

namespace pretext {
namespace fs = std::filesystem;

namespace {

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* kExts[] = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"};
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}

// Decodes to 8-bit RGB (alpha composited on black, 16-bit scaled), or returns an empty Mat with a reason.
cv::Mat decode_rgb(const std::string& path, std::string& reason) {
  std::error_code ec;
  const auto bytes = fs::file_size(path, ec);
  if (ec) {
    reason = "cannot read: " + ec.message();
    return {};
  }
  if (bytes == 0) {
    reason = "empty file";
    return {};
  }
  cv::Mat m;
  try {
    m = cv::imread(path, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    reason = std::string("decoder error: ") + e.what();
    return {};
  }
  if (m.empty()) {
    reason = "not a decodable image (corrupt, truncated or unsupported format)";
    return {};
  }
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257.0);
  else if (m.depth() != CV_8U) m.convertTo(m, CV_8U);
  cv::Mat rgb;
  switch (m.channels()) {
    case 1: cv::cvtColor(m, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB); break;
    case 4: {
      cv::Mat bgra[4];
      cv::split(m, bgra);
      cv::Mat bgr;
      cv::merge(bgra, 3, bgr);
      cv::Mat alpha;
      cv::cvtColor(bgra[3], alpha, cv::COLOR_GRAY2BGR);
      bgr.convertTo(bgr, CV_32F);
      alpha.convertTo(alpha, CV_32F, 1.0 / 255.0);
      cv::multiply(bgr, alpha, bgr);
      bgr.convertTo(bgr, CV_8U);
      cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
      break;
    }
    default: reason = "unsupported channel count " + std::to_string(m.channels()); return {};
  }
  return rgb;
}

}  // namespace

ImageSet load_folder(const std::string& dir, const LoadOptions& options) {
  std::vector<fs::path> files;
  std::error_code ec;
  ImageSet set;
  set.origin = dir;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && is_image_file(it->path())) files.push_back(it->path());
  }
  if (ec) set.bad.push_back({dir, "scan stopped early: " + ec.message()});
  std::sort(files.begin(), files.end());

  // Class = first path component below the root, when every image lives in a sub-folder.
  const fs::path root(dir);
  bool labelled = !files.empty();
  std::vector<std::string> class_of(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    const fs::path rel = files[i].lexically_relative(root);
    if (std::distance(rel.begin(), rel.end()) < 2) labelled = false;
    else class_of[i] = rel.begin()->string();
  }
  if (labelled) {
    for (const auto& c : class_of) set.class_names.push_back(c);
    std::sort(set.class_names.begin(), set.class_names.end());
    set.class_names.erase(std::unique(set.class_names.begin(), set.class_names.end()), set.class_names.end());
  }

  const auto pick = spread_indices(files.size(), options.limit);
  std::vector<cv::Mat> decoded(pick.size());
  std::vector<std::string> reasons(pick.size());
  parallel_for(pick.size(), [&](size_t j) { decoded[j] = decode_rgb(files[pick[j]].string(), reasons[j]); },
               options.threads);

  int h = options.resize, w = options.resize;
  if (h <= 0) {
    for (const auto& m : decoded) {
      if (!m.empty()) {
        h = m.rows;
        w = m.cols;
        break;
      }
    }
  }
  if (h <= 0) throw std::runtime_error("no readable image in " + dir);
  set.height = h;
  set.width = w;
  set.channels = 3;
  size_t good = 0;
  for (const auto& m : decoded) good += !m.empty();
  set.pixels.resize(good * set.image_bytes());
  for (size_t j = 0, out = 0; j < pick.size(); ++j) {
    const std::string path = files[pick[j]].string();
    if (decoded[j].empty()) {
      set.bad.push_back({path, reasons[j]});
      continue;
    }
    cv::Mat img = decoded[j];
    if (img.rows != h || img.cols != w) {
      cv::resize(img, img, cv::Size(w, h), 0, 0, img.rows > h ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    if (!img.isContinuous()) img = img.clone();
    std::memcpy(set.pixels.data() + out * set.image_bytes(), img.data, set.image_bytes());
    set.sources.push_back(path);
    if (labelled) {
      const auto c = std::lower_bound(set.class_names.begin(), set.class_names.end(), class_of[pick[j]]);
      set.labels.push_back(static_cast<int>(c - set.class_names.begin()));
    }
    ++out;
  }
  if (set.size() == 0) throw std::runtime_error("no readable image in " + dir);
  return set;
}

}  // namespace pretext
