#include "engine/train/evaluation.h"

#include <algorithm>

#include "engine/core/seed.h"
#include "engine/eval/diagnostics.h"
#include "engine/eval/knn.h"
#include "engine/eval/pca.h"

namespace pretext {
namespace {

Encoder features_of(MethodImpl& method) {
  return [&method](const torch::Tensor& x) { return method.features(x); };
}

// The points a projection shows, at most this many: a scatter stays readable and quick to draw.
constexpr size_t kProjectionPoints = 2000;

ProjectionEvent pca_projection(const torch::Tensor& query_features, const RunData& data, int64_t run_id) {
  const ImageSet& qset = data.query_set();
  const auto shown = spread_indices(data.query.size(), kProjectionPoints);
  std::vector<int64_t> rows(shown.begin(), shown.end());
  const auto xy = pca_project(query_features.index_select(0, torch::tensor(rows, torch::kLong)), 2).contiguous();
  ProjectionEvent pe;
  pe.run_id = run_id;
  pe.kind = "pca";
  pe.class_names = qset.class_names;
  const float* p = xy.data_ptr<float>();
  for (size_t j = 0; j < shown.size(); ++j) {
    const size_t img = data.query[shown[j]];
    pe.xy.push_back(p[2 * j]);
    pe.xy.push_back(p[2 * j + 1]);
    pe.labels.push_back(qset.labels.empty() ? -1 : qset.labels[img]);
    pe.image_indices.push_back(static_cast<int64_t>(img));
  }
  return pe;
}

}  // namespace

RunProbes prepare_run_probes(const TrainConfig& cfg, const RunData& data, const Pipeline& pipeline,
                             const torch::Device& device) {
  RunProbes p;
  const ImageSet& train = *data.train;
  std::vector<size_t> diag_idx = spread_indices(train.size(), static_cast<size_t>(std::max(2, cfg.diag_batch)));
  if (cfg.diag_every > 0 && diag_idx.size() >= 2) {
    p.diag_views = augment_batch(train, diag_idx, pipeline, 2, mix_seed(cfg.seed, 0xd1a9), 0, data.stats);
    for (auto& v : p.diag_views) v = v.to(device);
  }
  if (cfg.diag_every > 0 && cfg.online_knn > 0 && data.can_probe()) {
    const auto n = static_cast<size_t>(cfg.online_knn);
    for (size_t i : spread_indices(data.bank.size(), std::max<size_t>(1, n - n / 5))) p.knn_bank.push_back(data.bank[i]);
    for (size_t i : spread_indices(data.query.size(), std::max<size_t>(1, n / 5))) p.knn_query.push_back(data.query[i]);
  }
  return p;
}

bool evaluation_due(const TrainConfig& cfg, const RunProbes& probes, int64_t done, int64_t total) {
  return !probes.diag_views.empty() && (done % cfg.diag_every == 0 || done == total);
}

DiagnosticsEvent periodic_evaluation(MethodImpl& method, const RunProbes& probes, const RunData& data,
                                     const TrainConfig& cfg, const torch::Device& device, int64_t run_id, int64_t done,
                                     const StepValues& values) {
  torch::NoGradGuard no_grad;
  method.eval();
  DiagnosticsEvent d = diagnose(method.embed(probes.diag_views[0]), method.embed(probes.diag_views[1]), run_id, done);
  if (!probes.knn_bank.empty()) {
    const int k = std::max(1, std::min(cfg.knn_k, static_cast<int>(probes.knn_bank.size() / 20)));
    d.online_knn = knn_probe(features_of(method), *data.train, probes.knn_bank, data.query_set(), probes.knn_query,
                             data.stats, device, k, cfg.knn_t)
                       .accuracy;
  }
  method.train();
  d.extra = values.monitors;
  return d;
}

void end_of_run_evaluation(MethodImpl& method, const RunData& data, const TrainConfig& cfg, const torch::Device& device,
                           int64_t run_id, int64_t step, EventSink& sink, const CancelFn& cancelled) {
  if (!data.can_probe()) {
    sink.on_event(LogEvent{LogEvent::Level::Info,
                           "probe skipped: the data has no labels (give --eval-data with class folders)"});
    return;
  }
  method.eval();
  sink.on_event(LogEvent{LogEvent::Level::Info, "probe: extracting features of " + std::to_string(data.bank.size()) +
                                                    " + " + std::to_string(data.query.size()) + " images"});
  torch::Tensor query;
  const KnnResult r = knn_probe(features_of(method), *data.train, data.bank, data.query_set(), data.query, data.stats,
                                device, cfg.knn_k, cfg.knn_t, &query, cancelled);
  ProbeEvent probe{run_id, step, "knn", r.k, r.accuracy, r.queries};
  probe.end_of_run = true;
  sink.on_event(probe);
  throw_if_cancelled(cancelled);
  sink.on_event(pca_projection(query, data, run_id));
}

}  // namespace pretext
