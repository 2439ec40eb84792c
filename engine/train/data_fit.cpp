#include "engine/train/data_fit.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <sstream>
#include <vector>

#include "engine/augment/batch.h"
#include "engine/core/atomic_file.h"

namespace pretext {
namespace {

// count images spread evenly over the set (all of them when it has fewer): the same sample for the
// same data, without a seed.
std::vector<size_t> evenly_spread(size_t size, int64_t count) {
  const size_t n = std::min(size, static_cast<size_t>(std::max<int64_t>(1, count)));
  std::vector<size_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(i * size / n);
  return out;
}

MethodImpl::Fitted load_cached(const std::string& path) {
  if (path.empty() || !std::filesystem::exists(path)) return {};
  try {
    MethodImpl::Fitted t;
    torch::load(t, path);
    return t;
  } catch (const std::exception&) {
    return {};  // unreadable: fit again and replace it
  }
}

void save_cached(const MethodImpl::Fitted& fitted, const std::string& path) {
  if (path.empty()) return;
  write_file_atomically(path, [&](std::ostream& out) { torch::save(fitted, out); });
}

}  // namespace

std::string data_fit_cache_path(const std::string& db_path, const std::string& fingerprint, const ChannelStats& stats,
                                const std::string& key) {
  if (db_path.empty()) return "";
  std::ostringstream id;
  id << key << '|' << fingerprint;
  for (double v : stats.mean) id << '|' << v;
  for (double v : stats.std) id << '|' << v;
  char name[32];
  std::snprintf(name, sizeof name, "%016zx.pt", std::hash<std::string>{}(id.str()));
  return db_path + ".runs/fitted/" + name;
}

std::string fit_method_to_data(MethodImpl& method, const RunData& data, const std::string& cache_path) {
  const std::string key = method.data_fit_key();
  if (key.empty()) return "";
  MethodImpl::Fitted fitted = load_cached(cache_path);
  if (!fitted.empty()) {
    try {
      method.use_fitted(fitted);
      return key + ": reused the fit of an earlier run on the same data";
    } catch (const std::exception&) {
      // a cache of another shape under a colliding name: fit again
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  int64_t images = 0;
  fitted = method.fit_to_data({[&](int64_t count) {
                                  const auto indices = evenly_spread(data.train->size(), count);
                                  images = static_cast<int64_t>(indices.size());
                                  return dataset_tensor(*data.train, indices, data.stats);
                                },
                                data.stats.mean, data.stats.std});
  method.use_fitted(fitted);
  save_cached(fitted, cache_path);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char line[160];
  std::snprintf(line, sizeof line, ": fitted on %lld images in %.1f s", static_cast<long long>(images), s);
  return key + line;
}

void fit_method_to_images(MethodImpl& method, const torch::Tensor& images, const std::vector<double>& mean,
                          const std::vector<double>& std) {
  if (method.data_fit_key().empty()) return;
  const size_t c = static_cast<size_t>(images.size(1));
  method.use_fitted(method.fit_to_data({[&](int64_t count) { return images.slice(0, 0, count).to(torch::kCPU); },
                                        mean.empty() ? std::vector<double>(c, 0.0) : mean,
                                        std.empty() ? std::vector<double>(c, 1.0) : std}));
}

}  // namespace pretext
