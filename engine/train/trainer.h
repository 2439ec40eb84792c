#pragma once
// The trainer runs a whole experiment (load, train, evaluate) on its own thread, as a sequence of
// phases (trainer.cpp's body() reads as that list). Control (pause, stop, cancel) is by atomics
// checked between steps, so it takes effect within one step. Results leave only as events: with a
// database, a StoreSink before the caller's sink writes them, and checkpoints go every
// cfg.checkpoint_every steps and at stop to <db>.runs/<run>/.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/core/events.h"
#include "engine/train/config.h"

namespace pretext {

// Where a run's steps ended: at `reached` steps, complete (its steps or its time budget done) or not.
struct TrainLoopEnd {
  int64_t reached = 0;
  bool complete = false;
};

class Trainer {
 public:
  // db_path empty: nothing is stored (events only).
  Trainer(TrainConfig config, EventSink& sink, std::string db_path = "", std::string ui_version = "");
  ~Trainer();  // cancels and joins

  // Continue the stored run `run_id` (the config given must be its stored config) from its latest
  // checkpoint, or from the start when it has none, up to its original total. Call before start/run.
  void resume_run(int64_t run_id) { resume_id_ = run_id; }

  void start();  // on a new thread
  void run();    // on the calling thread; returns when the run has ended
  // Stop after the current step; the run is checkpointed and still evaluated.
  void request_stop();
  // Stop, and skip or abandon the end-of-run evaluation (it can be run later: `pretext-cli eval`):
  // what closing the window asks for.
  void request_cancel();
  // For a signal handler, which may only store to a lock-free atomic: the first call stops, the
  // second cancels. Polled by the training thread (a paused run wakes within 50 ms).
  void signal_stop() noexcept;
  void set_paused(bool paused);
  bool paused() const { return paused_; }
  void wait();
  bool running() const { return running_; }

  int64_t run_id() const { return run_id_; }
  // "" before start, "running" while it runs, then finished, stopped or failed. Safe on any thread.
  std::string status() const;
  int64_t steps_done() const { return steps_done_; }      // optimiser steps reached (incl. resumed ones)
  int64_t resumed_from() const { return resumed_from_; }  // the checkpoint step a resume started at

 private:
  struct Session;
  void body();
  void prepare(Session& s);
  void open_record(Session& s);
  TrainLoopEnd train_loop(Session& s);
  double wait_while_paused();  // returns the seconds paused
  void save_checkpoint_at(Session& s, int64_t step);
  void measure_baselines(Session& s);
  void scheduled_probes(Session& s, int64_t done);
  void finish_run(Session& s, TrainLoopEnd end);
  struct EvaluationNote {
    std::string text;  // what kept the end-of-run evaluation from ending ("" when it ran)
    LogEvent::Level level = LogEvent::Level::Info;
  };
  EvaluationNote evaluate_at_end(Session& s, int64_t reached, bool stopped);
  void finish(const std::string& status, const std::string& message, Session& s);
  void set_status(const std::string& status);
  void log(LogEvent::Level level, const std::string& message);

  TrainConfig cfg_;
  EventSink& sink_;
  std::string db_path_, ui_version_;
  std::thread thread_;
  static_assert(std::atomic<bool>::is_always_lock_free, "signal_stop stores to these from a signal handler");
  std::atomic<bool> stop_{false}, cancel_{false}, paused_{false}, running_{false};
  std::mutex pause_mu_;
  std::condition_variable pause_cv_;
  std::atomic<int64_t> run_id_{0}, steps_done_{0}, resumed_from_{0};
  int64_t resume_id_ = 0;
  mutable std::mutex status_mu_;
  std::string status_;
};

}  // namespace pretext
