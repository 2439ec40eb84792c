#pragma once
// Long engine work (feature extraction, projections, the end-of-run evaluation) polls a cancel
// predicate between units of work and, when it says so, throws Cancelled: a window that closes or a
// second Ctrl-C never waits for a probe to finish.
#include <functional>
#include <stdexcept>

namespace pretext {

using CancelFn = std::function<bool()>;

struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

inline void throw_if_cancelled(const CancelFn& cancelled) {
  if (cancelled && cancelled()) throw Cancelled();
}

}  // namespace pretext
