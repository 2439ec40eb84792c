#pragma once
// Results as a person reads them: one line per probe or baseline, the same in the console, `eval`,
// `runs show` and the app (one printer per result).
#include <nlohmann/json.hpp>
#include <string>

#include "engine/core/events.h"

namespace pretext {

// "k=20, t=0.07" from the stored {"k":20,"t":0.07}; "weight decay 0.0001" for a linear probe's.
// Keys that only say which split (bank, queries, eval, limit, resize, mean, std) are left out.
std::string describe_parameters(const std::string& params_json);

// "kNN (k=20, t=0.07) at step 720: top-1 75.83 %, top-5 97.10 % on 6000 queries, bank 6000"
// "linear (weight decay 0.0001) at step 720: 80.12 % on 6000 queries (train 85.30 % on 6000)"
std::string describe_probe(const ProbeEvent& p);

// The same probe for machines (`eval --json`, `runs show --json`): what it measured and how; a field
// a probe did not measure (a kNN's train accuracy, a linear probe's top-5) is left out.
nlohmann::json probe_json(const ProbeEvent& p);

// "untrained network, final kNN (k=200, t=0.1): 61.18 % on 6000 queries"
std::string describe_baseline(const BaselineEvent& b);

// What a run's kNN probe says it learned, against the same probe without learning:
// "learned: +8.1 points over the untrained network; 0.6 points above the raw pixels". A baseline
// below 0 (not measured) is left out; "" when both are.
std::string describe_learning(double accuracy, double untrained, double raw_pixels);

}  // namespace pretext
