#include "engine/export/tables.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "engine/data/image_mat.h"

namespace pretext {
namespace {

std::ofstream open_out(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  return out;
}

void close_checked(std::ofstream& out, const std::string& path) {
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path + " (disk full?)");
}

// RFC 4180: quote a field that holds a comma, quote or line break; double the quotes inside.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// TSV has no quoting: tabs and line breaks inside a field would shift columns.
std::string tsv_field(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

// Shortest text that reads back to the same float (max_digits10).
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string class_of(const EmbeddingTable& t, size_t i) {
  if (t.labels.empty() || t.labels[i] < 0) return "";
  const auto l = static_cast<size_t>(t.labels[i]);
  return l < t.class_names.size() ? t.class_names[l] : std::to_string(l);
}

void check(const EmbeddingTable& t) {
  if (t.values.size() != t.n * t.dim) throw std::invalid_argument("embedding table: values is not n x dim");
  if (!t.labels.empty() && t.labels.size() != t.n) throw std::invalid_argument("embedding table: one label per row");
  if (t.image_index.size() != t.n) throw std::invalid_argument("embedding table: one image index per row");
}

}  // namespace

size_t write_metrics_csv(Store& store, int64_t run, const std::string& path) {
  if (!store.run(run)) throw std::runtime_error("no run " + std::to_string(run));
  auto out = open_out(path);
  out << "step,name,value\n";
  size_t rows = 0;
  for (const auto& name : store.metric_names(run)) {
    for (const auto& [step, value] : store.metric(run, name)) {
      out << step << ',' << csv_field(name) << ',' << num(value) << '\n';
      ++rows;
    }
  }
  close_checked(out, path);
  return rows;
}

void write_embeddings_csv(const EmbeddingTable& t, const std::string& path) {
  check(t);
  auto out = open_out(path);
  out << "index,label,class,source";
  for (size_t k = 0; k < t.dim; ++k) out << ",f" << k;
  out << '\n';
  for (size_t i = 0; i < t.n; ++i) {
    out << t.image_index[i] << ',' << (t.labels.empty() ? -1 : t.labels[i]) << ',' << csv_field(class_of(t, i)) << ','
        << csv_field(t.sources.empty() ? "" : t.sources[i]);
    for (size_t k = 0; k < t.dim; ++k) out << ',' << num(t.values[i * t.dim + k]);
    out << '\n';
  }
  close_checked(out, path);
}

void write_sprite(const ImageSet& images, const std::vector<int64_t>& indices, int side, const std::string& path) {
  if (indices.empty()) throw std::invalid_argument("sprite: no images");
  const int cols = static_cast<int>(std::ceil(std::sqrt(double(indices.size()))));
  const int rows = static_cast<int>((indices.size() + cols - 1) / cols);
  cv::Mat sheet(rows * side, cols * side, CV_8UC3, cv::Scalar(255, 255, 255));
  for (size_t i = 0; i < indices.size(); ++i) {
    const auto idx = static_cast<size_t>(indices[i]);
    if (idx >= images.size()) throw std::out_of_range("sprite: image index out of range");
    cv::Mat img = image_mat(images, idx), bgr, small;
    // The cache holds RGB (or gray); imwrite wants BGR.
    if (images.channels == 1) cv::cvtColor(img, bgr, cv::COLOR_GRAY2BGR);
    else if (images.channels == 4) cv::cvtColor(img, bgr, cv::COLOR_RGBA2BGR);
    else cv::cvtColor(img, bgr, cv::COLOR_RGB2BGR);
    cv::resize(bgr, small, cv::Size(side, side), 0, 0, cv::INTER_AREA);
    const int r = static_cast<int>(i) / cols, c = static_cast<int>(i) % cols;
    small.copyTo(sheet(cv::Rect(c * side, r * side, side, side)));
  }
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  if (!cv::imwrite(path, sheet)) throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> write_projector(const EmbeddingTable& t, const ImageSet* images, const std::string& folder) {
  check(t);
  namespace fs = std::filesystem;
  fs::create_directories(folder);
  std::vector<std::string> files;
  const std::string vectors = (fs::path(folder) / "vectors.tsv").string();
  {
    auto out = open_out(vectors);
    for (size_t i = 0; i < t.n; ++i) {
      for (size_t k = 0; k < t.dim; ++k) out << (k ? "\t" : "") << num(t.values[i * t.dim + k]);
      out << '\n';
    }
    close_checked(out, vectors);
    files.push_back(vectors);
  }
  const std::string metadata = (fs::path(folder) / "metadata.tsv").string();
  {
    // With more than one column the projector wants a header row.
    auto out = open_out(metadata);
    out << "index\tlabel\tclass\n";
    for (size_t i = 0; i < t.n; ++i)
      out << t.image_index[i] << '\t' << (t.labels.empty() ? -1 : t.labels[i]) << '\t' << tsv_field(class_of(t, i)) << '\n';
    close_checked(out, metadata);
    files.push_back(metadata);
  }
  // TensorBoard caps the sprite at 8192 x 8192 pixels.
  int side = 0;
  if (images && t.n > 0) {
    const int cols = static_cast<int>(std::ceil(std::sqrt(double(t.n))));
    side = std::max(8, std::min(std::max(images->width, images->height), 8192 / cols));
    const std::string sprite = (fs::path(folder) / "sprite.png").string();
    write_sprite(*images, t.image_index, side, sprite);
    files.push_back(sprite);
  }
  const std::string config = (fs::path(folder) / "projector_config.pbtxt").string();
  {
    auto out = open_out(config);
    out << "embeddings {\n  tensor_name: \"pretext\"\n  tensor_path: \"vectors.tsv\"\n  metadata_path: \"metadata.tsv\"\n";
    if (side > 0)
      out << "  sprite {\n    image_path: \"sprite.png\"\n    single_image_dim: " << side << "\n    single_image_dim: " << side
          << "\n  }\n";
    out << "}\n";
    close_checked(out, config);
    files.push_back(config);
  }
  return files;
}

}  // namespace pretext
