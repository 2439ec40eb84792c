#pragma once
// Curve smoothing as TensorBoard's slider does it: an exponential moving average, debiased so the
// first points are not pulled towards zero. One implementation for the runs page, the live plots
// and `runs compare`; header-only and free of LibTorch so widgets/ can use it.
#include <stdexcept>
#include <vector>

namespace pretext {

class EmaSmoother {
 public:
  // weight in [0, 1): 0 keeps the values as they are.
  explicit EmaSmoother(double weight) : weight_(weight) {
    if (weight < 0 || weight >= 1) throw std::invalid_argument("smoothing weight must be in [0, 1)");
  }
  double push(double value) {
    last_ = last_ * weight_ + (1 - weight_) * value;
    debias_ = debias_ * weight_ + (1 - weight_);
    return last_ / debias_;
  }

 private:
  double weight_, last_ = 0, debias_ = 0;
};

inline std::vector<double> smooth_ema(const std::vector<double>& values, double weight) {
  EmaSmoother s(weight);
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values) out.push_back(s.push(v));
  return out;
}

}  // namespace pretext
