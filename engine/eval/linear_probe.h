#pragma once
// The linear probe: a multinomial logistic regression on frozen features, the standard measure of a
// representation next to kNN. Features are standardised with the training set's statistics; the
// classifier is fitted by L-BFGS on the whole (cached) feature matrix until its gradient is small;
// the weight decay is chosen from a grid (widened when the best value is on its edge) on a held-out
// part of the training features, never on the test set, then refitted on all training features.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "engine/eval/probes.h"

namespace pretext {

struct LinearProbeOptions {
  std::vector<double> weight_decays = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2};  // L2 on the weights, per sample
  int max_iterations = 1000;      // a cap on L-BFGS iterations per fit; a fit stops at its tolerance
  double holdout_fraction = 0.2;  // of the training features, for choosing the weight decay
  uint64_t seed = 0;              // the held-out split
  CancelFn cancelled;             // polled at every evaluation of the loss (throws Cancelled)
};

struct LinearProbeResult {
  double train_accuracy = 0, test_accuracy = 0;
  double weight_decay = 0;  // the one chosen
  int64_t train = 0, test = 0;
  int64_t classes = 0;
  std::vector<int64_t> confusion;  // classes x classes on the test set, row = true class, column = predicted
};

// train_x [N, D], train_y [N] int64 in [0, C); test_x [M, D], test_y [M]. Rows labelled -1 are dropped.
LinearProbeResult linear_probe(const torch::Tensor& train_x, const torch::Tensor& train_y, const torch::Tensor& test_x,
                               const torch::Tensor& test_y, const LinearProbeOptions& options = {});

// The linear probe as the probes table runs it, with the default options.
ProbeEvent linear_probe_event(const ProbeData& data, const ProbeOptions& options, const CancelFn& cancelled);

}  // namespace pretext
