#pragma once
// What a run measures besides its loss: every few steps the collapse diagnostics and the online kNN
// (periodic), and when it ends the kNN probe and a projection of the embeddings (end of run).
// Results leave as events.
#include <torch/torch.h>

#include <optional>
#include <vector>

#include "engine/augment/pipeline.h"
#include "engine/core/cancel.h"
#include "engine/core/events.h"
#include "engine/eval/features.h"
#include "engine/eval/probes.h"
#include "engine/methods/method.h"
#include "engine/store/store.h"
#include "engine/train/run_data.h"
#include "engine/train/step.h"

namespace pretext {

// The fixed inputs of the periodic evaluation, chosen once per run so values are comparable over
// time: two augmented views of the same images (same draws every time), and a small labelled subset
// for the online kNN (4/5 bank, 1/5 queries, un-augmented).
struct RunProbes {
  std::vector<torch::Tensor> diag_views;  // empty: no diagnostics
  std::vector<size_t> knn_bank, knn_query;
};
RunProbes prepare_run_probes(const TrainConfig& cfg, const RunData& data, const Pipeline& pipeline,
                             const torch::Device& device);

// Whether the periodic evaluation runs after step `done` (1-based) of `total`.
bool evaluation_due(const TrainConfig& cfg, const RunProbes& probes, int64_t done, int64_t total);
// Whether a full probe is scheduled after step `done` (cfg.probe_every; the last step has its own).
bool probe_due(const TrainConfig& cfg, const RunData& data, int64_t done, int64_t total);

// Which probes run (names in the probes table, engine/eval/probes.h) and their settings.
struct ProbeSettings {
  std::vector<std::string> kinds = {"knn"};
  ProbeOptions options;
};
// The run's probes: kNN at its k and T, and the linear probe when the run asked for it.
ProbeSettings probe_settings(const TrainConfig& cfg);

// The features a probe reads: the bank and query images of the run's split, L2-normalised.
struct ProbeFeatures {
  torch::Tensor bank, query;
};
ProbeFeatures probe_features(const Encoder& encode, const RunData& data, const torch::Device& device,
                             const CancelFn& cancelled = {});
// The settings' probes on those features, in the settings' order: events for step `step`.
std::vector<ProbeEvent> probes_on_features(const ProbeFeatures& features, const RunData& data,
                                           const ProbeSettings& settings, int64_t run_id, int64_t step,
                                           const CancelFn& cancelled = {});

// The run's probes on its split, from one extraction of the bank and query features. Events for step `step`; query_features (when given) receives the
// query features. Throws Cancelled.
std::vector<ProbeEvent> run_probes(const Encoder& encode, const RunData& data, const ProbeSettings& settings,
                                   const torch::Device& device, int64_t run_id, int64_t step,
                                   torch::Tensor* query_features = nullptr, const CancelFn& cancelled = {});

// The random-init network's and the raw pixels' kNN on the online subset and on the final split,
// read from the store when this dataset, backbone and probe have them, else measured (the network is
// the run's own at its first step: make_seeded_method). Emitted as BaselineEvents. Throws Cancelled
// within a feature batch of `cancelled` turning true (a stop must not wait for minutes of probes).
void establish_baselines(const TrainConfig& cfg, const RunData& data, const RunProbes& probes,
                         const torch::Device& device, int64_t run_id, Store* store, EventSink& sink,
                         const CancelFn& cancelled = {});

// Normalised images [N, C, H, W] -> one 8-bit RGB image each, row-major (grey replicated): what a
// person sees of what the network saw.
std::vector<std::vector<uint8_t>> to_rgb8(const torch::Tensor& x, const ChannelStats& stats);

// The live prediction panel's picture of the task on the first `count` images of the fixed
// diagnostics batch; nothing for methods with nothing to draw.
std::optional<PreviewEvent> pretext_preview(MethodImpl& method, const RunProbes& probes, const ChannelStats& stats,
                                            int64_t run_id, int64_t step, int64_t count = 8);

// The formula panel's event for row `row` of a step's loss: the term values of that row (or of the
// batch), its loss, and for a row with a positive its view, its positive and its nearest negative
// (rows index the batch's views stacked). Nothing when the method writes no formula.
std::optional<FormulaEvent> formula_event(const Formula& formula, const Batch& batch, const ChannelStats& stats,
                                          int64_t run_id, int64_t step, double loss, int64_t row = 0);

// Diagnostics on the fixed views, the online kNN and the step's monitors, for step `done`.
DiagnosticsEvent periodic_evaluation(MethodImpl& method, const RunProbes& probes, const RunData& data,
                                     const TrainConfig& cfg, const torch::Device& device, int64_t run_id, int64_t done,
                                     const StepValues& values);

// The kNN probe on the run's split and a PCA of (up to 2,000) query embeddings, emitted to sink.
// Polls `cancelled` (throws Cancelled). Does nothing but log when the data has no labels.
void end_of_run_evaluation(MethodImpl& method, const RunData& data, const TrainConfig& cfg, const torch::Device& device,
                           int64_t run_id, int64_t step, EventSink& sink, const CancelFn& cancelled);

}  // namespace pretext
