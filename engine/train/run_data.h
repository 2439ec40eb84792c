#pragma once
// A run's data as every part of the engine sees it: the training images, the labelled images the
// probes use and how they split into bank and queries, and the normalisation. One implementation
// for training, `eval`, `project` and `export`, so a probe recomputed later sees what the run saw.
#include <memory>
#include <string>
#include <vector>

#include "engine/augment/batch.h"
#include "engine/data/image_set.h"
#include "engine/train/config.h"

namespace pretext {

struct RunData {
  std::shared_ptr<const ImageSet> train;  // shared with the loader's threads
  std::shared_ptr<const ImageSet> eval;   // labelled query images given apart; null: held out of train
  ChannelStats stats;
  std::vector<size_t> bank;   // into *train
  std::vector<size_t> query;  // into query_set()
  const ImageSet& query_set() const { return eval ? *eval : *train; }
  // Labels on both sides and images in both parts: the kNN probe can run.
  bool can_probe() const;
};

// The probe split without an eval set: a fixed, evenly spread fifth of the labelled images (at most
// `max_queries`) are queries, the rest the bank. Unlabelled images: no split.
void split_probe(const ImageSet& train, size_t max_queries, std::vector<size_t>& bank, std::vector<size_t>& query);

// Loads the data of a (resolved) config: cfg.data with its limit and resize, cfg.eval_data resized to
// the training size, the pipeline's normalisation or the images' own statistics, and the split.
// data / eval_data, when not empty, replace the config's (a probe on other images).
RunData prepare_run_data(const TrainConfig& cfg, const std::string& data = "", const std::string& eval_data = "");

}  // namespace pretext
