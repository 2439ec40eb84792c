#pragma once
#include "engine/methods/method.h"

namespace pretext {

// sRGB in [0, 1] [N, 3, H, W] -> CIE Lab (D65) [N, 3, H, W]: L in [0, 100], a and b about [-110, 110].
torch::Tensor rgb_to_lab(const torch::Tensor& rgb);

// CIE Lab (D65) [N, 3, H, W] -> sRGB in [0, 1], the inverse of rgb_to_lab (out-of-gamut colours
// clipped).
torch::Tensor lab_to_rgb(const torch::Tensor& lab);

// The quantised ab plane of Zhang et al. 2016 (sec. 2.1): bins of 10 units over [-110, 110]^2,
// 22 x 22 = 484 classes (the paper keeps the 313 in gamut; the others simply never occur here and
// the prior gives them no weight). ab [..., 2] -> class index [...].
constexpr int64_t kAbBins = 22;
torch::Tensor ab_class(const torch::Tensor& ab);
// The centre of each class's bin: class [...] -> ab [..., 2].
torch::Tensor ab_of_class(const torch::Tensor& classes);

// Class rebalancing (Zhang et al. 2016, eq. 4): w ∝ ((1 - lambda) p + lambda / Q)^-1 over the
// empirical class distribution p, scaled so that the expected weight under p is 1.
torch::Tensor rebalancing_weights(const torch::Tensor& prior, double lambda);

// Colourisation as classification (Zhang et al. 2016): the network sees only the lightness L of the
// image and predicts the colour of each cell of a grid x grid layout as one of the quantised ab
// classes, with a cross-entropy weighted by class rarity (so that the greys and browns that dominate
// natural images do not win every cell). The backbone's pooled features predict the whole layout
// through an MLP: the colour of a region needs what the object is, which is what probes read.
class ColorizationImpl : public MethodImpl {
 public:
  ColorizationImpl(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params);
  LossOutput compute(const Batch& batch) override;
  // The probes see what training saw: the grey image.
  torch::Tensor features(const torch::Tensor& x) override { return backbone->forward(lightness_input(x)); }
  std::string data_fit_key() const override;
  Fitted fit_to_data(const DataSample& sample) override;  // {mean, std, class prior}
  void use_fitted(const Fitted& fitted) override;
  void restored() override { fitted_ = true; }
  // The grey input, the image coloured by its target layout (its own lightness, each cell's target
  // colour) and coloured by the predicted layout; the accuracy over the cells.
  Picture picture(const torch::Tensor& x) override;

  // Normalised views -> sRGB in [0, 1] (undoing the normalisation the views carry).
  torch::Tensor to_rgb(const torch::Tensor& x) const;
  // The grey input: the Rec. 601 luma of the normalised channels, in every channel. A function of
  // the view alone, so that features() needs no fitted state (eval on the saved backbone reads
  // what the run's own probes read).
  torch::Tensor lightness_input(const torch::Tensor& x) const;
  // The target class of each cell [N, grid * grid] (the mean ab of the cell's pixels).
  torch::Tensor cell_classes(const torch::Tensor& x) const;

  torch::Tensor input_mean, input_std;  // [1, 3, 1, 1]: the views' normalisation
  torch::Tensor class_weights;          // [484]: rebalancing weights from the fitted prior
  torch::nn::Sequential head{nullptr};

 private:
  int64_t grid_, fit_images_;
  double lambda_;
  bool rebalance_, fitted_ = false;
};

MethodInfo colorization_info();

}  // namespace pretext
