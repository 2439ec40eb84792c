#include "engine/augment/pipeline.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "engine/augment/presets.h"

namespace pretext {
using nlohmann::json;

const std::vector<std::string>& known_ops() {
  static const std::vector<std::string> ops = {
      "random_resized_crop", "hflip",    "vflip",   "color_jitter", "grayscale", "gaussian_blur",
      "solarize",            "equalize", "posterize", "rotation",   "rot90",     "cutout",
      "mae_mask",            "jigsaw",   "normalize"};
  return ops;
}

const std::string& op_help(const std::string& op) {
  static const std::map<std::string, std::string> help = {
      {"random_resized_crop",
       "Crops a random region (scale: its share of the image's area; ratio: its aspect) and resizes it to the view "
       "size. The main source of invariance in SimCLR (scale 0.08-1 at 224 px; 0.2-1 is common for 32 px images)."},
      {"hflip", "Mirrors left-right with probability p (0.5 in SimCLR, BYOL and MoCo)."},
      {"vflip", "Mirrors top-bottom with probability p. Off in the published recipes: most photos have an up."},
      {"color_jitter",
       "Random brightness, contrast, saturation and hue, with probability p (SimCLR: 0.8, 0.8, 0.8, 0.2 at p 0.8; "
       "CIFAR recipes 0.4, 0.4, 0.4, 0.1). Without it, colour histograms alone tell two views apart (Chen et al. "
       "2020, fig. 5)."},
      {"grayscale", "Drops the colour with probability p (0.2 in SimCLR)."},
      {"gaussian_blur", "Blurs with a random sigma (SimCLR: p 0.5, sigma 0.1-2 at 224 px; left out for 32 px images)."},
      {"solarize", "Inverts the pixels above a threshold (BYOL's second view: p 0.2)."},
      {"equalize", "Equalises the intensity histogram."},
      {"posterize", "Keeps fewer bits per channel."},
      {"rotation", "Rotates by a random angle from the range."},
      {"rot90", "Rotates by a multiple of 90 degrees: RotNet's target (Gidaris et al. 2018)."},
      {"cutout", "Blanks a random rectangle (DeVries and Taylor 2017)."},
      {"mae_mask", "Hides a share of the patches (MAE: 75 % of the patches; He et al. 2022)."},
      {"jigsaw",
       "Cuts the image into a grid of tiles and shuffles them by one of a fixed set of permutations (Noroozi and "
       "Favaro 2016: 3x3 tiles, 100 permutations)."},
      {"normalize", "Subtracts the per-channel mean and divides by the standard deviation."},
  };
  static const std::string none;
  const auto it = help.find(op);
  return it == help.end() ? none : it->second;
}

Pipeline Pipeline::from_json(const json& j) {
  Pipeline p;
  if (!j.is_object()) throw std::runtime_error("a pipeline is a JSON object");
  p.name = j.value("name", "custom");
  p.source = j.value("source", "");
  if (j.contains("normalize") && j["normalize"].is_object()) {
    p.mean = j["normalize"].value("mean", std::vector<double>{});
    p.std = j["normalize"].value("std", std::vector<double>{});
  }
  if (!j.contains("views") || !j["views"].is_array() || j["views"].empty())
    throw std::runtime_error("pipeline '" + p.name + "' has no views");
  for (const auto& jv : j["views"]) {
    ViewSpec v;
    v.size = jv.value("size", 0);
    v.repeat = jv.value("repeat", 1);
    v.size_ratio = jv.value("size_ratio", 1.0);
    if (!(v.size_ratio > 0 && v.size_ratio <= 8)) throw std::runtime_error("view size_ratio must be in (0, 8]");
    if (v.size < 0 || v.size > 4096) throw std::runtime_error("view size must be 0..4096");
    if (v.repeat < 1 || v.repeat > 64) throw std::runtime_error("view repeat must be 1..64");
    for (const auto& jo : jv.at("ops")) {
      OpSpec o;
      o.op = jo.at("op").get<std::string>();
      if (std::find(known_ops().begin(), known_ops().end(), o.op) == known_ops().end())
        throw std::runtime_error("unknown augmentation op '" + o.op + "'");
      o.p = jo.value("p", 1.0);
      if (!(o.p >= 0 && o.p <= 1)) throw std::runtime_error(o.op + ": p must be in [0, 1]");
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
  if (!source.empty()) j["source"] = source;
  if (!mean.empty()) j["normalize"] = {{"mean", mean}, {"std", std}};
  j["views"] = json::array();
  for (const auto& v : views) {
    json jv;
    if (v.size > 0) jv["size"] = v.size;
    if (v.repeat != 1) jv["repeat"] = v.repeat;
    if (v.size_ratio != 1.0) jv["size_ratio"] = v.size_ratio;
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

size_t Pipeline::view_count() const {
  size_t n = 0;
  for (const auto& v : views) n += static_cast<size_t>(v.repeat);
  return n;
}

const ViewSpec& Pipeline::spec_for_view(size_t v) const {
  const size_t n = view_count();
  if (n == 0) throw std::runtime_error("pipeline '" + name + "' has no views");
  v %= n;
  for (const auto& s : views) {
    if (v < static_cast<size_t>(s.repeat)) return s;
    v -= static_cast<size_t>(s.repeat);
  }
  return views.back();
}

namespace {

int interpolation_of(const nlohmann::json& pr, const char* fallback) {
  const std::string s = pr.value("interpolation", std::string(fallback));
  if (s == "nearest") return cv::INTER_NEAREST;
  if (s == "bicubic") return cv::INTER_CUBIC;
  if (s == "bilinear") return cv::INTER_LINEAR;
  throw std::runtime_error("unknown interpolation '" + s + "' (nearest, bilinear, bicubic)");
}

std::vector<double> pair_param(const nlohmann::json& pr, const char* key, std::vector<double> fallback) {
  auto v = pr.value(key, fallback);
  if (v.size() != 2 || !(v[0] <= v[1])) throw std::runtime_error(std::string(key) + " must be [low, high]");
  return v;
}

// Cuts the grid's cells (each shrunk to a random sub-square of `keep` of its side, as Noroozi &
// Favaro's 64-of-75 px tiles, so edges do not give the order away) and lays them out in `perm`'s order.
cv::Mat jigsaw_tiles(const cv::Mat& img, int grid, double keep, const std::vector<uint8_t>& perm, Rng& rng,
                     std::vector<JigsawTile>& tiles) {
  const int cell = std::min(img.rows, img.cols) / grid;
  if (cell < 1) throw std::runtime_error("jigsaw: image too small for the grid");
  const int t = std::max(1, static_cast<int>(std::lround(cell * keep)));
  std::vector<cv::Rect> src(grid * grid);
  for (int c = 0; c < grid * grid; ++c) {
    const int dy = static_cast<int>(rng.integer(0, cell - t)), dx = static_cast<int>(rng.integer(0, cell - t));
    src[c] = cv::Rect((c % grid) * cell + dx, (c / grid) * cell + dy, t, t);
  }
  cv::Mat out(grid * t, grid * t, img.type());
  tiles.clear();
  for (int d = 0; d < grid * grid; ++d) {
    const int s = perm[d];
    const cv::Rect placed((d % grid) * t, (d / grid) * t, t, t);
    img(src[s]).copyTo(out(placed));
    tiles.push_back({s, src[s], placed});
  }
  return out;
}

}  // namespace

View Pipeline::apply(const cv::Mat& image, size_t view_index, uint64_t seed, int64_t image_index,
                     int64_t epoch) const {
  const ViewSpec& spec = spec_for_view(view_index);
  const uint64_t view_seed = mix_seed(seed, static_cast<uint64_t>(image_index), view_index, static_cast<uint64_t>(epoch));
  View out;
  cv::Mat img = image;
  const int size = spec.size > 0 ? spec.size
                                 : std::max(1, static_cast<int>(std::lround(image.rows * spec.size_ratio)));
  bool resized = false;
  // Ops that need the final geometry (the MAE mask) run after the closing resize.
  const OpSpec* mae = nullptr;
  size_t mae_slot = 0;
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
      const auto scale = pair_param(pr, "scale", {0.08, 1.0});
      const auto ratio = pair_param(pr, "ratio", {3.0 / 4.0, 4.0 / 3.0});
      const CropBox b = sample_resized_crop(img.rows, img.cols, scale[0], scale[1], ratio[0], ratio[1], rng);
      img = crop_resize(img, b, size, size, interpolation_of(pr, "bilinear"));
      resized = true;
      t.applied = true;
      t.values = {{"top", b.top}, {"left", b.left}, {"height", b.height}, {"width", b.width},
                  {"area", double(b.height) * b.width / (double(image.rows) * image.cols)}};
    } else if (o.op == "mae_mask") {
      mae = &o;
      mae_slot = out.trace.size();
      continue;  // traced after the closing resize, in this slot
    } else if (o.op == "normalize") {
      out.mean = pr.value("mean", std::vector<double>{});
      out.std = pr.value("std", std::vector<double>{});
      if (out.mean.size() != out.std.size() || out.mean.empty())
        throw std::runtime_error("normalize needs mean and std of equal length");
      for (double s : out.std)
        if (!(s > 0)) throw std::runtime_error("normalize: std must be positive");
      t.applied = true;
    } else {
      // Every random op draws its parameters whether or not it fires, so its stream (and hence the
      // other ops' samples) is the same for any p.
      const bool fire = rng.bernoulli(o.p);
      t.applied = fire;
      if (o.op == "color_jitter") {
        const JitterParams jp = sample_jitter(pr.value("brightness", 0.4), pr.value("contrast", 0.4),
                                              pr.value("saturation", 0.4), pr.value("hue", 0.1), rng);
        if (fire) {
          img = color_jitter(img, jp);
          static const char* kNames[] = {"brightness", "contrast", "saturation", "hue"};
          t.values = {{"brightness", jp.brightness}, {"contrast", jp.contrast},
                      {"saturation", jp.saturation}, {"hue", jp.hue}};
          for (int i = 0; i < 4; ++i) t.values.push_back({std::string("order_") + kNames[jp.order[i]], i});
        }
      } else if (o.op == "gaussian_blur") {
        const auto sig = pair_param(pr, "sigma", {0.1, 2.0});
        const double sigma = rng.uniform(sig[0], sig[1]);
        if (fire) {
          img = gaussian_blur(img, sigma);
          t.values = {{"sigma", sigma}};
        }
      } else if (o.op == "rotation") {
        const auto deg = pr.contains("degrees") && pr["degrees"].is_number()
                             ? std::vector<double>{-pr["degrees"].get<double>(), pr["degrees"].get<double>()}
                             : pair_param(pr, "degrees", {-30.0, 30.0});
        const double angle = rng.uniform(deg[0], deg[1]);
        if (fire) {
          img = rotate(img, angle, interpolation_of(pr, "nearest"), pr.value("fill", 0));
          t.values = {{"degrees", angle}};
        }
      } else if (o.op == "rot90") {
        // RotNet: a fixed "angle", or one of "angles" uniformly; the label is the angle's index.
        std::vector<int> angles = pr.contains("angle") ? std::vector<int>{pr["angle"].get<int>()}
                                                       : pr.value("angles", std::vector<int>{0, 90, 180, 270});
        if (angles.empty()) throw std::runtime_error("rot90: angles is empty");
        for (int a : angles)
          if (a % 90 != 0) throw std::runtime_error("rot90: angles must be multiples of 90");
        const int pick = static_cast<int>(rng.integer(0, static_cast<int64_t>(angles.size()) - 1));
        const int angle = angles[pick];
        if (fire) {
          img = rotate90(img, angle / 90);
          out.label = pr.contains("angle") ? ((angle / 90) % 4 + 4) % 4 : pick;
          t.values = {{"angle", angle}, {"label", out.label}};
        }
      } else if (o.op == "cutout") {
        CropBox b;
        if (pr.contains("size")) {
          // DeVries & Taylor 2017: a size x size square centred anywhere, clipped at the borders.
          const int s = pr["size"].get<int>();
          const int cy = static_cast<int>(rng.integer(0, img.rows - 1)), cx = static_cast<int>(rng.integer(0, img.cols - 1));
          const int y0 = std::max(0, cy - s / 2), x0 = std::max(0, cx - s / 2);
          const int y1 = std::min(img.rows, cy + s - s / 2), x1 = std::min(img.cols, cx + s - s / 2);
          b = {y0, x0, std::max(0, y1 - y0), std::max(0, x1 - x0)};
        } else {
          const auto scale = pair_param(pr, "scale", {0.02, 0.33});
          const auto ratio = pair_param(pr, "ratio", {0.3, 3.3});
          b = sample_erasing(img.rows, img.cols, scale[0], scale[1], ratio[0], ratio[1], rng);
        }
        if (fire) {
          img = erase(img, b, pr.value("value", 0));
          t.values = {{"top", b.top}, {"left", b.left}, {"height", b.height}, {"width", b.width}};
        }
      } else if (o.op == "jigsaw") {
        const int grid = pr.value("grid", 3);
        const auto& perms = jigsaw_permutations(grid, pr.value("permutations", 100));
        const int pick = static_cast<int>(rng.integer(0, static_cast<int64_t>(perms.size()) - 1));
        if (fire) {
          if (!resized && (img.rows != size || img.cols != size)) {
            cv::Mat r;
            cv::resize(img, r, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
            img = r;
          }
          img = jigsaw_tiles(img, grid, pr.value("tile_keep", 64.0 / 75.0), perms[pick], rng, out.tiles);
          out.jigsaw_grid = grid;
          out.label = pick;
          resized = true;  // the tiled image keeps its own size
          t.values = {{"permutation", pick}, {"grid", grid}};
        }
      } else if (fire) {
        if (o.op == "hflip") img = flip_horizontal(img);
        else if (o.op == "vflip") img = flip_vertical(img);
        else if (o.op == "grayscale") img = to_grayscale(img);
        else if (o.op == "equalize") img = equalize(img);
        else if (o.op == "posterize") {
          const int bits = pr.value("bits", 4);
          img = posterize(img, bits);
          t.values = {{"bits", bits}};
        } else if (o.op == "solarize") {
          const int th = pr.value("threshold", 128);
          img = solarize(img, th);
          t.values = {{"threshold", th}};
        }
      }
    }
    out.trace.push_back(std::move(t));
  }
  if (!resized && (img.rows != size || img.cols != size)) {
    cv::Mat r;
    cv::resize(img, r, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
    img = r;
  }
  if (mae) {
    Rng rng(mix_seed(view_seed, static_cast<uint64_t>(mae - spec.ops.data())));
    OpTrace t;
    t.op = mae->op;
    // "grid": patches per side, whatever the image size (MAE's 16 px patches at 224 px are a 14x14
    // grid; the same 16 px on a 28 px image would be a 1x1 grid that hides all or nothing).
    const int grid = mae->params.value("grid", 0);
    const int patch = grid > 0 ? std::max(1, std::min(img.rows, img.cols) / grid) : mae->params.value("patch", 16);
    const double ratio = mae->params.value("ratio", 0.75);
    if (patch < 1 || !(ratio >= 0 && ratio < 1)) throw std::runtime_error("mae_mask: patch >= 1 and ratio in [0, 1)");
    out.mask.patch = patch;
    out.mask.rows = img.rows / patch;
    out.mask.cols = img.cols / patch;
    out.mask.masked = sample_patch_mask(out.mask.rows, out.mask.cols, ratio, rng);
    size_t hidden = 0;
    for (uint8_t m : out.mask.masked) hidden += m;
    t.applied = true;
    t.values = {{"patch", patch}, {"ratio", ratio}, {"masked", double(hidden)}};
    out.trace.insert(out.trace.begin() + static_cast<std::ptrdiff_t>(mae_slot), std::move(t));
  }
  out.image = img.data == image.data ? img.clone() : img;
  return out;
}

}  // namespace pretext
