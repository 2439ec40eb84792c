#pragma once
#include <mutex>

#include "engine/core/events.h"

namespace pretext {

// Prints engine events as plain lines (one per `every` steps), suitable for logs and pipes.
class ConsoleSink : public EventSink {
 public:
  explicit ConsoleSink(int every = 10) : every_(every) {}
  void on_event(const Event& e) override;

 private:
  std::mutex mu_;
  int every_;
  double final_untrained_ = -1, final_raw_pixels_ = -1;  // the end-of-run probe's baselines, once reported
};

}  // namespace pretext
