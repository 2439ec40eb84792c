#pragma once
// Named run recipes: `pretext-cli train --preset NAME` and the launcher's Preset box read the same
// list. A preset is a set of TrainConfig fields; the user's explicit choices override it field by
// field. The CPU recipes were chosen by measurement (bench/cpu_recipes, table in bench/README.md).
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/train/config.h"

namespace pretext {

struct RunPreset {
  std::string name;       // as given to --preset
  std::string title;      // as the launcher lists it
  std::string summary;    // one sentence: what it is for and where its numbers come from
  bool expects_gpu = false;
  nlohmann::json config;  // TrainConfig fields (from_json's names)
};

const std::vector<RunPreset>& run_presets();
std::vector<std::string> run_preset_names();
// Throws std::invalid_argument naming the presets offered.
const RunPreset& run_preset(const std::string& name);

// The config with the preset's fields laid over it, except the fields for which given_by_user is
// true (explicit flags win). The preset's method parameters are dropped when the user chose another
// method: they are that method's. The result names the preset (TrainConfig::preset).
TrainConfig with_run_preset(const TrainConfig& config, const RunPreset& preset,
                            const std::function<bool(const std::string& field)>& given_by_user);

}  // namespace pretext
