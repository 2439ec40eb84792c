#include <torch/torch.h>

#include "engine/augment/loader.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "engine/core/parallel.h"
#include "engine/core/seed.h"

namespace pretext {

std::vector<size_t> epoch_order(size_t n, uint64_t seed, int64_t epoch) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(mix_seed(seed, 0x5eed0fe9ull, static_cast<uint64_t>(epoch)));
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[static_cast<size_t>(rng.integer(0, int64_t(i) - 1))]);
  return order;
}

Batch make_batch(const ImageSet& set, const std::vector<size_t>& indices, const Pipeline& pipeline, size_t n_views,
                 uint64_t seed, int64_t epoch, const ChannelStats& stats, unsigned threads) {
  const size_t b = indices.size();
  if (b == 0 || n_views == 0) throw std::invalid_argument("make_batch: no images or no views");
  std::vector<std::vector<View>> views(n_views, std::vector<View>(b));
  parallel_for(b * n_views, [&](size_t t) {
    const size_t i = t / n_views, v = t % n_views;
    views[v][i] = pipeline.apply(image_mat(set, indices[i]), v, seed, static_cast<int64_t>(indices[i]), epoch);
  }, threads);
  Batch out;
  out.epoch = epoch;
  out.indices = indices;
  std::vector<int64_t> labels(b, -1);
  for (size_t i = 0; i < b; ++i)
    if (!set.labels.empty()) labels[i] = set.labels[indices[i]];
  out.labels = torch::tensor(labels, torch::kLong);
  for (size_t v = 0; v < n_views; ++v) {
    std::vector<cv::Mat> imgs(b);
    for (size_t i = 0; i < b; ++i) imgs[i] = views[v][i].image;
    const View& first = views[v].front();
    const ChannelStats own = first.mean.empty() ? stats : ChannelStats{first.mean, first.std};
    out.views.push_back(images_to_tensor(imgs, own));
    if (first.label >= 0 || std::any_of(views[v].begin(), views[v].end(), [](const View& x) { return x.label >= 0; })) {
      std::vector<int64_t> t(b);
      for (size_t i = 0; i < b; ++i) t[i] = views[v][i].label;
      out.targets.push_back(torch::tensor(t, torch::kLong));
    } else {
      out.targets.emplace_back();
    }
    if (!first.mask.empty()) {
      const int64_t cells = static_cast<int64_t>(first.mask.masked.size());
      auto m = torch::empty({static_cast<int64_t>(b), cells}, torch::kUInt8);
      auto* p = m.data_ptr<uint8_t>();
      for (size_t i = 0; i < b; ++i)
        for (int64_t k = 0; k < cells; ++k) p[i * cells + k] = views[v][i].mask.masked.at(static_cast<size_t>(k));
      out.masks.push_back(m);
    } else {
      out.masks.emplace_back();
    }
  }
  return out;
}

Loader::Loader(std::shared_ptr<const ImageSet> set, Pipeline pipeline, ChannelStats stats, LoaderOptions options)
    : set_(std::move(set)), pipeline_(std::move(pipeline)), stats_(std::move(stats)), opt_(std::move(options)) {
  if (!set_ || set_->size() == 0) throw std::invalid_argument("loader: empty dataset");
  if (opt_.batch_size == 0 || opt_.batch_size > set_->size())
    throw std::invalid_argument("loader: batch size must be 1.." + std::to_string(set_->size()));
  steps_per_epoch_ = std::max<int64_t>(1, static_cast<int64_t>(set_->size() / opt_.batch_size));
  if (opt_.workers == 0) opt_.workers = std::max(1u, std::thread::hardware_concurrency());
  if (opt_.prefetch == 0) opt_.prefetch = 2 * opt_.workers;
  next_to_build_ = next_to_give_ = opt_.first_step;
  end_step_ = opt_.steps < 0 ? -1 : opt_.first_step + opt_.steps;
  for (unsigned t = 0; t < opt_.workers; ++t) threads_.emplace_back([this] { work(); });
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  space_cv_.notify_all();
  ready_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void Loader::work() {
  for (;;) {
    int64_t step;
    {
      std::unique_lock<std::mutex> lock(mu_);
      space_cv_.wait(lock, [&] {
        return stop_ || error_ || (end_step_ >= 0 && next_to_build_ >= end_step_) ||
               next_to_build_ < next_to_give_ + static_cast<int64_t>(opt_.prefetch);
      });
      if (stop_ || error_ || (end_step_ >= 0 && next_to_build_ >= end_step_)) return;
      step = next_to_build_++;
    }
    try {
      const int64_t epoch = step / steps_per_epoch_;
      std::shared_ptr<const std::vector<size_t>> order;
      {
        // Workers may straddle an epoch boundary, so the last two orders are kept.
        std::lock_guard<std::mutex> lock(order_mu_);
        auto& slot = orders_[epoch];
        if (!slot) slot = std::make_shared<const std::vector<size_t>>(epoch_order(set_->size(), opt_.seed, epoch));
        order = slot;
        while (orders_.size() > 2) orders_.erase(orders_.begin());
      }
      const size_t pos = static_cast<size_t>(step % steps_per_epoch_) * opt_.batch_size;
      std::vector<size_t> idx(order->begin() + static_cast<std::ptrdiff_t>(pos),
                              order->begin() + static_cast<std::ptrdiff_t>(pos + opt_.batch_size));
      Batch b = make_batch(*set_, idx, pipeline_, opt_.views, opt_.seed, epoch, stats_, 1);
      b.step = step;
      if (opt_.device.is_cuda()) {
        // Pinned host memory lets the copy run asynchronously; the tensors on the device keep the
        // copy ordered on the stream before any kernel that reads them.
        for (auto& v : b.views) v = v.pin_memory().to(opt_.device, /*non_blocking=*/true);
        for (auto& m : b.masks)
          if (m.defined()) m = m.pin_memory().to(opt_.device, /*non_blocking=*/true);
        for (auto& t : b.targets)
          if (t.defined()) t = t.pin_memory().to(opt_.device, /*non_blocking=*/true);
      }
      std::lock_guard<std::mutex> lock(mu_);
      done_.emplace(step, std::move(b));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
    ready_cv_.notify_all();
  }
}

std::optional<Batch> Loader::next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (end_step_ >= 0 && next_to_give_ >= end_step_) return std::nullopt;
  ready_cv_.wait(lock, [&] { return error_ || done_.count(next_to_give_); });
  if (error_) std::rethrow_exception(error_);
  auto it = done_.find(next_to_give_);
  Batch b = std::move(it->second);
  done_.erase(it);
  ++next_to_give_;
  lock.unlock();
  space_cv_.notify_all();
  return b;
}

}  // namespace pretext
