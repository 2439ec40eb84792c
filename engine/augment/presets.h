#pragma once
#include <string>
#include <vector>

namespace pretext {
// The JSON presets of resources/presets, compiled in (generated at build time). nullptr if unknown.
const char* preset_json(const std::string& name);
std::vector<std::string> preset_names();
}  // namespace pretext
