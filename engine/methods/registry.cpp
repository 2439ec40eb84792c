// Adding a method: one file, one line in each list below, and its tests.
#include <stdexcept>

#include "engine/methods/barlowtwins.h"
#include "engine/methods/byol.h"
#include "engine/methods/dino.h"
#include "engine/methods/jigsaw.h"
#include "engine/methods/mae.h"
#include "engine/methods/method.h"
#include "engine/methods/moco.h"
#include "engine/methods/rotnet.h"
#include "engine/methods/simclr.h"
#include "engine/methods/simsiam.h"
#include "engine/methods/swav.h"
#include "engine/methods/vicreg.h"

namespace pretext {

const std::vector<MethodInfo>& method_infos() {
  static const std::vector<MethodInfo> infos = {simclr_info(),      moco_info(),   byol_info(),   simsiam_info(),
                                                barlowtwins_info(), vicreg_info(), dino_info(),   swav_info(),
                                                mae_info(),         rotnet_info(), jigsaw_info()};
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
  if (!params.is_null() && !params.is_object()) throw std::runtime_error("method parameters must be a JSON object");
  if (params.is_object()) {
    // A misspelt key would otherwise be ignored silently and the default used.
    for (const auto& [key, value] : params.items())
      if (!p.contains(key)) {
        std::string known;
        for (const auto& [k, v] : p.items()) known += (known.empty() ? "" : ", ") + k;
        throw std::runtime_error("method '" + name + "' has no parameter '" + key + "' (known: " + known + ")");
      }
    p.update(params);
  }
  if (name == "simclr") return std::make_shared<SimCLRImpl>(backbone, p);
  if (name == "moco") return std::make_shared<MoCoImpl>(backbone, p);
  if (name == "byol") return std::make_shared<BYOLImpl>(backbone, p);
  if (name == "simsiam") return std::make_shared<SimSiamImpl>(backbone, p);
  if (name == "barlowtwins") return std::make_shared<BarlowTwinsImpl>(backbone, p);
  if (name == "vicreg") return std::make_shared<VICRegImpl>(backbone, p);
  if (name == "dino") return std::make_shared<DINOImpl>(backbone, p);
  if (name == "swav") return std::make_shared<SwAVImpl>(backbone, p);
  if (name == "mae") return std::make_shared<MAEImpl>(backbone, p);
  if (name == "rotnet") return std::make_shared<RotNetImpl>(backbone, p);
  if (name == "jigsaw") return std::make_shared<JigsawImpl>(backbone, p);
  throw std::runtime_error("method '" + name + "' is registered without a factory");
}

}  // namespace pretext

namespace pretext {

std::vector<std::string> method_names() {
  std::vector<std::string> out;
  for (const auto& m : method_infos()) out.push_back(m.name);
  return out;
}

}  // namespace pretext
