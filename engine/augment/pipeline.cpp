#include "engine/augment/pipeline.h"

#include <fstream>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "engine/augment/presets.h"

namespace pretext {
using nlohmann::json;

const std::vector<std::string>& known_ops() {
  static const std::vector<std::string> ops = {"random_resized_crop", "hflip", "vflip", "color_jitter",
                                               "grayscale", "gaussian_blur", "solarize"};
  return ops;
}

Pipeline Pipeline::from_json(const json& j) {
  Pipeline p;
  p.name = j.value("name", "custom");
  if (j.contains("normalize") && j["normalize"].is_object()) {
    p.mean = j["normalize"].value("mean", std::vector<double>{});
    p.std = j["normalize"].value("std", std::vector<double>{});
  }
  if (!j.contains("views") || !j["views"].is_array() || j["views"].empty())
    throw std::runtime_error("pipeline '" + p.name + "' has no views");
  for (const auto& jv : j["views"]) {
    ViewSpec v;
    v.size = jv.value("size", 0);
    for (const auto& jo : jv.at("ops")) {
      OpSpec o;
      o.op = jo.at("op").get<std::string>();
      if (std::find(known_ops().begin(), known_ops().end(), o.op) == known_ops().end())
        throw std::runtime_error("unknown augmentation op '" + o.op + "'");
      o.p = jo.value("p", 1.0);
      o.enabled = jo.value("enabled", true);
      o.params = jo;
      for (const char* k : {"op", "p", "enabled"}) o.params.erase(k);
      v.ops.push_back(std::move(o));
    }
    p.views.push_back(std::move(v));
  }
  return p;
}

json Pipeline::to_json() const {
  json j;
  j["name"] = name;
  if (!mean.empty()) j["normalize"] = {{"mean", mean}, {"std", std}};
  j["views"] = json::array();
  for (const auto& v : views) {
    json jv;
    if (v.size > 0) jv["size"] = v.size;
    jv["ops"] = json::array();
    for (const auto& o : v.ops) {
      json jo = o.params;
      jo["op"] = o.op;
      jo["p"] = o.p;
      if (!o.enabled) jo["enabled"] = false;
      jv["ops"].push_back(jo);
    }
    j["views"].push_back(jv);
  }
  return j;
}

Pipeline Pipeline::load(const std::string& name_or_file) {
  if (const char* text = preset_json(name_or_file)) return from_json(json::parse(text));
  std::ifstream in(name_or_file);
  if (!in) throw std::runtime_error("no pipeline preset or file named '" + name_or_file + "'");
  try {
    return from_json(json::parse(in));
  } catch (const json::exception& e) {
    throw std::runtime_error(name_or_file + ": " + e.what());
  }
}

std::vector<std::string> Pipeline::preset_names() { return pretext::preset_names(); }

View Pipeline::apply(const cv::Mat& image, size_t view_index, uint64_t seed, int64_t image_index,
                     int64_t epoch) const {
  const ViewSpec& spec = views.at(view_index % views.size());
  const uint64_t view_seed = mix_seed(seed, static_cast<uint64_t>(image_index), view_index, static_cast<uint64_t>(epoch));
  View out;
  cv::Mat img = image;
  const int size = spec.size > 0 ? spec.size : image.rows;
  bool resized = false;
  for (size_t k = 0; k < spec.ops.size(); ++k) {
    const OpSpec& o = spec.ops[k];
    Rng rng(mix_seed(view_seed, k));
    OpTrace t;
    t.op = o.op;
    if (!o.enabled) {
      out.trace.push_back(t);
      continue;
    }
    const auto& pr = o.params;
    if (o.op == "random_resized_crop") {
      // Always applied (p is ignored): it defines the view's geometry.
      const auto scale = pr.value("scale", std::vector<double>{0.08, 1.0});
      const auto ratio = pr.value("ratio", std::vector<double>{3.0 / 4.0, 4.0 / 3.0});
      const CropBox b = sample_resized_crop(img.rows, img.cols, scale[0], scale[1], ratio[0], ratio[1], rng);
      const int interp = pr.value("interpolation", std::string("bilinear")) == "bicubic" ? cv::INTER_CUBIC : cv::INTER_LINEAR;
      img = crop_resize(img, b, size, size, interp);
      resized = true;
      t.applied = true;
      t.values = {{"top", b.top}, {"left", b.left}, {"height", b.height}, {"width", b.width},
                  {"area", double(b.height) * b.width / (double(image.rows) * image.cols)}};
    } else {
      const bool fire = rng.bernoulli(o.p);
      if (o.op == "color_jitter") {
        // Sample even when not fired so the stream stays the same for any p.
        const JitterParams jp = sample_jitter(pr.value("brightness", 0.4), pr.value("contrast", 0.4),
                                              pr.value("saturation", 0.4), pr.value("hue", 0.1), rng);
        if (fire) {
          img = color_jitter(img, jp);
          t.values = {{"brightness", jp.brightness}, {"contrast", jp.contrast},
                      {"saturation", jp.saturation}, {"hue", jp.hue}};
        }
      } else if (o.op == "gaussian_blur") {
        const auto sig = pr.value("sigma", std::vector<double>{0.1, 2.0});
        const double sigma = rng.uniform(sig[0], sig[1]);
        if (fire) {
          img = gaussian_blur(img, sigma);
          t.values = {{"sigma", sigma}};
        }
      } else if (fire) {
        if (o.op == "hflip") img = flip_horizontal(img);
        else if (o.op == "vflip") img = flip_vertical(img);
        else if (o.op == "grayscale") img = to_grayscale(img);
        else if (o.op == "solarize") {
          const int th = pr.value("threshold", 128);
          img = solarize(img, th);
          t.values = {{"threshold", th}};
        }
      }
      t.applied = fire;
    }
    out.trace.push_back(std::move(t));
  }
  if (!resized && (img.rows != size || img.cols != size)) {
    cv::Mat r;
    cv::resize(img, r, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
    img = r;
  }
  out.image = img.data == image.data ? img.clone() : img;
  return out;
}

}  // namespace pretext
