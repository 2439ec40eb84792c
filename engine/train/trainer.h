#pragma once
// The trainer runs a whole experiment (load, train, evaluate, store) on its own thread. Control
// (pause, stop) is by atomics checked between steps, so it takes effect within one step.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/core/events.h"
#include "engine/train/config.h"

namespace pretext {

class Trainer {
 public:
  // db_path empty: nothing is stored (events only).
  Trainer(TrainConfig config, EventSink& sink, std::string db_path = "", std::string ui_version = "");
  ~Trainer();  // stops and joins

  void start();  // on a new thread
  void run();    // on the calling thread; returns when the run has ended
  void request_stop();
  void set_paused(bool paused);
  bool paused() const { return paused_; }
  void wait();
  bool running() const { return running_; }

  int64_t run_id() const { return run_id_; }
  const std::string& status() const { return status_; }  // after the run: finished, stopped, failed
  double last_knn_accuracy() const { return knn_accuracy_; }

 private:
  void body();

  TrainConfig cfg_;
  EventSink& sink_;
  std::string db_path_, ui_version_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, paused_{false}, running_{false};
  std::mutex pause_mu_;
  std::condition_variable pause_cv_;
  std::atomic<int64_t> run_id_{0};
  std::string status_;
  double knn_accuracy_ = -1;
};

}  // namespace pretext
