#include "engine/train/resolve.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "engine/augment/pipeline.h"
#include "engine/eval/probes.h"
#include "engine/methods/method_info.h"
#include "engine/models/names.h"
#include "engine/train/options.h"

namespace pretext {
namespace {

std::string param_string(const nlohmann::json& params, const char* key, const std::string& fallback) {
  if (params.is_object() && params.contains(key) && params[key].is_string()) return params[key].get<std::string>();
  return fallback;
}

double param_number(const nlohmann::json& params, const char* key, double fallback) {
  if (params.is_object() && params.contains(key) && params[key].is_number()) return params[key].get<double>();
  return fallback;
}

void require_device(const std::string& device) {
  const auto choices = device_choices();
  if (std::find(choices.begin(), choices.end(), device) != choices.end()) return;
  const bool cuda_index = device.rfind("cuda:", 0) == 0 && device.size() > 5 &&
                          device.find_first_not_of("0123456789", 5) == std::string::npos;
  if (!cuda_index)
    throw std::invalid_argument("device '" + device + "' is not one of: " + join_names(device_choices()) + ", cuda:N");
}

void require_sizes(const TrainConfig& c) {
  if (c.batch < 2) throw std::invalid_argument("batch must be at least 2 (got " + std::to_string(c.batch) + ")");
  if (c.epochs < 1 && c.steps <= 0) throw std::invalid_argument("epochs must be at least 1, or steps given");
  if (c.steps < 0) throw std::invalid_argument("steps must not be negative");
  if (c.warmup_fraction < 0 || c.warmup_fraction >= 1) throw std::invalid_argument("warmup_fraction must be in [0, 1)");
  if (c.knn_k < 1) throw std::invalid_argument("knn_k must be at least 1");
  if (c.knn_t <= 0) throw std::invalid_argument("knn_t must be positive");
  if (c.checkpoint_every < 0) throw std::invalid_argument("checkpoint_every must not be negative");
  if (c.probe_every < 0) throw std::invalid_argument("probe_every must not be negative");
  if (c.time_budget_s < 0) throw std::invalid_argument("time_budget_s must not be negative");
}

// An absolute, normalised path ("a/../b" read as "b"), so a run read back from another working
// folder (eval, resume, the app's probe) finds the same images and the datasets table keys one
// folder once. Symbolic links are kept as given: an IDX file finds its labels by its own name.
std::string absolute_data_path(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

}  // namespace

std::string resolve_backbone_name(const std::string& requested, const nlohmann::json& method_params) {
  if (!requested.empty() && requested != "auto") return requested;
  // Methods without a default train the narrow ResNet, which learns in minutes on a CPU.
  return param_string(method_params, "backbone", "resnet-tiny");
}

std::string resolve_optimizer_name(const std::string& requested, const nlohmann::json& method_params) {
  if (!requested.empty() && requested != "auto") return requested;
  return param_string(method_params, "optimizer", "sgd");
}

double resolve_base_lr(double requested, const nlohmann::json& method_params) {
  // SGD's 0.06 per 256 images, as Lightly's CIFAR-10 benchmark.
  return requested > 0 ? requested : param_number(method_params, "base_lr", 0.06);
}

double resolve_weight_decay(double requested, const nlohmann::json& method_params) {
  return requested >= 0 ? requested : param_number(method_params, "weight_decay", 5e-4);
}

// The run's probes in the table's order, each once, the kNN among them; an unknown name is refused.
std::vector<std::string> resolve_probes(const std::vector<std::string>& asked) {
  for (const auto& name : asked) probe_kind(name);
  std::vector<std::string> out;
  for (const auto& kind : probe_kinds())
    if (kind.name == "knn" || std::find(asked.begin(), asked.end(), kind.name) != asked.end()) out.push_back(kind.name);
  return out;
}

TrainConfig resolve_config(const TrainConfig& config) {
  TrainConfig c = config;
  try {
    method_info(c.method);
  } catch (const std::exception& e) {
    throw std::invalid_argument(e.what());
  }
  c.method_params = merged_method_params(c.method, c.method_params);
  c.backbone = resolve_backbone_name(c.backbone, c.method_params);
  c.optimizer = resolve_optimizer_name(c.optimizer, c.method_params);
  c.base_lr = resolve_base_lr(c.base_lr, c.method_params);
  c.weight_decay = resolve_weight_decay(c.weight_decay, c.method_params);
  // The run keeps what it was asked for (a top-level choice wins over the table) in both places,
  // so the stored config reads the same wherever one looks.
  for (const char* key : {"backbone", "optimizer"})
    if (c.method_params.contains(key)) c.method_params[key] = key == std::string("backbone") ? c.backbone : c.optimizer;
  if (c.method_params.contains("base_lr")) c.method_params["base_lr"] = c.base_lr;
  if (c.method_params.contains("weight_decay")) c.method_params["weight_decay"] = c.weight_decay;
  require_choice("backbone", c.backbone.substr(0, c.backbone.find_first_of("/@")), backbone_names());
  require_choice("optimizer", c.optimizer, optimizer_names());
  require_choice("amp", c.amp, amp_modes());
  require_device(c.device);
  require_sizes(c);
  c.probes = resolve_probes(c.probes);
  c.data = absolute_data_path(c.data);
  c.eval_data = absolute_data_path(c.eval_data);
  if (!c.pipeline_json.is_object())
    c.pipeline_json = Pipeline::load(c.pipeline.empty() ? method_info(c.method).pipeline : c.pipeline).to_json();
  return c;
}

}  // namespace pretext
