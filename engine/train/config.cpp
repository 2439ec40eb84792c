#include "engine/train/config.h"

#include "engine/augment/json_fields.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <type_traits>

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

namespace {

[[noreturn]] void refuse_field(const char* name, const std::string& why, const nlohmann::json& v) {
  throw std::invalid_argument("field '" + std::string(name) + "' of the run config " + why + " (" + v.dump() + ")");
}

// One field, read by its type: numbers checked against the field before any conversion.
template <typename T>
void read_field(const nlohmann::json& v, T& out, const char* name) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (!v.is_number()) refuse_field(name, "must be a whole number", v);
    if (!whole_number_within(v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max())) refuse_field(name, "must be a whole number in [" + std::to_string(std::numeric_limits<T>::min()) +
                                                  ", " + std::to_string(std::numeric_limits<T>::max()) + "]", v);
    out = v.is_number_float() ? T(v.get<double>()) : v.is_number_unsigned() ? T(v.get<uint64_t>()) : T(v.get<int64_t>());
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) refuse_field(name, "must be a number", v);
    out = v.get<T>();
  } else {
    try {
      v.get_to(out);
    } catch (const nlohmann::json::exception&) {
      refuse_field(name, "has the wrong type", v);
    }
  }
}

}  // namespace

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
#define X(f) \
  if (j.contains(#f) && !j[#f].is_null()) read_field(j[#f], c.f, #f);
  PRETEXT_CONFIG_FIELDS(X)
#undef X
  if (j.value("linear_probe", false) && std::find(c.probes.begin(), c.probes.end(), "linear") == c.probes.end())
    c.probes.push_back("linear");
  return c;
}

}  // namespace pretext
