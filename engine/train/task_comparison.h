#pragma once
// Comparing task families on equal terms (issue 11): several methods trained one after another on
// the same data, backbone, step budget and seed, each read by its own end-of-run kNN probe against
// the untrained network and the raw pixels on the same split.
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/events.h"
#include "engine/train/config.h"

namespace pretext {

// The methods a comparison trains by default on `backbone`: every pretext task that can train it
// (those whose own default backbone is a ViT only on a ViT) and SimCLR as the joint-embedding
// reference.
std::vector<std::string> default_compared_methods(const std::string& backbone);

// One config per method: the base's data, backbone, schedule, seed and probe, with each method's
// own hyper-parameters, optimiser and pipeline (whatever the base said about those is the base
// method's, not theirs).
std::vector<TrainConfig> task_comparison_configs(const TrainConfig& base, const std::vector<std::string>& methods);

// What one run of the comparison came to.
struct TaskOutcome {
  std::string method, status, message;
  int64_t run_id = 0, steps = 0;
  double knn = -1, untrained = -1, raw_pixels = -1;  // fractions; -1: not measured
  std::vector<std::pair<std::string, double>> probes;  // the other end-of-run probes (linear, ...), by kind
};

// Records a run's outcome from its events and passes every event on to `next`.
class OutcomeRecorder : public EventSink {
 public:
  OutcomeRecorder(std::string method, EventSink& next) : next_(next) { outcome_.method = std::move(method); }
  void on_event(const Event& e) override;
  TaskOutcome outcome() const;

 private:
  EventSink& next_;
  mutable std::mutex mu_;
  TaskOutcome outcome_;
};

// The comparison as a table a person reads: method, steps, kNN, a column per other probe the runs
// ended with (linear, ...), the two kNN baselines and the kNN's gain over the untrained network,
// best first; failed runs last with their reason.
std::string describe_task_comparison(std::vector<TaskOutcome> outcomes);

}  // namespace pretext
