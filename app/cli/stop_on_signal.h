#pragma once
// Ctrl-C / SIGTERM: the first asks the running trainer to stop after its current step (it then
// writes a checkpoint, so `pretext-cli resume` continues the run, and still evaluates); the second
// skips the evaluation too. The handler only stores to lock-free atomics (Trainer::signal_stop):
// anything that locks could deadlock against the training thread it interrupted.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

#include "engine/train/trainer.h"

namespace pretext::cli {

inline std::atomic<Trainer*> g_stoppable{nullptr};

inline void stop_on_signal(int) {
  if (Trainer* t = g_stoppable.load()) t->signal_stop();
}

class StopOnSignal {
 public:
  explicit StopOnSignal(Trainer& t) {
    g_stoppable = &t;
    std::signal(SIGINT, stop_on_signal);
    std::signal(SIGTERM, stop_on_signal);
  }
  // The handler stays installed (doing nothing) until the process ends: a late Ctrl-C while the
  // result is printed must not kill the process with its exit status half-reported.
  ~StopOnSignal() { g_stoppable = nullptr; }
};

// Runs the trainer on this thread under StopOnSignal and reports how it ended. Exit code: 0
// finished or stopped, 1 failed.
inline int run_to_end(Trainer& trainer, const std::string& db) {
  {
    StopOnSignal on_signal(trainer);
    trainer.run();
  }
  const std::string status = trainer.status();
  if (status == "failed") return 1;
  if (status == "stopped" && trainer.run_id() > 0)
    std::printf("stopped at step %lld; continue with: pretext-cli resume %lld --db %s\n",
                static_cast<long long>(trainer.steps_done()), static_cast<long long>(trainer.run_id()), db.c_str());
  return 0;
}

}  // namespace pretext::cli
