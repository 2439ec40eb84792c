#include "engine/methods/colorization.h"

#include "engine/methods/heads.h"

namespace pretext {
namespace F = torch::nn::functional;
namespace {

void require_colour(int64_t channels) {
  if (channels != 3)
    throw std::runtime_error("colorization needs colour images (these have " + std::to_string(channels) + " channels)");
}

}  // namespace

torch::Tensor rgb_to_lab(const torch::Tensor& rgb) {
  auto c = rgb.to(torch::kFloat).clamp(0, 1);
  auto linear = torch::where(c <= 0.04045, c / 12.92, torch::pow((c + 0.055) / 1.055, 2.4));
  // sRGB primaries to XYZ under D65, each row divided by the white point's coordinate.
  const auto m = torch::tensor({{0.4124564f / 0.95047f, 0.3575761f / 0.95047f, 0.1804375f / 0.95047f},
                                {0.2126729f, 0.7151522f, 0.0721750f},
                                {0.0193339f / 1.08883f, 0.1191920f / 1.08883f, 0.9503041f / 1.08883f}},
                               linear.options());
  auto xyz = torch::einsum("ij,njhw->nihw", {m, linear});
  const double d = 6.0 / 29.0;
  auto f = torch::where(xyz > d * d * d, torch::pow(xyz.clamp_min(1e-12), 1.0 / 3.0), xyz / (3 * d * d) + 4.0 / 29.0);
  auto fx = f.select(1, 0), fy = f.select(1, 1), fz = f.select(1, 2);
  return torch::stack({116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)}, 1);
}

torch::Tensor lab_to_rgb(const torch::Tensor& lab) {
  auto l = lab.select(1, 0), a = lab.select(1, 1), b = lab.select(1, 2);
  auto fy = (l + 16) / 116, fx = fy + a / 500, fz = fy - b / 200;
  const double d = 6.0 / 29.0;
  auto finv = [&](const torch::Tensor& t) { return torch::where(t > d, t.pow(3), 3 * d * d * (t - 4.0 / 29.0)); };
  auto xyz = torch::stack({finv(fx) * 0.95047, finv(fy), finv(fz) * 1.08883}, 1);
  const auto m = torch::tensor({{3.2404542f, -1.5371385f, -0.4985314f},
                                {-0.9692660f, 1.8760108f, 0.0415560f},
                                {0.0556434f, -0.2040259f, 1.0572252f}},
                               xyz.options());
  auto linear = torch::einsum("ij,njhw->nihw", {m, xyz}).clamp(0, 1);
  return torch::where(linear <= 0.0031308, 12.92 * linear, 1.055 * torch::pow(linear.clamp_min(1e-12), 1 / 2.4) - 0.055)
      .clamp(0, 1);
}

torch::Tensor ab_of_class(const torch::Tensor& classes) {
  auto a = torch::floor_divide(classes, kAbBins), b = classes.remainder(kAbBins);
  return torch::stack({a, b}, -1).to(torch::kFloat) * 10.0 - 105.0;
}

torch::Tensor ab_class(const torch::Tensor& ab) {
  auto idx = ((ab + 110.0) / 10.0).floor().clamp(0, kAbBins - 1).to(torch::kLong);
  return idx.select(-1, 0) * kAbBins + idx.select(-1, 1);
}

torch::Tensor rebalancing_weights(const torch::Tensor& prior, double lambda) {
  const double q = double(prior.size(0));
  auto w = 1.0 / ((1 - lambda) * prior + lambda / q);
  return w / (prior * w).sum();
}

MethodInfo colorization_info() {
  // Rebalancing with lambda = 1/2 (the paper's choice, sec. 2.2); a 4 x 4 colour layout from the
  // pooled features (the paper predicts every pixel with a dense network); the prior from 2,000
  // images. SGD as the other classification pretext tasks here (the paper used Adam on its dense net).
  return {"colorization",
          "Colourisation: predict the colours of a grey image as classes of the quantised ab plane (cross-entropy, rebalanced)",
          "colorization",
          1,
          {{"grid", 4}, {"rebalance", true}, {"lambda", 0.5}, {"head_hidden", 512}, {"fit_images", 2000},
           {"optimizer", "sgd"}},
          MethodInfo::kPretextTask};
}

ColorizationImpl::ColorizationImpl(std::shared_ptr<BackboneImpl> bb, const nlohmann::json& p)
    : grid_(param_int(p, "grid")), fit_images_(param_int(p, "fit_images")), lambda_(param_double(p, "lambda")) {
  if (!p.at("rebalance").is_boolean()) throw std::runtime_error("method parameter 'rebalance' must be true or false");
  rebalance_ = p.at("rebalance").get<bool>();
  if (grid_ < 1 || grid_ > 16) throw std::runtime_error("colorization: grid must be 1 to 16");
  if (!(lambda_ >= 0 && lambda_ <= 1)) throw std::runtime_error("colorization: lambda must be in [0, 1]");
  if (fit_images_ < 1) throw std::runtime_error("colorization: fit_images must be at least 1");
  backbone = register_module("backbone", bb);
  input_mean = register_buffer("input_mean", torch::zeros({1, 3, 1, 1}));
  input_std = register_buffer("input_std", torch::ones({1, 3, 1, 1}));
  class_weights = register_buffer("class_weights", torch::ones({kAbBins * kAbBins}));
  head = register_module("head", mlp(bb->feature_dim(), param_int(p, "head_hidden"), grid_ * grid_ * kAbBins * kAbBins, 2));
}

torch::Tensor ColorizationImpl::to_rgb(const torch::Tensor& x) const {
  require_colour(x.size(1));
  return x * input_std + input_mean;
}

torch::Tensor ColorizationImpl::lightness_input(const torch::Tensor& x) const {
  require_colour(x.size(1));
  const auto luma = torch::tensor({0.299f, 0.587f, 0.114f}, x.options()).view({1, 3, 1, 1});
  return (x * luma).sum(1, true).expand({-1, 3, -1, -1});
}

torch::Tensor ColorizationImpl::cell_classes(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  auto ab = F::adaptive_avg_pool2d(rgb_to_lab(to_rgb(x)).slice(1, 1, 3), F::AdaptiveAvgPool2dFuncOptions({grid_, grid_}));
  return ab_class(ab.permute({0, 2, 3, 1})).flatten(1);  // [N, grid * grid], cells row-major
}

std::string ColorizationImpl::data_fit_key() const {
  return "colour-prior-g" + std::to_string(grid_) + "-n" + std::to_string(fit_images_);
}

MethodImpl::Fitted ColorizationImpl::fit_to_data(const DataSample& sample) {
  require_colour(static_cast<int64_t>(sample.mean.size()));
  auto mean = torch::tensor(sample.mean, torch::kFloat).view({1, 3, 1, 1});
  auto std = torch::tensor(sample.std, torch::kFloat).view({1, 3, 1, 1});
  use_fitted({mean, std, torch::ones({kAbBins * kAbBins})});  // to_rgb needs the normalisation
  auto classes = cell_classes(sample.images(fit_images_).to(input_mean.device()));
  auto prior = torch::bincount(classes.flatten().cpu(), {}, kAbBins * kAbBins).to(torch::kFloat);
  return {mean, std, prior / prior.sum()};
}

void ColorizationImpl::use_fitted(const Fitted& fitted) {
  if (fitted.size() != 3 || fitted[2].numel() != kAbBins * kAbBins)
    throw std::runtime_error("colorization: a fitted colour prior of the wrong shape");
  torch::NoGradGuard no_grad;
  input_mean.copy_(fitted[0].view({1, 3, 1, 1}));
  input_std.copy_(fitted[1].view({1, 3, 1, 1}));
  class_weights.copy_(rebalance_ ? rebalancing_weights(fitted[2].to(torch::kFloat), lambda_) : torch::ones_like(fitted[2]));
  fitted_ = true;
}

MethodImpl::Picture ColorizationImpl::picture(const torch::Tensor& x) {
  if (!fitted_) return {};
  const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
  auto lightness = rgb_to_lab(to_rgb(x)).slice(1, 0, 1);
  auto normalised = [&](const torch::Tensor& rgb) { return (rgb - input_mean) / input_std; };
  // A layout of classes [N, grid * grid] -> the image's lightness with each cell's colour.
  auto coloured = [&](const torch::Tensor& classes) {
    auto ab = ab_of_class(classes).view({n, grid_, grid_, 2}).permute({0, 3, 1, 2});
    ab = F::interpolate(ab, F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kNearest));
    return normalised(lab_to_rgb(torch::cat({lightness, ab}, 1)));
  };
  auto targets = cell_classes(x);
  auto predicted = head->forward(backbone->forward(lightness_input(x))).view({n, grid_ * grid_, -1}).argmax(-1);
  Picture pic;
  pic.rows = {{"grey", normalised((lightness / 100.0).expand({-1, 3, -1, -1}))},
              {"target", coloured(targets)},
              {"predicted", coloured(predicted)}};
  pic.score_name = "colour accuracy";
  pic.score = (predicted == targets).to(torch::kFloat).mean().item<double>();
  return pic;
}

LossOutput ColorizationImpl::compute(const Batch& batch) {
  if (!fitted_) throw std::logic_error("colorization: the colour prior was not fitted to the data before training");
  const auto& x = batch.views[0];
  const int64_t n = x.size(0), cells = grid_ * grid_, q = kAbBins * kAbBins;
  auto targets = cell_classes(x).flatten();  // [N * cells]
  auto f = backbone->forward(lightness_input(x));
  auto logits = head->forward(f).view({n * cells, q});
  auto per_cell = F::cross_entropy(logits.to(torch::kFloat), targets, F::CrossEntropyFuncOptions().reduction(torch::kNone));
  auto loss = (per_cell * class_weights.index_select(0, targets)).mean();
  auto accuracy = (logits.argmax(1) == targets).to(torch::kFloat).mean();
  return {loss, {{"colour_ce", loss.detach()}}, f.detach(), {{"colour_accuracy", accuracy.detach()}}};
}

}  // namespace pretext
