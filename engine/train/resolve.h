#pragma once
// Config resolution in one place: what a run's config means once the method's recipe fills what the
// user left open. Every field is honoured or refused with a message (the CLI prints it, the GUI shows
// it): an unknown key in a config document, an unknown method parameter, a name not offered.
#include <nlohmann/json.hpp>
#include <string>

#include "engine/methods/method_info.h"  // merged_method_params: the one check of method parameters
#include "engine/train/config.h"

namespace pretext {

// A config with every choice made: method parameters merged over the method's defaults, backbone
// and optimiser named, base_lr and weight_decay set, the pipeline as a document. Precedence: a
// top-level field given explicitly, else the method parameter of the same name (as the user may have
// edited it in the launcher's table), else the method's default, else the engine's. Throws
// std::invalid_argument naming the field for anything invalid. Idempotent.
TrainConfig resolve_config(const TrainConfig& config);

// The single steps of resolve_config, for callers that hold only the method's parameters.
std::string resolve_backbone_name(const std::string& requested, const nlohmann::json& method_params);
std::string resolve_optimizer_name(const std::string& requested, const nlohmann::json& method_params);
double resolve_base_lr(double requested, const nlohmann::json& method_params);
double resolve_weight_decay(double requested, const nlohmann::json& method_params);

}  // namespace pretext
