#include "engine/train/amp.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <stdexcept>

#include "engine/train/options.h"

// The DeviceAllocator interface with per-device statistics is LibTorch 2.9+.
#if (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 9)) && \
    __has_include(<c10/core/CachingDeviceAllocator.h>)
#include <c10/core/CachingDeviceAllocator.h>
#define PRETEXT_HAS_DEVICE_ALLOCATOR 1
#endif

namespace pretext {

void check_amp_mode(const std::string& mode) {
  require_choice("amp", mode, amp_modes());
}

AutocastScope::AutocastScope(bool on, at::ScalarType dtype) : on_(on) {
  if (!on_) return;
  at::autocast::set_autocast_dtype(at::kCUDA, dtype);
  at::autocast::set_autocast_enabled(at::kCUDA, true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!on_) return;
  // The cast weights are cached for the scope; drop them when the outermost scope closes.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_autocast_enabled(at::kCUDA, false);
}

GradScaler::GradScaler(const torch::Device& d, double init_scale, int64_t growth_interval)
    : scale_(torch::full({1}, init_scale, torch::TensorOptions().dtype(torch::kFloat).device(d))),
      growth_(torch::zeros({1}, torch::TensorOptions().dtype(torch::kInt).device(d))),
      found_inf_(torch::zeros({1}, torch::TensorOptions().dtype(torch::kFloat).device(d))),
      growth_interval_(growth_interval) {}

bool GradScaler::unscale(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  found_inf_.zero_();
  if (!grads.empty()) at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf_, scale_.reciprocal());
  return found_inf_.item<float>() == 0.0f;
}

void GradScaler::update() { at::_amp_update_scale_(scale_, growth_, found_inf_, 2.0, 0.5, growth_interval_); }

int64_t device_memory_bytes(const torch::Device& d) {
#ifdef PRETEXT_HAS_DEVICE_ALLOCATOR
  if (!d.is_cuda()) return -1;
  try {
    auto* alloc = c10::getDeviceAllocator(c10::DeviceType::CUDA);
    const auto stats = alloc->getDeviceStats(d.has_index() ? d.index() : 0);
    return stats.allocated_bytes[0].current;  // index 0: StatType::AGGREGATE
  } catch (const std::exception&) {
    return -1;
  }
#else
  (void)d;
  return -1;
#endif
}

}  // namespace pretext
