#pragma once
// Comparing runs: what the compare view of the runs page shows (overlaid curves, a probe table side
// by side, a config diff). Plain data out; no LibTorch, no Qt.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/smoothing.h"  // smooth_ema, for the series below
#include "engine/store/store.h"

namespace pretext {

struct MetricSeries {
  int64_t run_id = 0;
  std::string run_name, metric;
  std::vector<int64_t> steps;
  std::vector<double> values;
};

// One series per run (in the order given); a run without that metric gets an empty series.
std::vector<MetricSeries> metric_series(Store& store, const std::vector<int64_t>& runs, const std::string& metric);

// Metric names that at least one of the runs has, sorted.
std::vector<std::string> common_metric_names(Store& store, const std::vector<int64_t>& runs);

// The run's most recent probe of a kind ("knn", "linear"), as the runs lists show it.
std::optional<ProbeEvent> last_probe(Store& store, int64_t run, const std::string& kind);

// Probe results side by side: one row per (kind, k), one cell per run (the run's last probe of
// that kind and k; empty when it has none).
struct ProbeRow {
  std::string kind;
  int k = 0;
  std::vector<std::optional<double>> accuracy;  // aligned with the runs given
};
std::vector<ProbeRow> probe_table(Store& store, const std::vector<int64_t>& runs);

// Probe results as curves over steps, listed beside the metrics in the compare view: one curve per
// probe kind and k ("probe knn k=200", "probe linear"), its points the probes scheduled during
// training and the run's end (the latest at a step).
std::string probe_curve_name(const ProbeEvent& p);
std::vector<std::string> probe_curve_names(Store& store, const std::vector<int64_t>& runs);  // sorted
// One series per run (in the order given), empty for a run without that probe.
std::vector<MetricSeries> probe_curve(Store& store, const std::vector<int64_t>& runs, const std::string& name);

// What the same probe read without learning on the runs' data (the end-of-run split): the untrained
// backbone and the raw pixels, once per dataset and backbone among the runs. The lines a probe's
// curve is read against; none for a probe no baseline was measured for (the linear probe).
struct ReferenceLine {
  std::string label;
  double value = 0;
};
std::vector<ReferenceLine> probe_baselines(Store& store, const std::vector<int64_t>& runs, const std::string& name);

// Config diff. Keys are JSON pointers into the configs ("/method_params/temperature"); objects are
// compared key by key, arrays and scalars as values. A key one side lacks shows as null there.
struct ConfigDifference {
  std::string key;
  nlohmann::json a, b;
};
std::vector<ConfigDifference> config_diff(const nlohmann::json& a, const nlohmann::json& b);

// The same over several configs: the keys where not all of them agree, one value per config.
struct ConfigDiffRow {
  std::string key;
  std::vector<nlohmann::json> values;
};
std::vector<ConfigDiffRow> config_diff(const std::vector<nlohmann::json>& configs);

// Loads the runs' stored configs and diffs them. Throws for an unknown run or an unparsable config.
std::vector<ConfigDiffRow> config_diff(Store& store, const std::vector<int64_t>& runs);

}  // namespace pretext
