#include "engine/train/options.h"

#include <stdexcept>

namespace pretext {

std::vector<std::string> optimizer_names() { return {"sgd", "lars", "adamw"}; }
std::vector<std::string> amp_modes() { return {"off", "bf16", "fp16"}; }
std::vector<std::string> device_choices() { return {"auto", "cpu", "cuda"}; }

void require_choice(const std::string& field, const std::string& value, const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (n == value) return;
  throw std::invalid_argument(field + " '" + value + "' is not one of: " + join_names(names));
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace pretext
