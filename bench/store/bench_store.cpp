// Metric rows per second through the store: the batching MetricWriter (what the trainer uses),
// alone and with a reader polling on its own connection, on a fresh WAL database.
//   bench_store [DB_DIR] [ROWS]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>
#include <filesystem>
#include <string>
#include <thread>

#include "engine/store/store.h"

using namespace pretext;
using Clock = std::chrono::steady_clock;

namespace {

// A new database in WAL mode (the files of an earlier repetition removed).
Store fresh_store(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  return Store(db);
}

int64_t bench_run(Store& s) {
  RunRecord r;
  r.name = "bench";
  r.method = "simclr";
  r.config = "{}";
  return s.create_run(r);
}

double writer_rate(const std::string& db, int64_t rows, bool with_reader, int64_t& reads) {
  Store s = fresh_store(db);
  const int64_t run = bench_run(s);
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

// Store::add_metrics in 50,000-row transactions on this thread: the writer thread's own work, with
// the CPU time beside the wall time (on a shared machine the wall time includes waiting for a core).
void direct_rate(const std::string& db, int64_t rows, double& wall_rate, double& cpu_rate) {
  Store s = fresh_store(db);
  const int64_t run = bench_run(s);
  const char* names[] = {"loss", "lr", "images_per_s", "loss/nt_xent"};
  std::vector<MetricRow> batch;
  timespec c0, c1;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < rows; ++i) {
    batch.push_back({run, i / 4 + 1, names[i % 4], double(i)});
    if (batch.size() == 50000 || i + 1 == rows) {
      s.add_metrics(batch);
      batch.clear();
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  const double cpu = double(c1.tv_sec - c0.tv_sec) + 1e-9 * double(c1.tv_nsec - c0.tv_nsec);
  wall_rate = double(rows) / secs;
  cpu_rate = double(rows) / cpu;
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
    double wall = 0, cpu = 0;
    direct_rate(db, rows, wall, cpu);
    std::printf("rep %d: %lld rows  MetricWriter %.0f rows/s, with a polling reader %.0f rows/s (%lld reads); "
                "add_metrics %.0f rows/s wall, %.0f rows/s of CPU time\n", rep, static_cast<long long>(rows), alone,
                shared, static_cast<long long>(reads), wall, cpu);
  }
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  return 0;
}
