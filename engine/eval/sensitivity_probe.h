#pragma once
// The measurement behind engine/eval/sensitivity.h.
#include "engine/eval/features.h"
#include "engine/eval/sensitivity.h"

namespace pretext {

// images[sample] through `encode` as is and with each op of sensitivity_ops(pipeline) alone (seeded
// per image, so a second call measures the same draws); the op's output keeps the image's size.
// Polls `cancelled` between batches (throws Cancelled).
std::vector<OpSensitivity> augmentation_sensitivity(const Encoder& encode, const ImageSet& images,
                                                    const std::vector<size_t>& sample, const Pipeline& pipeline,
                                                    const ChannelStats& stats, const torch::Device& device,
                                                    uint64_t seed, const CancelFn& cancelled = {});

}  // namespace pretext
