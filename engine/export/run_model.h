#pragma once
// Work on a finished run from its saved backbone (<db>.runs/<id>/backbone.safetensors) and the data
// it was trained on: what `pretext-cli eval|project|export` and the GUI call. This header is free
// of LibTorch so that front ends can include it.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/events.h"
#include "engine/core/cancel.h"
#include "engine/data/image_set.h"
#include "engine/eval/projections.h"
#include "engine/eval/sensitivity.h"
#include "engine/export/tables.h"
#include "engine/store/store.h"

namespace pretext {

struct RunDataOptions {
  std::string data;       // training images (the kNN bank); empty: the run's
  std::string eval_data;  // query images; empty: the run's eval data, else its held-out part
  std::string device = "auto";
  size_t limit = 2000;    // embeddings/projections: at most this many points (0: all)
  int64_t checkpoint = -1;  // embeddings/projections/invariances: this checkpoint's step; -1: the
                            // backbone the run saved when it ended
};

// The name a projection is stored under: its label ("umap", "umap(min_dist=0.5)": projection_label),
// with "@STEP" for a checkpoint's.
std::string projection_key(const std::string& label, int64_t checkpoint);

// (fraction done, what is happening)
using ProgressFn = std::function<void(double, const std::string&)>;

// Which probes to run again, and on which weights.
struct ProbeRequest {
  std::vector<std::string> kinds = {"knn"};  // names in the probes table (engine/eval/probes.h)
  int k = 0;                // 0: the run's
  double temperature = 0;   // 0: the run's
  int64_t checkpoint = -1;  // a checkpoint's step; -1: the backbone the run saved when it ended
};

// The run's probes recomputed on the data loaded as the trainer loads it (same limit, resize,
// held-out split and normalisation), so on the run's own data the kNN probe reproduces the stored
// one. Every probe is emitted to sink (a StoreSink records it) and returned. Throws with a message
// for the user when the run has no saved backbone or no such checkpoint, or the data has no labels.
// Polls `cancelled` between feature batches and probes (throws Cancelled).
std::vector<ProbeEvent> evaluate_run(Store& store, int64_t run, const RunDataOptions& o, const ProbeRequest& request = {},
                                     EventSink* sink = nullptr, const ProgressFn& progress = {},
                                     const CancelFn& cancelled = {});

struct RunEmbeddings {
  EmbeddingTable table;  // L2-normalised backbone features of evenly spread query images
  std::shared_ptr<const ImageSet> images;  // the set table.image_index points into (sprites, thumbnails)
};
RunEmbeddings run_embeddings(Store& store, int64_t run, const RunDataOptions& o, const ProgressFn& progress = {});

// run_embeddings written into folder (created): embeddings.csv and the TensorBoard projector files
// (vectors.tsv, metadata.tsv, sprite.png, projector_config.pbtxt). `pretext-cli export --what
// embeddings` and the runs page's Export. Returns what was embedded.
RunEmbeddings export_run_embeddings(Store& store, int64_t run, const RunDataOptions& o, const std::string& folder,
                                    const ProgressFn& progress = {});

// 2-D projection of a run's table (its weights at `checkpoint`, -1: the end) by one of
// engine/eval/projections.h with its parameters (defaults where not given), as the event a StoreSink
// records under projection_key(projection_label(method, parameters), checkpoint).
ProjectionEvent project_embeddings(const EmbeddingTable& t, int64_t run, const std::string& method, int64_t checkpoint,
                                   uint64_t seed, const ProgressFn& progress = {},
                                   const ProjectionParameters& parameters = {});

// How far the run's embedding moves under each op of its own pipeline, alone (engine/eval/
// sensitivity.h), over an evenly spread sample of at most o.limit of its held-out images.
std::vector<OpSensitivity> run_sensitivity(Store& store, int64_t run, const RunDataOptions& o,
                                           const ProgressFn& progress = {}, const CancelFn& cancelled = {});

// The k rows of the table most cosine-similar to row `row` in the full feature space (as the kNN
// probe sees them), the row itself left out, most similar first: the explorer's neighbour strip.
std::vector<size_t> nearest_rows(const EmbeddingTable& t, size_t row, size_t k);

// Copies the run's backbone.safetensors to out after checking it loads into the run's backbone.
// Returns the number of tensors.
size_t export_run_weights(Store& store, int64_t run, const std::string& out);

// The saved backbone of a run ("" when it has none).
std::string run_weights_path(Store& store, int64_t run);

}  // namespace pretext
