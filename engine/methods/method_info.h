#pragma once
// What the front ends need to know about methods, without LibTorch's headers (which cost a minute
// of compile time per file that includes them).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pretext {

struct MethodInfo {
  std::string name;
  std::string summary;
  std::string pipeline;      // default preset
  size_t views = 2;
  nlohmann::json defaults;   // hyper-parameters with published defaults
};

const std::vector<MethodInfo>& method_infos();
const MethodInfo& method_info(const std::string& name);  // throws for unknown names

// Backbone names accepted by make_backbone().
std::vector<std::string> backbone_names();

// "auto" (or empty) becomes the method's default backbone (MAE needs a ViT), else the narrow ResNet
// that trains in minutes on a CPU; any other name is returned as given.
std::string resolve_backbone_name(const std::string& requested, const std::string& method);

}  // namespace pretext
