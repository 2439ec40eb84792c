#pragma once
// The backbone names make_backbone() accepts, free of LibTorch headers so that the CLI's
// validators and the GUI's combo boxes offer exactly these.
#include <string>
#include <vector>

namespace pretext {

std::vector<std::string> backbone_names();

}  // namespace pretext
