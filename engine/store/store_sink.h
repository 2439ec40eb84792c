#pragma once
// The store's side of a run: it writes what the run reports, and only that. The trainer emits
// events; this sink turns them into rows (the run's start, metrics through the batching
// MetricWriter, probes, projections, checkpoint records, the final status). A FanoutSink puts it before the UI or the
// console, so results leave the engine through one channel.
#include <string>

#include "engine/core/events.h"
#include "engine/store/store.h"

namespace pretext {

class StoreSink : public EventSink {
 public:
  // keep_checkpoints: the newest this many checkpoint files of a run are kept, older ones deleted.
  explicit StoreSink(Store& store, int keep_checkpoints = 2);
  ~StoreSink() override;  // commits every pending row

  // Called on the trainer's thread. Throws when a probe, projection or checkpoint cannot be recorded
  // (the run should then fail loudly); metric rows that fail are counted in writer_error().
  void on_event(const Event& e) override;

  void flush();                      // returns when every metric row so far is committed
  std::string writer_error() const;  // the last metric write error ("" when none)

 private:
  void open_run(const RunStarted& e);
  void record_checkpoint(const CheckpointSaved& c);

  Store& store_;
  MetricWriter writer_;
  int keep_;
};

// A stored baseline as the event that reported it (readers print it with engine/core/describe.h).
BaselineEvent baseline_event(const BaselineRecord& b);

}  // namespace pretext
