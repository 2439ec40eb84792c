#include "engine/data/summary.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace pretext {

DatasetSummary summarize(const ImageSet& set, size_t max_images) {
  DatasetSummary s;
  s.origin = set.origin;
  s.format = set.format;
  s.images = set.size();
  s.scanned = set.scanned;
  s.height = set.height;
  s.width = set.width;
  s.channels = set.channels;
  s.bad = set.bad;
  s.memory_mapped = set.pixels.mapped();
  for (const auto& o : set.original) {
    std::string size = std::to_string(o.height);  // appended, not chained: GCC 12 warns falsely on a + b + c
    size += 'x';
    size += std::to_string(o.width);
    ++s.original_sizes[size];
    std::string kind = o.channels == 1 ? "grey" : o.channels == 2 ? "grey+alpha" : o.channels == 3 ? "RGB" : "RGBA";
    if (o.bits != 8) {
      kind += ' ';
      kind += std::to_string(o.bits);
      kind += "-bit";
    }
    ++s.original_channels[kind];
  }
  s.class_names = set.class_names;
  s.class_counts.assign(set.class_names.size(), 0);
  if (set.labels.empty()) s.unlabelled = set.size();
  for (int l : set.labels) {
    if (l >= 0 && static_cast<size_t>(l) < s.class_counts.size()) ++s.class_counts[l];
    else ++s.unlabelled;
  }
  const int c = set.channels;
  std::vector<double> sum(c, 0), sq(c, 0);
  double count = 0;
  for (size_t i : spread_indices(set.size(), max_images)) {
    const uint8_t* p = set.image(i);
    const size_t px = static_cast<size_t>(set.height) * set.width;
    // Integer sums per image keep this exact and fast.
    std::vector<uint64_t> a(c, 0), b(c, 0);
    for (size_t k = 0; k < px; ++k)
      for (int ch = 0; ch < c; ++ch) {
        const uint64_t v = p[k * c + ch];
        a[ch] += v;
        b[ch] += v * v;
      }
    for (int ch = 0; ch < c; ++ch) {
      sum[ch] += double(a[ch]);
      sq[ch] += double(b[ch]);
    }
    count += double(px);
  }
  for (int ch = 0; ch < c && count > 0; ++ch) {
    const double m = sum[ch] / count / 255.0;
    const double var = sq[ch] / count / (255.0 * 255.0) - m * m;
    s.mean.push_back(m);
    s.std.push_back(std::sqrt(std::max(0.0, var)));
  }
  return s;
}

nlohmann::json DatasetSummary::to_json() const {
  nlohmann::json j;
  j["origin"] = origin;
  j["format"] = format;
  j["images"] = images;
  j["scanned"] = scanned;
  j["cache"] = {{"height", height}, {"width", width}, {"channels", channels}, {"memory_mapped", memory_mapped}};
  j["original_sizes"] = original_sizes;
  j["original_channels"] = original_channels;
  j["classes"] = nlohmann::json::array();
  for (size_t i = 0; i < class_names.size(); ++i)
    j["classes"].push_back({{"name", class_names[i]}, {"count", class_counts[i]}});
  j["unlabelled"] = unlabelled;
  j["mean"] = mean;
  j["std"] = std;
  j["bad"] = nlohmann::json::array();
  for (const auto& b : bad) j["bad"].push_back({{"path", b.path}, {"reason", b.reason}});
  return j;
}

std::string DatasetSummary::to_text() const {
  std::ostringstream o;
  o << std::fixed << std::setprecision(4);
  o << origin << " (" << format << ")\n";
  o << "images: " << images << " good of " << scanned << " scanned, " << bad.size() << " problem(s)\n";
  o << "cache: " << height << "x" << width << "x" << channels << (memory_mapped ? " (memory-mapped)" : "") << "\n";
  o << "original sizes:";
  for (const auto& [k, v] : original_sizes) o << " " << k << " (" << v << ")";
  o << "\noriginal channels:";
  for (const auto& [k, v] : original_channels) o << " " << k << " (" << v << ")";
  o << "\nclasses: " << class_names.size() << "\n";
  for (size_t i = 0; i < class_names.size(); ++i) o << "  " << class_names[i] << ": " << class_counts[i] << "\n";
  if (unlabelled) o << "  (unlabelled): " << unlabelled << "\n";
  o << "mean:";
  for (double m : mean) o << " " << m;
  o << "\nstd:";
  for (double s : std) o << " " << s;
  o << "\n";
  if (!bad.empty()) {
    o << "bad files:\n";
    for (const auto& b : bad) o << "  " << b.path << ": " << b.reason << "\n";
  }
  return o.str();
}

}  // namespace pretext
