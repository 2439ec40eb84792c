#pragma once
// A tiny real training run for trainer tests: resnet-tiny on 64 Fashion-MNIST images, no probe
// diagnostics, one thread (so the curve is bit-for-bit reproducible).
#include <functional>
#include <mutex>
#include <vector>

#include "engine/core/events.h"
#include "engine/train/config.h"
#include "support.h"

namespace pretext::test {

inline TrainConfig tiny_config(int64_t steps) {
  TrainConfig c;
  c.data = fashion_mnist_train_images();
  c.limit = 64;
  c.batch = 16;
  c.steps = steps;
  c.seed = 11;
  c.threads = 1;
  c.diag_every = 0;
  c.probe_queries = 8;
  c.knn_k = 5;
  c.lr = 0.2;
  return c;
}

// Records events; optionally asks the trainer to stop when a given step has been reported.
struct Recorder : EventSink {
  std::mutex mu;
  std::vector<StepEvent> steps;
  std::vector<RunFinished> finished;
  std::vector<LogEvent> logs;
  std::vector<DiagnosticsEvent> diagnostics;
  std::function<void(const StepEvent&)> on_step;
  void on_event(const Event& e) override {
    std::function<void(const StepEvent&)> hook;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (auto* s = std::get_if<StepEvent>(&e)) {
        steps.push_back(*s);
        hook = on_step;
      }
      if (auto* f = std::get_if<RunFinished>(&e)) finished.push_back(*f);
      if (auto* l = std::get_if<LogEvent>(&e)) logs.push_back(*l);
      if (auto* d = std::get_if<DiagnosticsEvent>(&e)) diagnostics.push_back(*d);
    }
    if (hook) hook(std::get<StepEvent>(e));
  }
  size_t step_count() {
    std::lock_guard<std::mutex> lock(mu);
    return steps.size();
  }
  std::vector<double> losses() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<double> out;
    for (const auto& s : steps) out.push_back(s.loss);
    return out;
  }
};

}  // namespace pretext::test
