// Adding a method: one file, one line in each list below, and its tests.
#include <stdexcept>

#include "engine/methods/method.h"
#include "engine/methods/simclr.h"

namespace pretext {

const std::vector<MethodInfo>& method_infos() {
  static const std::vector<MethodInfo> infos = {simclr_info()};
  return infos;
}

const MethodInfo& method_info(const std::string& name) {
  for (const auto& m : method_infos())
    if (m.name == name) return m;
  std::string known;
  for (const auto& m : method_infos()) known += (known.empty() ? "" : ", ") + m.name;
  throw std::runtime_error("unknown method '" + name + "' (known: " + known + ")");
}

std::shared_ptr<MethodImpl> make_method(const std::string& name, const nlohmann::json& params,
                                        std::shared_ptr<BackboneImpl> backbone) {
  nlohmann::json p = method_info(name).defaults;
  if (params.is_object()) p.update(params);
  if (name == "simclr") return std::make_shared<SimCLRImpl>(backbone, p);
  throw std::runtime_error("method '" + name + "' is registered without a factory");
}

}  // namespace pretext
