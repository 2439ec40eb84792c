// ctest-labels: unit
// The batching metric writer: many rows persist, rows become visible without an explicit flush
// (it commits on its own at least once a second), and a reader on its own connection neither
// blocks it nor is blocked. Functional checks only: throughput is measured in bench/store.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/store/store.h"
#include "support.h"

using namespace pretext;

namespace {

int64_t new_run(Store& s) {
  RunRecord r;
  r.name = "w";
  r.method = "simclr";
  r.config = "{}";
  return s.create_run(r);
}

int64_t count_rows(Store& s, int64_t run) {
  int64_t n = 0;
  for (const auto& name : s.metric_names(run)) n += static_cast<int64_t>(s.metric(run, name).size());
  return n;
}

}  // namespace

TEST(writer, Persists200kRowsWhileAReaderReads) {
  test::TempDir dir;
  const std::string db = dir.str("w.db");
  constexpr int64_t kSteps = 50000;  // 4 metrics each: 200,000 rows
  int64_t run = 0;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int64_t> max_seen{0};
  std::string reader_error;
  {
    Store s(db);
    run = new_run(s);
    // The reader polls with its own read-only connection for as long as the writer writes.
    std::thread reader([&] {
      try {
        Store r(db, true);
        int64_t last = 0;
        while (!done) {
          const int64_t n = static_cast<int64_t>(r.metric(run, "loss").size());
          if (n < last) reader_error = "rows went away";
          last = n;
          max_seen = std::max<int64_t>(max_seen, n);
          ++reads;
        }
      } catch (const std::exception& e) {
        reader_error = e.what();
      }
    });
    {
      MetricWriter w(s);
      for (int64_t step = 1; step <= kSteps; ++step) {
        w.push({run, step, "loss", 1.0 / double(step)});
        w.push({run, step, "lr", 0.1});
        w.push({run, step, "images_per_s", 1000.0});
        w.push({run, step, "loss/nt_xent", 2.0});
      }
      w.flush();
      EXPECT_EQ(w.rows_written(), 4u * kSteps);
      EXPECT_EQ(w.error(), "");
    }
    done = true;
    reader.join();
  }
  EXPECT_EQ(reader_error, "");
  EXPECT_GT(reads.load(), 0);
  Store s(db, true);
  EXPECT_EQ(count_rows(s, run), 4 * kSteps);
  const auto loss = s.metric(run, "loss");
  ASSERT_EQ(loss.size(), size_t(kSteps));
  EXPECT_EQ(loss.back().first, kSteps);
  EXPECT_DOUBLE_EQ(loss[9].second, 0.1);
  EXPECT_EQ(s.integrity_check(), "ok");
}

TEST(writer, CommitsWithoutAFlush) {
  test::TempDir dir;
  const std::string db = dir.str("t.db");
  Store s(db);
  const int64_t run = new_run(s);
  MetricWriter w(s);
  w.push({run, 1, "loss", 3.0});
  // No flush: the writer's own timer must commit. It promises once a second; allow slack for a
  // loaded test machine.
  Store reader(db, true);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (reader.metric(run, "loss").empty() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(reader.metric(run, "loss").size(), 1u);
}

TEST(writer, ErrorsAreReportedAndTrainingGoesOn) {
  test::TempDir dir;
  Store s(dir.str("e.db"));
  MetricWriter w(s);
  // run_id 999 breaks the foreign key: the batch is dropped, push and flush still return.
  w.push({999, 1, "loss", 1.0});
  w.flush();
  EXPECT_NE(w.error(), "");
  EXPECT_EQ(w.rows_written(), 0u);
}
