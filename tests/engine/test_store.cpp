// ctest-labels: unit
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "engine/store/store.h"
#include "support.h"

using namespace pretext;

TEST(store, RoundTripSurvivesReopen) {
  test::TempDir dir;
  const std::string db = dir.str("runs.db");
  int64_t id = 0;
  {
    Store s(db);
    EXPECT_EQ(s.schema_version(), Store::kSchemaVersion);
    RunRecord r;
    r.name = "first";
    r.method = "simclr";
    r.config = R"({"epochs":2})";
    r.seed = 42;
    id = s.create_run(r);
    {
      MetricWriter w(s);
      for (int step = 1; step <= 100; ++step) w.push({id, step, "loss", 10.0 - step * 0.01});
    }
    s.add_probe({id, 100, "knn", 200, 0.75, 500});
    s.set_projection(id, "pca", {{3, 0.5f, -1.0f, 2}, {4, 1.5f, 2.0f, 0}});
    s.set_status(id, "finished", "", true);
  }
  Store s(db, /*read_only=*/true);
  const auto runs = s.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].name, "first");
  EXPECT_EQ(runs[0].status, "finished");
  EXPECT_EQ(runs[0].seed, 42);
  EXPECT_EQ(runs[0].config, R"({"epochs":2})");
  EXPECT_FALSE(runs[0].finished_at.empty());
  const auto loss = s.metric(id, "loss");
  ASSERT_EQ(loss.size(), 100u);
  EXPECT_EQ(loss.front().first, 1);
  EXPECT_DOUBLE_EQ(loss.back().second, 9.0);
  const auto probes = s.probes(id);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_DOUBLE_EQ(probes[0].accuracy, 0.75);
  EXPECT_EQ(probes[0].k, 200);
  const auto proj = s.projection(id, "pca");
  ASSERT_EQ(proj.size(), 2u);
  EXPECT_EQ(proj[0].image_index, 3);
  EXPECT_FLOAT_EQ(proj[1].y, 2.0f);
  EXPECT_EQ(s.integrity_check(), "ok");
}

TEST(store, WriterFlushMakesRowsVisibleToReaders) {
  test::TempDir dir;
  Store s(dir.str("w.db"));
  RunRecord r;
  r.name = "x";
  r.method = "simclr";
  r.config = "{}";
  const int64_t id = s.create_run(r);
  MetricWriter w(s);
  w.push({id, 1, "loss", 1.0});
  w.flush();
  Store reader(dir.str("w.db"), true);
  EXPECT_EQ(reader.metric(id, "loss").size(), 1u);
}

TEST(store, RefusesNewerSchema) {
  test::TempDir dir;
  { Store s(dir.str("n.db")); }
  {
    Store s(dir.str("n.db"));
    // Simulate a database written by a future Pretext.
    ASSERT_EQ(SQLITE_OK, sqlite3_exec(s.handle(), "PRAGMA user_version=99", nullptr, nullptr, nullptr));
  }
  EXPECT_THROW(Store(dir.str("n.db")), std::runtime_error);
}
