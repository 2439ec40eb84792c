#pragma once
// The data-fitting phase of a run: methods whose targets come from the data itself (BEiT-style
// masked prediction's patch vocabulary) fit them once, before the first step; runs on the same data
// share the result through a cache beside the database.
#include <string>
#include <vector>

#include "engine/methods/method.h"
#include "engine/train/run_data.h"

namespace pretext {

// Where a fit of `key` on these images (by fingerprint) and this normalisation is cached:
// "<db>.runs/fitted/<hash>.pt". "" without a database.
std::string data_fit_cache_path(const std::string& db_path, const std::string& fingerprint, const ChannelStats& stats,
                                const std::string& key);

// Fits method to the training images (an evenly spread sample of them), or loads the cached fit at
// cache_path when there is one, and caches a new fit there. Returns a line for the log; "" when the
// method fits nothing.
std::string fit_method_to_data(MethodImpl& method, const RunData& data, const std::string& cache_path);

// Fits method (when it fits anything) to these images, as many of them as it asks for: device checks
// and tests, which have no dataset. mean/std: the images' normalisation (none when empty).
void fit_method_to_images(MethodImpl& method, const torch::Tensor& images, const std::vector<double>& mean = {},
                          const std::vector<double>& std = {});

}  // namespace pretext
