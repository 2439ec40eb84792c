// The methods: one table. Adding a method is its file, its tests, its preset and one line in
// kMethods; method_infos(), make_method(), `pretext-cli methods`, the launcher and the tests all read
// the table. (A table rather than self-registering statics: the linker drops those from a static
// library unless something names them.)
#include <algorithm>
#include <stdexcept>

#include "engine/methods/barlowtwins.h"
#include "engine/methods/beit.h"
#include "engine/methods/byol.h"
#include "engine/methods/colorization.h"
#include "engine/methods/dino.h"
#include "engine/methods/ijepa.h"
#include "engine/methods/inpainting.h"
#include "engine/methods/jigsaw.h"
#include "engine/methods/mae.h"
#include "engine/methods/method.h"
#include "engine/methods/moco.h"
#include "engine/methods/relative_location.h"
#include "engine/methods/rotnet.h"
#include "engine/methods/simclr.h"
#include "engine/methods/simsiam.h"
#include "engine/methods/swav.h"
#include "engine/methods/vicreg.h"

namespace pretext {
namespace {

using MethodFactory = std::shared_ptr<MethodImpl> (*)(std::shared_ptr<BackboneImpl>, const nlohmann::json&);

template <class Impl>
std::shared_ptr<MethodImpl> construct(std::shared_ptr<BackboneImpl> backbone, const nlohmann::json& params) {
  return std::make_shared<Impl>(std::move(backbone), params);
}

struct MethodEntry {
  MethodInfo (*info)();
  MethodFactory make;
};

const MethodEntry kMethods[] = {
    {simclr_info, construct<SimCLRImpl>},   {moco_info, construct<MoCoImpl>},
    {byol_info, construct<BYOLImpl>},       {simsiam_info, construct<SimSiamImpl>},
    {barlowtwins_info, construct<BarlowTwinsImpl>}, {vicreg_info, construct<VICRegImpl>},
    {dino_info, construct<DINOImpl>},       {swav_info, construct<SwAVImpl>},
    {mae_info, construct<MAEImpl>},         {rotnet_info, construct<RotNetImpl>},
    {jigsaw_info, construct<JigsawImpl>},   {relative_location_info, construct<RelativeLocationImpl>},
    {colorization_info, construct<ColorizationImpl>}, {inpainting_info, construct<InpaintingImpl>},
    {beit_info, construct<BEiTImpl>},       {ijepa_info, construct<IJEPAImpl>},
};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

const std::vector<MethodInfo>& method_infos() {
  static const std::vector<MethodInfo> infos = [] {
    std::vector<MethodInfo> out;
    for (const auto& entry : kMethods) out.push_back(entry.info());
    return out;
  }();
  return infos;
}

std::vector<std::string> method_names() {
  std::vector<std::string> out;
  for (const auto& m : method_infos()) out.push_back(m.name);
  return out;
}

std::vector<std::string> method_families() {
  std::vector<std::string> out;
  for (const auto& m : method_infos())
    if (std::find(out.begin(), out.end(), m.family) == out.end()) out.push_back(m.family);
  return out;
}

const MethodInfo& method_info(const std::string& name) {
  for (const auto& m : method_infos())
    if (m.name == name) return m;
  throw std::invalid_argument("unknown method '" + name + "' (known: " + joined(method_names()) + ")");
}

nlohmann::json merged_method_params(const std::string& method, const nlohmann::json& params) {
  nlohmann::json merged = method_info(method).defaults;  // throws for an unknown method
  if (params.is_null()) return merged;
  if (!params.is_object()) throw std::invalid_argument("method_params must be a JSON object");
  for (const auto& [key, value] : params.items()) {
    // A misspelt key would otherwise be ignored silently and the default used.
    if (!merged.contains(key)) {
      std::vector<std::string> known;
      for (const auto& [k, v] : merged.items()) known.push_back(k);
      throw std::invalid_argument("method '" + method + "' has no parameter '" + key + "' (known: " + joined(known) + ")");
    }
    merged[key] = value;
  }
  return merged;
}

std::shared_ptr<MethodImpl> make_method(const std::string& name, const nlohmann::json& params,
                                        std::shared_ptr<BackboneImpl> backbone) {
  const nlohmann::json merged = merged_method_params(name, params);
  const auto& infos = method_infos();
  for (size_t i = 0; i < infos.size(); ++i)
    if (infos[i].name == name) return kMethods[i].make(std::move(backbone), merged);
  throw std::logic_error("unreachable: merged_method_params accepted an unknown method");
}

}  // namespace pretext
