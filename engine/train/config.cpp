#include "engine/train/config.h"

namespace pretext {

#define PRETEXT_CONFIG_FIELDS(X)                                                                              \
  X(name) X(data) X(eval_data) X(method) X(backbone) X(pipeline) X(pipeline_json) X(method_params) X(device) \
  X(epochs) X(steps) X(batch) X(optimizer) X(lr) X(base_lr) X(momentum) X(weight_decay) X(warmup_fraction) X(seed)       \
  X(clip_grad_norm) X(lars_eta) X(amp) X(channels_last) X(checkpoint_every)       \
  X(threads) X(workers) X(limit) X(resize) X(knn_k) X(knn_t) X(probe_queries) X(diag_every) X(diag_batch) X(online_knn)

nlohmann::json TrainConfig::to_json() const {
  nlohmann::json j;
#define X(f) j[#f] = f;
  PRETEXT_CONFIG_FIELDS(X)
#undef X
  return j;
}

TrainConfig TrainConfig::from_json(const nlohmann::json& j) {
  TrainConfig c;
#define X(f) \
  if (j.contains(#f) && !j[#f].is_null()) j[#f].get_to(c.f);
  PRETEXT_CONFIG_FIELDS(X)
#undef X
  return c;
}

}  // namespace pretext
