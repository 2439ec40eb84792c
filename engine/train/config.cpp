#include "engine/train/config.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace pretext {

#define PRETEXT_CONFIG_FIELDS(X)                                                                              \
  X(name) X(data) X(eval_data) X(method) X(backbone) X(pipeline) X(pipeline_json) X(method_params) X(device) \
  X(epochs) X(steps) X(batch) X(optimizer) X(lr) X(base_lr) X(momentum) X(weight_decay) X(warmup_fraction) X(seed)       \
  X(clip_grad_norm) X(lars_eta) X(amp) X(channels_last) X(checkpoint_every)       \
  X(threads) X(workers) X(limit) X(resize) X(knn_k) X(knn_t) X(probe_queries) X(diag_every) X(diag_batch) X(online_knn) \
  X(data_fingerprint) X(probe_every) X(probes) X(time_budget_s) X(preset)

nlohmann::json TrainConfig::to_json() const {
  nlohmann::json j;
#define X(f) j[#f] = f;
  PRETEXT_CONFIG_FIELDS(X)
#undef X
  return j;
}

TrainConfig TrainConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("a run config must be a JSON object");
  // Every key is a field or refused: a misspelt "epoch" must not train with the default silently.
  const std::set<std::string> fields = {
#define X(f) #f,
      PRETEXT_CONFIG_FIELDS(X)
#undef X
  };
  // Written by earlier builds: method_params_resolved before the config was resolved in one place
  // (its content is in the fields); linear_probe before the probes were named in a list (read below).
  const std::set<std::string> retired = {"method_params_resolved", "linear_probe"};
  for (const auto& [key, value] : j.items()) {
    if (fields.count(key) || retired.count(key)) continue;
    std::string known;
    for (const auto& f : fields) known += (known.empty() ? "" : ", ") + f;
    throw std::invalid_argument("unknown field '" + key + "' in the run config (known: " + known + ")");
  }
  TrainConfig c;
#define X(f)                                                                                                    \
  if (j.contains(#f) && !j[#f].is_null()) {                                                                     \
    try {                                                                                                       \
      j[#f].get_to(c.f);                                                                                        \
    } catch (const nlohmann::json::exception&) {                                                               \
      throw std::invalid_argument("field '" #f "' of the run config has the wrong type (" + j[#f].dump() + ")"); \
    }                                                                                                           \
  }
  PRETEXT_CONFIG_FIELDS(X)
#undef X
  if (j.value("linear_probe", false) && std::find(c.probes.begin(), c.probes.end(), "linear") == c.probes.end())
    c.probes.push_back("linear");
  return c;
}

}  // namespace pretext
