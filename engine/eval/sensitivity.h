#pragma once
// Which invariances did the network learn? For each op of a run's augmentation pipeline, how far the
// embedding of an image moves when only that op is applied to it: the mean cosine distance
// 1 - cos(f(x), f(op(x))) over a fixed sample. Low: the network learned to ignore what the op does;
// high: it still sees it. The other half of the studio's story (what the network is asked to be
// invariant to), measured after training. This header is free of LibTorch (the front ends show the
// results); engine/eval/sensitivity_probe.h measures them.
#include <string>
#include <vector>

#include "engine/augment/pipeline.h"

namespace pretext {

struct OpSensitivity {
  std::string op;
  double distance = 0;        // mean of 1 - cos over the sample
  double standard_error = 0;  // of that mean
  size_t images = 0;
};

// The ops measured: each op of the pipeline's views once (with the parameters it first appears
// with), always applied (p = 1). normalize (the encoder's input, not a change of content) and the
// pretext tasks' own ops (mae_mask, jigsaw) are left out.
std::vector<OpSpec> sensitivity_ops(const Pipeline& pipeline);

}  // namespace pretext
