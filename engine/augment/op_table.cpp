#include "engine/augment/op_table.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "engine/augment/json_fields.h"
#include "engine/augment/pipeline.h"

namespace pretext {
using nlohmann::json;

namespace {

// An op's parameters: JsonFields with the op's own choice of interpolation.
class Fields : public JsonFields {
 public:
  Fields(const json& params, std::string where, std::initializer_list<const char*> known)
      : JsonFields(params, std::move(where), known, "a parameter of this op") {}

  int interpolation(const char* fallback) const {
    const std::string s = text("interpolation", fallback);
    if (s == "nearest") return cv::INTER_NEAREST;
    if (s == "bicubic") return cv::INTER_CUBIC;
    if (s == "bilinear") return cv::INTER_LINEAR;
    fail("interpolation", "must be nearest, bilinear or bicubic");
  }
};

template <class Op>
std::shared_ptr<const CompiledOp> compile(const json& params, const std::string& where) {
  return std::make_shared<const Op>(params, where);
}

class RandomResizedCrop : public CompiledOp {
 public:
  RandomResizedCrop(const json& j, const std::string& where) {
    const Fields f(j, where, {"scale", "ratio", "interpolation"});
    scale_ = f.range("scale", {0.08, 1.0}, 0.0, 1.0);
    ratio_ = f.range("ratio", {3.0 / 4.0, 4.0 / 3.0}, 1e-3, 1e3);
    interpolation_ = f.interpolation("bilinear");
  }
  void apply(ViewDraft& d, Rng& rng, bool, OpTrace& t) const override {
    const CropBox b = sample_resized_crop(d.image.rows, d.image.cols, scale_.first, scale_.second, ratio_.first,
                                          ratio_.second, rng);
    d.image = crop_resize(d.image, b, d.size, d.size, interpolation_);
    d.final_size = true;
    t.values = {{"top", b.top}, {"left", b.left}, {"height", b.height}, {"width", b.width},
                {"area", double(b.height) * b.width / (double(d.source.rows) * d.source.cols)}};
  }

 private:
  std::pair<double, double> scale_, ratio_;
  int interpolation_ = cv::INTER_LINEAR;
};

class Normalize : public CompiledOp {
 public:
  Normalize(const json& j, const std::string& where) {
    const Fields f(j, where, {"mean", "std"});
    mean_ = f.numbers("mean");
    std_ = f.numbers("std");
    if (mean_.empty() || mean_.size() != std_.size()) f.fail("", "needs mean and std of equal length");
    if (std::any_of(std_.begin(), std_.end(), [](double s) { return !(s > 0); })) f.fail("std", "must be positive");
  }
  void apply(ViewDraft& d, Rng&, bool, OpTrace&) const override {
    d.out.mean = mean_;
    d.out.std = std_;
  }

 private:
  std::vector<double> mean_, std_;
};

// Where a patch mask lies on the view: "grid" patches per side whatever the image size (MAE's 16 px
// patches at 224 px are a 14x14 grid; the same 16 px on a 28 px image would be a 1x1 grid that hides
// all or nothing), or "patch" pixels per patch, to match a ViT's patch size at any view size.
class PatchGrid {
 public:
  PatchGrid(const Fields& f, int default_patch) {
    grid_ = f.integer("grid", 0, 0, 4096);
    patch_ = f.integer("patch", default_patch, 1, 4096);
  }
  PatchMask empty_mask(const cv::Mat& img) const {
    PatchMask mask;
    mask.patch = grid_ > 0 ? std::max(1, std::min(img.rows, img.cols) / grid_) : patch_;
    mask.rows = img.rows / mask.patch;
    mask.cols = img.cols / mask.patch;
    return mask;
  }

 private:
  int grid_ = 0, patch_ = 16;
};

class MaeMask : public CompiledOp {
 public:
  MaeMask(const json& j, const std::string& where) : MaeMask(Fields(j, where, {"grid", "patch", "ratio"})) {}
  void apply(ViewDraft& d, Rng& rng, bool, OpTrace& t) const override {
    PatchMask& mask = d.out.mask = grid_.empty_mask(d.image);
    mask.masked = sample_patch_mask(mask.rows, mask.cols, ratio_, rng);
    size_t hidden = 0;
    for (uint8_t m : mask.masked) hidden += m;
    t.values = {{"patch", mask.patch}, {"ratio", ratio_}, {"masked", double(hidden)}};
  }

 private:
  explicit MaeMask(const Fields& f) : grid_(f, 16) {
    ratio_ = f.number("ratio", 0.75, 0.0, 1.0);
    if (ratio_ >= 1) f.fail("ratio", "must be below 1 (at least one patch stays visible)");
  }
  PatchGrid grid_;
  double ratio_ = 0.75;
};

class JepaBlocks : public CompiledOp {
 public:
  JepaBlocks(const json& j, const std::string& where)
      : JepaBlocks(Fields(j, where, {"grid", "patch", "targets", "target_scale", "target_aspect", "context_scale",
                                     "min_context"})) {}
  void apply(ViewDraft& d, Rng& rng, bool, OpTrace& t) const override {
    PatchMask& mask = d.out.mask = grid_.empty_mask(d.image);
    mask.masked = sample_jepa_blocks(mask.rows, mask.cols, spec_, rng);
    size_t context = 0, in_targets = 0;
    for (uint8_t m : mask.masked) context += m == 0, in_targets += m > 1;
    t.values = {{"patch", mask.patch}, {"context", double(context)}, {"in targets", double(in_targets)}};
  }

 private:
  explicit JepaBlocks(const Fields& f) : grid_(f, 4) {
    spec_.targets = f.integer("targets", spec_.targets, 1, kMaxJepaTargets);
    std::tie(spec_.target_scale_lo, spec_.target_scale_hi) =
        f.range("target_scale", {spec_.target_scale_lo, spec_.target_scale_hi}, 1e-6, 1.0);
    std::tie(spec_.target_aspect_lo, spec_.target_aspect_hi) =
        f.range("target_aspect", {spec_.target_aspect_lo, spec_.target_aspect_hi}, 1e-3, 1e3);
    std::tie(spec_.context_scale_lo, spec_.context_scale_hi) =
        f.range("context_scale", {spec_.context_scale_lo, spec_.context_scale_hi}, 1e-6, 1.0);
    spec_.min_context = f.integer("min_context", spec_.min_context, 1, 1 << 20);
    if (spec_.targets * spec_.target_scale_hi >= 1.0)
      f.fail("target_scale", "times targets must stay below 1: the targets would leave no context");
  }
  PatchGrid grid_;
  JepaBlockSpec spec_;
};

class ColorJitter : public CompiledOp {
 public:
  ColorJitter(const json& j, const std::string& where) {
    const Fields f(j, where, {"brightness", "contrast", "saturation", "hue"});
    brightness_ = f.number("brightness", 0.4, 0, 10);
    contrast_ = f.number("contrast", 0.4, 0, 10);
    saturation_ = f.number("saturation", 0.4, 0, 10);
    hue_ = f.number("hue", 0.1, 0, 0.5);
  }
  void apply(ViewDraft& d, Rng& rng, bool fire, OpTrace& t) const override {
    const JitterParams jp = sample_jitter(brightness_, contrast_, saturation_, hue_, rng);
    if (!fire) return;
    d.image = color_jitter(d.image, jp);
    static const char* kNames[] = {"brightness", "contrast", "saturation", "hue"};
    t.values = {{"brightness", jp.brightness}, {"contrast", jp.contrast}, {"saturation", jp.saturation}, {"hue", jp.hue}};
    for (int i = 0; i < 4; ++i) t.values.push_back({std::string("order_") + kNames[jp.order[i]], i});
  }

 private:
  double brightness_, contrast_, saturation_, hue_;
};

class GaussianBlur : public CompiledOp {
 public:
  GaussianBlur(const json& j, const std::string& where) {
    sigma_ = Fields(j, where, {"sigma"}).range("sigma", {0.1, 2.0}, 1e-6, 100);
  }
  void apply(ViewDraft& d, Rng& rng, bool fire, OpTrace& t) const override {
    const double sigma = rng.uniform(sigma_.first, sigma_.second);
    if (!fire) return;
    d.image = gaussian_blur(d.image, sigma);
    t.values = {{"sigma", sigma}};
  }

 private:
  std::pair<double, double> sigma_;
};

class Rotation : public CompiledOp {
 public:
  Rotation(const json& j, const std::string& where) {
    const Fields f(j, where, {"degrees", "interpolation", "fill"});
    // "degrees": d means [-d, d] (torchvision's RandomRotation), or an explicit [low, high].
    if (f.has("degrees") && j.at("degrees").is_number()) {
      const double d = f.number("degrees", 30, 0, 360);
      degrees_ = {-d, d};
    } else {
      degrees_ = f.range("degrees", {-30.0, 30.0}, -360, 360);
    }
    interpolation_ = f.interpolation("nearest");
    fill_ = f.integer("fill", 0, 0, 255);
  }
  void apply(ViewDraft& d, Rng& rng, bool fire, OpTrace& t) const override {
    const double angle = rng.uniform(degrees_.first, degrees_.second);
    if (!fire) return;
    d.image = rotate(d.image, angle, interpolation_, fill_);
    t.values = {{"degrees", angle}};
  }

 private:
  std::pair<double, double> degrees_;
  int interpolation_ = cv::INTER_NEAREST, fill_ = 0;
};

// RotNet: a fixed "angle", or one of "angles" uniformly; the label is the angle's index (a fixed
// angle's label is its quarter turns).
class Rot90 : public CompiledOp {
 public:
  Rot90(const json& j, const std::string& where) {
    const Fields f(j, where, {"angle", "angles"});
    fixed_ = f.has("angle");
    if (fixed_) {
      angles_ = {f.integer("angle", 0, -3600, 3600)};
    } else if (f.has("angles")) {
      for (double a : f.numbers("angles")) angles_.push_back(static_cast<int>(a));
    } else {
      angles_ = {0, 90, 180, 270};
    }
    if (angles_.empty()) f.fail("angles", "is empty");
    for (int a : angles_)
      if (a % 90 != 0) f.fail(fixed_ ? "angle" : "angles", "must be multiples of 90");
  }
  void apply(ViewDraft& d, Rng& rng, bool fire, OpTrace& t) const override {
    const int pick = static_cast<int>(rng.integer(0, static_cast<int64_t>(angles_.size()) - 1));
    const int angle = angles_[pick];
    if (!fire) return;
    d.image = rotate90(d.image, angle / 90);
    d.out.label = fixed_ ? ((angle / 90) % 4 + 4) % 4 : pick;
    t.values = {{"angle", angle}, {"label", d.out.label}};
  }

 private:
  bool fixed_ = false;
  std::vector<int> angles_;
};

class Cutout : public CompiledOp {
 public:
  Cutout(const json& j, const std::string& where) {
    const Fields f(j, where, {"size", "scale", "ratio", "value"});
    square_ = f.integer("size", 0, 0, 4096);
    scale_ = f.range("scale", {0.02, 0.33}, 0, 1);
    ratio_ = f.range("ratio", {0.3, 3.3}, 1e-3, 1e3);
    value_ = f.integer("value", 0, 0, 255);
    by_size_ = f.has("size");
  }
  void apply(ViewDraft& d, Rng& rng, bool fire, OpTrace& t) const override {
    const cv::Mat& img = d.image;
    CropBox b;
    if (by_size_) {
      // DeVries & Taylor 2017: a size x size square centred anywhere, clipped at the borders.
      const int s = square_;
      const int cy = static_cast<int>(rng.integer(0, img.rows - 1)), cx = static_cast<int>(rng.integer(0, img.cols - 1));
      const int y0 = std::max(0, cy - s / 2), x0 = std::max(0, cx - s / 2);
      const int y1 = std::min(img.rows, cy + s - s / 2), x1 = std::min(img.cols, cx + s - s / 2);
      b = {y0, x0, std::max(0, y1 - y0), std::max(0, x1 - x0)};
    } else {
      b = sample_erasing(img.rows, img.cols, scale_.first, scale_.second, ratio_.first, ratio_.second, rng);
    }
    if (!fire) return;
    d.image = erase(d.image, b, value_);
    t.values = {{"top", b.top}, {"left", b.left}, {"height", b.height}, {"width", b.width}};
  }

 private:
  bool by_size_ = false;
  int square_ = 0, value_ = 0;
  std::pair<double, double> scale_, ratio_;
};

// Cuts the grid's cells (each shrunk to a random sub-square of `tile_keep` of its side, as Noroozi &
// Favaro's 64-of-75 px tiles, so edges do not give the order away) and lays them out in one of a fixed
// set of permutations; the label is the permutation's index.
class Jigsaw : public CompiledOp {
 public:
  Jigsaw(const json& j, const std::string& where) {
    const Fields f(j, where, {"grid", "permutations", "tile_keep"});
    grid_ = f.integer("grid", 3, 2, 8);
    permutations_ = &jigsaw_permutations(grid_, f.integer("permutations", 100, 1, 1000));
    keep_ = f.number("tile_keep", 64.0 / 75.0, 1e-3, 1.0);
  }
  void apply(ViewDraft& d, Rng& rng, bool fire, OpTrace& t) const override {
    const int pick = static_cast<int>(rng.integer(0, static_cast<int64_t>(permutations_->size()) - 1));
    if (!fire) return;
    resize_to_view(d);
    d.image = tiles(d.image, (*permutations_)[pick], rng, d.out.tiles);
    d.out.jigsaw_grid = grid_;
    d.out.label = pick;
    d.final_size = true;  // the tiled image keeps its own size
    t.values = {{"permutation", pick}, {"grid", grid_}};
  }

 private:
  cv::Mat tiles(const cv::Mat& img, const std::vector<uint8_t>& perm, Rng& rng, std::vector<JigsawTile>& placed) const {
    const int grid = grid_;
    const int cell = std::min(img.rows, img.cols) / grid;
    if (cell < 1) throw std::runtime_error("jigsaw: image too small for the grid");
    const int t = std::max(1, static_cast<int>(std::lround(cell * keep_)));
    std::vector<cv::Rect> src(grid * grid);
    for (int c = 0; c < grid * grid; ++c) {
      const int dy = static_cast<int>(rng.integer(0, cell - t)), dx = static_cast<int>(rng.integer(0, cell - t));
      src[c] = cv::Rect((c % grid) * cell + dx, (c / grid) * cell + dy, t, t);
    }
    cv::Mat out(grid * t, grid * t, img.type());
    placed.clear();
    for (int dst = 0; dst < grid * grid; ++dst) {
      const int s = perm[dst];
      const cv::Rect to((dst % grid) * t, (dst / grid) * t, t, t);
      img(src[s]).copyTo(out(to));
      placed.push_back({s, src[s], to});
    }
    return out;
  }

  int grid_ = 3;
  const std::vector<std::vector<uint8_t>>* permutations_ = nullptr;
  double keep_ = 64.0 / 75.0;
};

// The ops without random parameters: an image function, and the one setting traced (if any).
template <cv::Mat (*Fn)(const cv::Mat&)>
class Plain : public CompiledOp {
 public:
  Plain(const json& j, const std::string& where) { Fields(j, where, {}); }
  void apply(ViewDraft& d, Rng&, bool fire, OpTrace&) const override {
    if (fire) d.image = Fn(d.image);
  }
};

template <cv::Mat (*Fn)(const cv::Mat&, int)>
class WithSetting : public CompiledOp {
 public:
  WithSetting(const json& j, const std::string& where, const char* key, int fallback, int lo, int hi) : key_(key) {
    value_ = Fields(j, where, {key}).integer(key, fallback, lo, hi);
  }
  void apply(ViewDraft& d, Rng&, bool fire, OpTrace& t) const override {
    if (!fire) return;
    d.image = Fn(d.image, value_);
    t.values = {{key_, value_}};
  }

 private:
  const char* key_;
  int value_ = 0;
};

std::shared_ptr<const CompiledOp> compile_posterize(const json& j, const std::string& where) {
  return std::make_shared<const WithSetting<posterize>>(j, where, "bits", 4, 1, 8);
}
std::shared_ptr<const CompiledOp> compile_solarize(const json& j, const std::string& where) {
  return std::make_shared<const WithSetting<solarize>>(j, where, "threshold", 128, 0, 256);
}

}  // namespace

void resize_to_view(ViewDraft& d) {
  if (d.final_size || (d.image.rows == d.size && d.image.cols == d.size)) return;
  cv::Mat r;
  cv::resize(d.image, r, cv::Size(d.size, d.size), 0, 0, cv::INTER_LINEAR);
  d.image = r;
}

const std::vector<OpKind>& op_kinds() {
  using F = OpFiring;
  static const std::vector<OpKind> kinds = {
      {"random_resized_crop",
       "Crops a random region (scale: its share of the image's area; ratio: its aspect) and resizes it to the view "
       "size. The main source of invariance in SimCLR (scale 0.08-1 at 224 px; 0.2-1 is common for 32 px images).",
       F::kAlways, compile<RandomResizedCrop>},
      {"hflip", "Mirrors left-right with probability p (0.5 in SimCLR, BYOL and MoCo).", F::kWithProbability,
       compile<Plain<flip_horizontal>>},
      {"vflip", "Mirrors top-bottom with probability p. Off in the published recipes: most photos have an up.",
       F::kWithProbability, compile<Plain<flip_vertical>>},
      {"color_jitter",
       "Random brightness, contrast, saturation and hue, with probability p (SimCLR: 0.8, 0.8, 0.8, 0.2 at p 0.8; "
       "CIFAR recipes 0.4, 0.4, 0.4, 0.1). Without it, colour histograms alone tell two views apart (Chen et al. "
       "2020, fig. 5).",
       F::kWithProbability, compile<ColorJitter>},
      {"grayscale", "Drops the colour with probability p (0.2 in SimCLR).", F::kWithProbability,
       compile<Plain<to_grayscale>>},
      {"gaussian_blur", "Blurs with a random sigma (SimCLR: p 0.5, sigma 0.1-2 at 224 px; left out for 32 px images).",
       F::kWithProbability, compile<GaussianBlur>},
      {"solarize", "Inverts the pixels above a threshold (BYOL's second view: p 0.2).", F::kWithProbability,
       compile_solarize},
      {"equalize", "Equalises the intensity histogram.", F::kWithProbability, compile<Plain<equalize>>},
      {"posterize", "Keeps fewer bits per channel.", F::kWithProbability, compile_posterize},
      {"rotation", "Rotates by a random angle from the range.", F::kWithProbability, compile<Rotation>},
      {"rot90", "Rotates by a multiple of 90 degrees: RotNet's target (Gidaris et al. 2018).", F::kWithProbability,
       compile<Rot90>},
      {"cutout", "Blanks a random rectangle (DeVries and Taylor 2017).", F::kWithProbability, compile<Cutout>},
      {"mae_mask", "Hides a share of the patches (MAE: 75 % of the patches; He et al. 2022).", F::kAfterResize,
       compile<MaeMask>},
      {"jepa_blocks",
       "Draws I-JEPA's blocks on the patch grid: 4 target blocks of 15-20 % of the patches (aspect 0.75-1.5) and a "
       "context block of 85-100 % less the targets; the encoder sees the context and predicts the targets' "
       "representations (Assran et al. 2023).",
       F::kAfterResize, compile<JepaBlocks>},
      {"jigsaw",
       "Cuts the image into a grid of tiles and shuffles them by one of a fixed set of permutations (Noroozi and "
       "Favaro 2016: 3x3 tiles, 100 permutations).",
       F::kWithProbability, compile<Jigsaw>},
      {"normalize", "Subtracts the per-channel mean and divides by the standard deviation.", F::kAlways,
       compile<Normalize>},
  };
  return kinds;
}

const OpKind& op_kind(const std::string& op) {
  for (const auto& k : op_kinds())
    if (k.name == op) return k;
  throw std::runtime_error("unknown augmentation op '" + op + "'");
}

}  // namespace pretext
