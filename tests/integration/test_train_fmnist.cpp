// ctest-labels: integration
// Trains SimCLR for two short epochs on real Fashion-MNIST images (Debian's dataset-fashion-mnist)
// and checks the whole slice: events, falling loss, stored rows, and a probe above chance.
#include <gtest/gtest.h>

#include <mutex>

#include "engine/store/store.h"
#include "engine/train/trainer.h"
#include "../engine/support.h"

using namespace pretext;

namespace {
struct RecordingSink : EventSink {
  std::mutex mu;
  std::vector<StepEvent> steps;
  std::vector<ProbeEvent> probes;
  std::vector<ProjectionEvent> projections;
  std::vector<RunFinished> finished;
  void on_event(const Event& e) override {
    std::lock_guard<std::mutex> lock(mu);
    if (auto* s = std::get_if<StepEvent>(&e)) steps.push_back(*s);
    if (auto* p = std::get_if<ProbeEvent>(&e)) probes.push_back(*p);
    if (auto* p = std::get_if<ProjectionEvent>(&e)) projections.push_back(*p);
    if (auto* f = std::get_if<RunFinished>(&e)) finished.push_back(*f);
  }
};
double mean_loss(const std::vector<StepEvent>& s, size_t from, size_t to) {
  double sum = 0;
  for (size_t i = from; i < to; ++i) sum += s[i].loss;
  return sum / double(to - from);
}
}  // namespace

TEST(train_fmnist, TwoEpochsLossFallsAndProbeIsStored) {
  const std::string data = test::fashion_mnist_train_images();
  if (data.empty()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  test::TempDir dir;
  TrainConfig cfg;
  cfg.data = data;
  cfg.limit = 600;
  cfg.epochs = 2;
  cfg.batch = 64;
  cfg.lr = 0.3;
  cfg.seed = 1;
  cfg.threads = 2;
  cfg.probe_queries = 100;
  RecordingSink sink;
  Trainer trainer(cfg, sink, dir.str("runs.db"));
  trainer.start();  // the background thread, as the GUI uses it
  trainer.wait();

  ASSERT_EQ(sink.finished.size(), 1u);
  ASSERT_EQ(sink.finished[0].status, "finished") << sink.finished[0].message;
  ASSERT_EQ(sink.steps.size(), 18u);  // 600 / 64 = 9 steps per epoch
  const double first = mean_loss(sink.steps, 0, 4), last = mean_loss(sink.steps, 14, 18);
  EXPECT_LT(last, first) << "loss did not fall: " << first << " -> " << last;

  Store store(dir.str("runs.db"), true);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "finished");
  EXPECT_EQ(store.metric(runs[0].id, "loss").size(), 18u);
  const auto probes = store.probes(runs[0].id);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].kind, "knn");
  EXPECT_GT(probes[0].accuracy, 0.10 + 0.05);  // ten classes: chance is 10 %
  EXPECT_EQ(store.projection(runs[0].id, "pca").size(), 100u);
  ASSERT_EQ(sink.projections.size(), 1u);
  EXPECT_EQ(sink.projections[0].xy.size(), 200u);
}
