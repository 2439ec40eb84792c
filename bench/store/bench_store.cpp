// Metric rows per second through the store: the batching MetricWriter (what the trainer uses),
// alone and with a reader polling on its own connection, on a fresh WAL database.
//   bench_store [DB_DIR] [ROWS]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "engine/store/store.h"

using namespace pretext;
using Clock = std::chrono::steady_clock;

namespace {

double writer_rate(const std::string& db, int64_t rows, bool with_reader, int64_t& reads) {
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  Store s(db);
  RunRecord r;
  r.name = "bench";
  r.method = "simclr";
  r.config = "{}";
  const int64_t run = s.create_run(r);
  std::atomic<bool> done{false};
  std::atomic<int64_t> n_reads{0};
  std::thread reader;
  if (with_reader)
    reader = std::thread([&] {
      Store rd(db, true);
      while (!done) {
        rd.metric(run, "loss");  // the GUI's curve query
        ++n_reads;
      }
    });
  const auto t0 = Clock::now();
  {
    MetricWriter w(s);
    const char* names[] = {"loss", "lr", "images_per_s", "loss/nt_xent"};
    for (int64_t i = 0; i < rows; ++i) w.push({run, i / 4 + 1, names[i % 4], double(i)});
    w.flush();
    if (!w.error().empty()) std::fprintf(stderr, "writer error: %s\n", w.error().c_str());
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  done = true;
  if (reader.joinable()) reader.join();
  reads = n_reads;
  return double(rows) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : std::filesystem::temp_directory_path().string();
  const int64_t rows = argc > 2 ? std::atoll(argv[2]) : 2'000'000;
  const std::string db = dir + "/bench_store.db";
  for (int rep = 0; rep < 3; ++rep) {
    int64_t reads = 0;
    const double alone = writer_rate(db, rows, false, reads);
    const double shared = writer_rate(db, rows, true, reads);
    std::printf("rep %d: %lld rows  writer alone %.0f rows/s  with a polling reader %.0f rows/s (%lld reads)\n", rep,
                static_cast<long long>(rows), alone, shared, static_cast<long long>(reads));
  }
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  return 0;
}
