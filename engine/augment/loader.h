#pragma once
// A multi-threaded loader: worker threads augment whole batches ahead of the trainer (prefetch), so a
// training step finds its views ready. On CUDA the host tensors are pinned and copied with
// non_blocking, overlapping the transfer with compute. Batches come out in step order and hold the
// same bytes augment_batch gives for the same (seed, indices, epoch): the order of images per epoch
// is the trainer's (epoch_order below).
#include <torch/torch.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/augment/batch.h"
#include "engine/augment/pipeline.h"
#include "engine/data/image_set.h"

namespace pretext {

// The shuffled order of n images in an epoch (Fisher-Yates from (seed, epoch)); the trainer's order.
std::vector<size_t> epoch_order(size_t n, uint64_t seed, int64_t epoch);

struct LoaderOptions {
  size_t batch_size = 256;
  size_t views = 2;           // views per image (a pipeline spec may serve several)
  uint64_t seed = 0;
  int64_t first_step = 0;     // resume: the step the first batch belongs to
  int64_t steps = -1;         // batches to produce; -1: until destroyed
  unsigned workers = 0;       // batch-building threads; 0: hardware concurrency
  size_t prefetch = 0;        // batches ready ahead of the consumer; 0: 2 per worker
  torch::Device device = torch::kCPU;  // CUDA: pinned host memory + non_blocking copies
};



class Loader {
 public:
  Loader(std::shared_ptr<const ImageSet> set, Pipeline pipeline, ChannelStats stats, LoaderOptions options);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // The next batch in step order; blocks until it is ready. std::nullopt after `steps` batches.
  // Rethrows an error raised while building it.
  std::optional<Batch> next();
  int64_t steps_per_epoch() const { return steps_per_epoch_; }

 private:
  void work();

  std::shared_ptr<const ImageSet> set_;
  Pipeline pipeline_;
  ChannelStats stats_;
  LoaderOptions opt_;
  int64_t steps_per_epoch_ = 1;
  int64_t end_step_ = -1;  // exclusive; -1 = unbounded

  std::mutex mu_;
  std::condition_variable ready_cv_, space_cv_;
  std::map<int64_t, Batch> done_;
  std::exception_ptr error_;
  int64_t next_to_build_ = 0, next_to_give_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
  std::mutex order_mu_;
  std::map<int64_t, std::shared_ptr<const std::vector<size_t>>> orders_;
};

}  // namespace pretext
