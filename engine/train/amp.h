#pragma once
// Mixed precision on CUDA: an autocast scope for the forward pass and a dynamic loss scaler for
// fp16, as torch.autocast and torch.amp.GradScaler do in Python (LibTorch has no C++ GradScaler).
#include <torch/torch.h>

#include <string>
#include <vector>

namespace pretext {

// "off", "bf16" or "fp16"; throws std::invalid_argument otherwise.
void check_amp_mode(const std::string& mode);

// Autocast state is thread-local: open the scope on the thread that runs the forward pass.
class AutocastScope {
 public:
  AutocastScope(bool on, at::ScalarType dtype);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_;
};

// Scale the loss, unscale the gradients, skip the step when any is inf/NaN and halve the scale;
// double it after `growth_interval` clean steps (torch.amp.GradScaler's defaults).
class GradScaler {
 public:
  explicit GradScaler(const torch::Device& d, double init_scale = 65536.0, int64_t growth_interval = 2000);
  torch::Tensor scale(const torch::Tensor& loss) const { return loss * scale_; }
  bool unscale(const std::vector<torch::Tensor>& params);  // false: skip this step
  void update();
  double current_scale() const { return scale_.item<double>(); }

 private:
  torch::Tensor scale_, growth_, found_inf_;
  int64_t growth_interval_;
};

// Bytes held by the CUDA caching allocator on d; -1 on the CPU or where LibTorch cannot tell.
int64_t device_memory_bytes(const torch::Device& d);

}  // namespace pretext
