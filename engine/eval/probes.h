#pragma once
// The probes as one table: each entry names a probe (its stored kind, its `eval --NAME` flag, its
// check box in the app), says what it measures, and runs on frozen features of a labelled bank and
// query set. The trainer's scheduled and end-of-run probes, `eval`, the launcher and the runs page's
// probe dialog all read this table: adding a probe is one file and one line here.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/core/cancel.h"
#include "engine/core/events.h"

namespace pretext {

// Frozen, L2-normalised features with their labels (-1: unlabelled, ignored).
struct ProbeData {
  torch::Tensor bank, bank_labels, query, query_labels;
};

// The settings a probe may read; each probe reads its own.
struct ProbeOptions {
  int k = 200;               // kNN neighbours
  double temperature = 0.1;  // kNN vote temperature
};

struct ProbeKind {
  std::string name;   // the stored kind and the flag: "knn", "linear"
  std::string title;  // as printed: "kNN", "linear"
  std::string help;   // what it measures: the flag's help and the check box's tooltip
  // The probe's result as an event (run and step left for the caller). Polls `cancelled`.
  ProbeEvent (*run)(const ProbeData& data, const ProbeOptions& options, const CancelFn& cancelled);
};

const std::vector<ProbeKind>& probe_kinds();

// The probes without a header of their own (engine/eval/centroid_probe.cpp).
ProbeEvent centroid_probe_event(const ProbeData& data, const ProbeOptions& options, const CancelFn& cancelled);
// The entry named `name`; throws std::invalid_argument naming the known probes.
const ProbeKind& probe_kind(const std::string& name);

}  // namespace pretext
