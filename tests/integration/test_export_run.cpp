// ctest-labels: integration
// A real (tiny) run saves its backbone at the end; eval recomputes the run's kNN probe from that
// file and must reproduce the number the trainer stored; embeddings and projections come from it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>

#include "engine/export/run_model.h"
#include "engine/models/safetensors.h"
#include "engine/store/store.h"
#include "engine/train/trainer.h"
#include "../engine/support.h"

using namespace pretext;


TEST(export_run, SavedBackboneReproducesTheStoredProbe) {
  const std::string data = test::fashion_mnist_train_images();
  if (data.empty()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  test::TempDir dir;
  const std::string db = dir.str("runs.db");
  TrainConfig cfg;
  cfg.data = data;
  cfg.limit = 300;
  cfg.steps = 4;
  cfg.batch = 32;
  cfg.seed = 4;
  cfg.threads = 2;
  cfg.probe_queries = 60;
  cfg.diag_every = 0;
  NullSink sink;
  Trainer trainer(cfg, sink, db);
  trainer.run();
  ASSERT_EQ(trainer.status(), "finished");
  const int64_t run = trainer.run_id();

  Store store(db);
  const std::string weights = run_weights_path(store, run);
  ASSERT_EQ(weights, run_dir(db, run) + "/backbone.safetensors");
  const SafetensorsFile f = read_safetensors(weights);
  EXPECT_EQ(f.metadata.at("backbone"), "resnet-tiny");
  EXPECT_EQ(f.get("conv1.weight").size(1), 1);  // Fashion-MNIST is gray

  const auto probes = store.probes(run);
  ASSERT_EQ(probes.size(), 1u);
  RunDataOptions o;
  o.device = "cpu";
  const ProbeEvent r = evaluate_run(store, run, o).at(0);
  EXPECT_EQ(r.queries, probes[0].queries);
  EXPECT_EQ(r.k, probes[0].k);
  EXPECT_NEAR(r.accuracy, probes[0].accuracy, 1e-9);

  o.limit = 40;
  const RunEmbeddings e = run_embeddings(store, run, o);
  EXPECT_EQ(e.table.n, 40u);
  EXPECT_EQ(e.table.dim, 128u);  // resnet-tiny: 16 * 8
  EXPECT_EQ(e.images->size(), 300u);
  for (size_t i = 0; i < e.table.n; ++i) {
    double norm = 0;
    for (size_t k = 0; k < e.table.dim; ++k) norm += double(e.table.values[i * e.table.dim + k]) * e.table.values[i * e.table.dim + k];
    EXPECT_NEAR(norm, 1.0, 1e-4);
    EXPECT_EQ(e.table.labels[i], e.images->labels[size_t(e.table.image_index[i])]);
  }
  for (const char* method : {"pca", "tsne", "umap"}) {
    const ProjectionEvent map = project_embeddings(e.table, run, method, 3, 0);
    EXPECT_EQ(map.kind, std::string(method) + "@3");
    ASSERT_EQ(map.xy.size(), 80u) << method;
    EXPECT_EQ(map.image_indices, e.table.image_index);
    EXPECT_EQ(map.class_names, e.table.class_names);
    for (float v : map.xy) EXPECT_TRUE(std::isfinite(v)) << method;
  }
  EXPECT_THROW(project_embeddings(e.table, run, "isomap", -1, 0), std::invalid_argument);

  // A run without a saved backbone says so, before it loads a single image.
  std::filesystem::remove(weights);
  std::vector<std::string> steps;
  const ProgressFn seen = [&](double, const std::string& what) { steps.push_back(what); };
  for (const auto& attempt : std::vector<std::function<void()>>{[&] { evaluate_run(store, run, o, {}, nullptr, seen); },
                                                                 [&] { run_embeddings(store, run, o, seen); }}) {
    try {
      attempt();
      FAIL() << "worked on a run without weights";
    } catch (const std::runtime_error& err) {
      EXPECT_NE(std::string(err.what()).find("no saved backbone"), std::string::npos) << err.what();
    }
  }
  EXPECT_TRUE(steps.empty()) << "it began with: " << steps.front();
}
