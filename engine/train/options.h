#pragma once
// The choices a run offers, listed once: the CLI's validators, the GUI's combo boxes and the
// engine's own checks all read these. Free of LibTorch headers. (Methods: method_names() in
// engine/methods/method_info.h; backbones: backbone_names() in engine/models/names.h.)
#include <string>
#include <vector>

namespace pretext {

std::vector<std::string> optimizer_names();  // sgd, lars, adamw
std::vector<std::string> amp_modes();        // off, bf16, fp16
std::vector<std::string> device_choices();   // auto, cpu, cuda (cuda:N is accepted too)

// "a, b, c" for messages.
std::string join_names(const std::vector<std::string>& names);

// Throws std::invalid_argument "<field> '<value>' is not one of: <names>" unless value is offered:
// the one message the CLI and the GUI show for a choice that is not on the list.
void require_choice(const std::string& field, const std::string& value, const std::vector<std::string>& names);

}  // namespace pretext
