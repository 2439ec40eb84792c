#pragma once
// What the front ends need to know about methods, without LibTorch's headers (which cost a minute
// of compile time per file that includes them).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/models/names.h"

namespace pretext {

struct MethodInfo {
  std::string name;
  std::string summary;
  std::string pipeline;      // default preset
  size_t views = 2;
  nlohmann::json defaults;   // hyper-parameters with published defaults
  // The family the method list groups it under, as its heading reads: kJointEmbedding (views of an
  // image agree in one embedding space) or kPretextTask (hide or alter part of the input and
  // predict it back).
  std::string family = kJointEmbedding;
  static constexpr const char* kJointEmbedding = "Joint-embedding methods";
  static constexpr const char* kPretextTask = "Pretext tasks";
};

// The families in the order the method list shows them, each once.
std::vector<std::string> method_families();

const std::vector<MethodInfo>& method_infos();
const MethodInfo& method_info(const std::string& name);  // throws for unknown names
std::vector<std::string> method_names();
// The method's published defaults with params laid over them. Throws std::invalid_argument for an
// unknown method, params that are not an object, or a key the method does not have (a misspelt key
// would otherwise be ignored and the default used). make_method and resolve_config both check here.
nlohmann::json merged_method_params(const std::string& method, const nlohmann::json& params);

}  // namespace pretext
