#pragma once
// The names under which a run's values are stored (the metrics table) and read back (runs page,
// `runs compare --metric`, resume). Defined here once: the store sink writes them, readers ask for them.
#include <string>

namespace pretext::metric {

inline constexpr const char* kLoss = "loss";
inline constexpr const char* kLearningRate = "lr";
inline constexpr const char* kImagesPerSecond = "images_per_s";
inline constexpr const char* kDeviceMemoryMb = "device_memory_mb";

// Collapse diagnostics (engine/eval/diagnostics.h), under diagnostic().
inline constexpr const char* kZStd = "z_std";
inline constexpr const char* kRankMe = "rankme";
inline constexpr const char* kAlignment = "alignment";
inline constexpr const char* kUniformity = "uniformity";
inline constexpr const char* kOnlineKnn = "online_knn";

// A named term of a multi-term loss (VICReg's variance, ...): "loss/<term>".
inline std::string loss_component(const std::string& term) { return std::string(kLoss) + "/" + term; }
// A diagnostic or a method monitor (DINO's teacher entropy): "diag/<name>". The store's
// `diagnostics` view selects these rows by that prefix.
inline std::string diagnostic(const std::string& name) { return "diag/" + name; }

}  // namespace pretext::metric
