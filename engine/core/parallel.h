#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace pretext {

// Runs fn(i) for i in [0, n) on up to `threads` threads (hardware concurrency when 0), handing out
// indices dynamically because decode and augmentation costs vary per image. Rethrows the first error.
inline void parallel_for(size_t n, const std::function<void(size_t)>& fn, unsigned threads = 0) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, n));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i; !failed && (i = next.fetch_add(1)) < n;) {
      try {
        fn(i);
      } catch (...) {
        if (!failed.exchange(true)) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// The same over [0, n) handed out in chunks of `chunk` indices: for cheap, even work per index (a
// layout's points), where taking one index at a time would spend more on the shared counter than on
// the work.
inline void parallel_for_chunks(size_t n, size_t chunk, const std::function<void(size_t)>& fn, unsigned threads = 0) {
  chunk = std::max<size_t>(1, chunk);
  parallel_for((n + chunk - 1) / chunk, [&](size_t c) {
    for (size_t i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) fn(i);
  }, threads);
}

}  // namespace pretext
