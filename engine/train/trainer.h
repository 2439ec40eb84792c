#pragma once
// The trainer runs a whole experiment (load, train, evaluate, store) on its own thread. Control
// (pause, stop) is by atomics checked between steps, so it takes effect within one step. With a
// database, checkpoints go every cfg.checkpoint_every steps and at stop to <db>.runs/<run>/.
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

  // Continue the stored run `run_id` (the config given must be its stored config) from its latest
  // checkpoint, or from the start when it has none, up to its original total. Call before start/run.
  void resume_run(int64_t run_id) { resume_id_ = run_id; }

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
  int64_t steps_done() const { return steps_done_; }     // optimiser steps reached (incl. resumed ones)
  int64_t resumed_from() const { return resumed_from_; }  // the checkpoint step a resume started at

 private:
  void body();

  TrainConfig cfg_;
  EventSink& sink_;
  std::string db_path_, ui_version_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, paused_{false}, running_{false};
  std::mutex pause_mu_;
  std::condition_variable pause_cv_;
  std::atomic<int64_t> run_id_{0}, steps_done_{0};
  int64_t resume_id_ = 0, resumed_from_ = 0;
  std::string status_;
  double knn_accuracy_ = -1;
};

}  // namespace pretext
