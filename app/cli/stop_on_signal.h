#pragma once
// Ctrl-C / SIGTERM ask the running trainer to stop after its current step; the trainer then writes
// a checkpoint, so `pretext-cli resume` continues the run.
#include <csignal>

#include "engine/train/trainer.h"

namespace pretext::cli {

inline Trainer* g_stoppable = nullptr;

inline void stop_on_signal(int) {
  // Only an atomic store in request_stop: safe in a signal handler.
  if (g_stoppable) g_stoppable->request_stop();
}

class StopOnSignal {
 public:
  explicit StopOnSignal(Trainer& t) {
    g_stoppable = &t;
    std::signal(SIGINT, stop_on_signal);
    std::signal(SIGTERM, stop_on_signal);
  }
  ~StopOnSignal() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    g_stoppable = nullptr;
  }
};

}  // namespace pretext::cli
