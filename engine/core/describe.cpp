#include "engine/core/describe.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

namespace pretext {
namespace {

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %%", 100.0 * fraction);
  return buf;
}

std::string plain(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v.get<double>());
    return buf;
  }
  return v.dump();
}

}  // namespace

std::string describe_parameters(const std::string& params_json) {
  const nlohmann::json params = nlohmann::json::parse(params_json, nullptr, false);
  if (!params.is_object()) return params_json;  // "" stays "", a foreign text is shown as it is
  static const std::set<std::string> split_keys = {"bank", "queries", "eval", "limit", "resize", "mean", "std",
                                                    "method", "seed"};
  std::string out;
  for (const auto& [key, value] : params.items()) {
    if (split_keys.count(key)) continue;
    if (!out.empty()) out += ", ";
    out += key == "weight_decay" ? "weight decay " + plain(value) : key + "=" + plain(value);
  }
  return out;
}

std::string describe_probe(const ProbeEvent& p) {
  const std::string params = describe_parameters(p.params);
  const std::string head = (p.kind == "knn" ? std::string("kNN") : p.kind) + (params.empty() ? "" : " (" + params + ")") +
                           " at step " + std::to_string(p.step) + ": ";
  // What the probe measured says how to read it: a ranking (top-1, top-5) over a bank, or a fitted
  // classifier with its training accuracy.
  const bool ranks = p.top5 >= 0 || p.k > 0;
  const std::string accuracy =
      ranks ? "top-1 " + percent(p.accuracy) + (p.top5 >= 0 ? ", top-5 " + percent(p.top5) : "") : percent(p.accuracy);
  const std::string bank = p.train_accuracy >= 0
                               ? " (train " + percent(p.train_accuracy) + " on " + std::to_string(p.bank) + ")"
                               : (p.bank > 0 ? ", bank " + std::to_string(p.bank) : "");
  return head + accuracy + " on " + std::to_string(p.queries) + " queries" + bank;
}

nlohmann::json probe_json(const ProbeEvent& p) {
  nlohmann::json j = {{"kind", p.kind},   {"step", p.step}, {"accuracy", p.accuracy},
                      {"queries", p.queries}, {"bank", p.bank}, {"end_of_run", p.end_of_run},
                      {"params", nlohmann::json::parse(p.params.empty() ? "{}" : p.params, nullptr, false)}};
  if (p.k > 0) j["k"] = p.k;
  if (p.top5 >= 0) j["top5"] = p.top5;
  if (p.train_accuracy >= 0) j["train_accuracy"] = p.train_accuracy;
  if (!p.confusion.empty()) j["confusion"] = p.confusion;
  return j;
}

std::string describe_baseline(const BaselineEvent& b) {
  const std::string params = describe_parameters(b.params);
  return std::string(b.baseline == "raw_pixels" ? "raw pixels" : "untrained network") + ", " + b.scope + " kNN" +
         (params.empty() ? "" : " (" + params + ")") + ": " + percent(b.accuracy) + " on " +
         std::to_string(b.queries) + " queries";
}

std::string describe_learning(double accuracy, double untrained, double raw_pixels) {
  const auto points = [](double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", 100.0 * std::abs(d));
    return std::string(buf);
  };
  std::string out;
  if (untrained >= 0) {
    const double gain = accuracy - untrained;
    out = "learned: " + std::string(gain >= 0 ? "+" : "-") + points(gain) + " points over the untrained network";
  }
  if (raw_pixels >= 0) {
    const double d = accuracy - raw_pixels;
    out += (out.empty() ? "" : "; ") + points(d) + " points " + (d >= 0 ? "above" : "below") + " the raw pixels";
  }
  return out;
}

}  // namespace pretext
