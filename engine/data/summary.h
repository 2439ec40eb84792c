#pragma once
// What `pretext-cli inspect` prints and the dataset browser shows: counts, sizes, channels, classes,
// per-channel mean/std, bad files. Plain data, no LibTorch.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/data/image_set.h"

namespace pretext {

struct DatasetSummary {
  std::string origin, format;
  size_t images = 0, scanned = 0;
  int height = 0, width = 0, channels = 0;           // of the cache
  std::map<std::string, size_t> original_sizes;       // "HxW" -> images, before conversion
  std::map<std::string, size_t> original_channels;    // "grey" / "RGB" / "RGBA" (+ " 16-bit") -> images
  std::vector<std::string> class_names;
  std::vector<size_t> class_counts;                   // per class; unlabelled images counted apart
  size_t unlabelled = 0;
  std::vector<double> mean, std;                      // per cache channel, in [0, 1]
  std::vector<BadFile> bad;
  bool memory_mapped = false;

  nlohmann::json to_json() const;
  std::string to_text() const;
};

// Mean/std over every pixel of at most `max_images` evenly spread images.
DatasetSummary summarize(const ImageSet& set, size_t max_images = 20000);

}  // namespace pretext
