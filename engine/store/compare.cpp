#include "engine/store/compare.h"

#include <map>
#include <set>
#include <stdexcept>

namespace pretext {
namespace {

// Leaves (non-object values) by JSON pointer. An empty object is a leaf, so {} vs missing shows.
void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, nlohmann::json>& out) {
  if (j.is_object() && !j.empty()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      std::string key = it.key();
      // JSON pointer escaping (RFC 6901), so a key with '/' stays one key.
      for (size_t p = 0; (p = key.find('~', p)) != std::string::npos; p += 2) key.replace(p, 1, "~0");
      for (size_t p = 0; (p = key.find('/', p)) != std::string::npos; p += 2) key.replace(p, 1, "~1");
      flatten(it.value(), prefix + "/" + key, out);
    }
  } else {
    out[prefix.empty() ? "/" : prefix] = j;
  }
}

// A run's series with nothing in it yet: which run, its name, what the points will be.
MetricSeries empty_series(Store& store, int64_t run, const std::string& what) {
  const auto r = store.run(run);
  if (!r) throw std::runtime_error("no run " + std::to_string(run));
  MetricSeries s;
  s.run_id = run;
  s.run_name = r->name;
  s.metric = what;
  return s;
}

}  // namespace

std::vector<MetricSeries> metric_series(Store& store, const std::vector<int64_t>& runs, const std::string& metric) {
  std::vector<MetricSeries> out;
  for (int64_t id : runs) {
    MetricSeries s = empty_series(store, id, metric);
    for (const auto& [step, value] : store.metric(id, metric)) {
      s.steps.push_back(step);
      s.values.push_back(value);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> common_metric_names(Store& store, const std::vector<int64_t>& runs) {
  std::set<std::string> names;
  for (int64_t id : runs)
    for (auto& n : store.metric_names(id)) names.insert(n);
  return {names.begin(), names.end()};
}

std::optional<ProbeEvent> last_probe(Store& store, int64_t run, const std::string& kind) {
  const auto probes = store.probes(run);  // in the order they were recorded
  for (auto it = probes.rbegin(); it != probes.rend(); ++it)
    if (it->kind == kind) return *it;
  return std::nullopt;
}

std::vector<ProbeRow> probe_table(Store& store, const std::vector<int64_t>& runs) {
  std::map<std::pair<std::string, int>, std::vector<std::optional<double>>> rows;
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const auto& p : store.probes(runs[i])) {  // ordered by insertion: the last one wins
      auto& row = rows[{p.kind, p.k}];
      row.resize(runs.size());
      row[i] = p.accuracy;
    }
  }
  std::vector<ProbeRow> out;
  for (auto& [key, acc] : rows) out.push_back({key.first, key.second, acc});
  return out;
}

std::string probe_curve_name(const ProbeEvent& p) {
  return "probe " + p.kind + (p.kind == "knn" ? " k=" + std::to_string(p.k) : std::string());
}

std::vector<std::string> probe_curve_names(Store& store, const std::vector<int64_t>& runs) {
  std::set<std::string> names;
  for (int64_t id : runs)
    for (const auto& p : store.probes(id)) names.insert(probe_curve_name(p));
  return {names.begin(), names.end()};
}

std::vector<MetricSeries> probe_curve(Store& store, const std::vector<int64_t>& runs, const std::string& name) {
  std::vector<MetricSeries> out;
  for (int64_t id : runs) {
    MetricSeries s = empty_series(store, id, name);
    std::map<int64_t, double> by_step;  // recorded in order: a later probe at a step replaces an earlier one
    for (const auto& p : store.probes(id))
      if (probe_curve_name(p) == name) by_step[p.step] = p.accuracy;
    for (const auto& [step, accuracy] : by_step) {
      s.steps.push_back(step);
      s.values.push_back(accuracy);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ReferenceLine> probe_baselines(Store& store, const std::vector<int64_t>& runs, const std::string& name) {
  std::set<std::pair<std::string, std::string>> seen;  // (dataset, backbone)
  std::set<std::string> datasets;
  std::vector<std::pair<BaselineRecord, int64_t>> found;  // with the first run that has it
  for (int64_t id : runs) {
    const auto r = store.run(id);
    if (!r) throw std::runtime_error("no run " + std::to_string(id));
    const std::string dataset = nlohmann::json::parse(r->config).value("data_fingerprint", std::string());
    datasets.insert(dataset);
    if (!seen.insert({dataset, r->backbone}).second) continue;
    for (const auto& b : store.baselines(dataset, r->backbone)) {
      if (b.scope != "final") continue;
      const auto params = nlohmann::json::parse(b.params.empty() ? "{}" : b.params);
      ProbeEvent as_probe;  // baselines are kNN readings; their k names the curve they belong to
      as_probe.kind = "knn";
      as_probe.k = params.value("k", 0);
      if (probe_curve_name(as_probe) == name) found.push_back({b, id});
    }
  }
  std::vector<ReferenceLine> out;
  std::set<std::string> labels;
  for (const auto& [b, run] : found) {
    std::string label = b.baseline == "raw_pixels" ? "raw pixels" : "untrained " + b.backbone;
    if (datasets.size() > 1) label += " (run " + std::to_string(run) + "'s data)";
    if (labels.insert(label).second) out.push_back({label, b.accuracy});
  }
  return out;
}

std::vector<ConfigDiffRow> config_diff(const std::vector<nlohmann::json>& configs) {
  std::vector<std::map<std::string, nlohmann::json>> flat(configs.size());
  std::set<std::string> keys;
  for (size_t i = 0; i < configs.size(); ++i) {
    flatten(configs[i], "", flat[i]);
    for (auto& [k, v] : flat[i]) keys.insert(k);
  }
  std::vector<ConfigDiffRow> out;
  for (const auto& k : keys) {
    ConfigDiffRow row{k, {}};
    bool differs = false;
    for (size_t i = 0; i < flat.size(); ++i) {
      auto it = flat[i].find(k);
      row.values.push_back(it == flat[i].end() ? nlohmann::json() : it->second);
      if (i > 0 && row.values[i] != row.values[0]) differs = true;
    }
    if (differs) out.push_back(std::move(row));
  }
  return out;
}

std::vector<ConfigDifference> config_diff(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<ConfigDifference> out;
  for (auto& row : config_diff(std::vector<nlohmann::json>{a, b})) out.push_back({row.key, row.values[0], row.values[1]});
  return out;
}

std::vector<ConfigDiffRow> config_diff(Store& store, const std::vector<int64_t>& runs) {
  std::vector<nlohmann::json> configs;
  for (int64_t id : runs) {
    const std::string text = store.run_config(id);
    try {
      configs.push_back(nlohmann::json::parse(text));
    } catch (const std::exception& e) {
      throw std::runtime_error("run " + std::to_string(id) + " has an unreadable config: " + e.what());
    }
  }
  return config_diff(configs);
}

}  // namespace pretext
