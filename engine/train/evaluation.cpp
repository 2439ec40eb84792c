#include "engine/train/evaluation.h"

#include <algorithm>

#include "engine/core/seed.h"
#include "engine/eval/diagnostics.h"
#include "engine/eval/knn.h"
#include "engine/eval/projections.h"

namespace pretext {
namespace {

Encoder features_of(MethodImpl& method) {
  return [&method](const torch::Tensor& x) { return method.features(x); };
}

// The online kNN's k: a twentieth of its small bank, at most the run's k.
int online_knn_k(const TrainConfig& cfg, const RunProbes& probes) {
  return std::max(1, std::min(cfg.knn_k, static_cast<int>(probes.knn_bank.size() / 20)));
}

// The points a projection shows, at most this many: a scatter stays readable and quick to draw.
constexpr size_t kProjectionPoints = 2000;

ProjectionEvent pca_projection(const torch::Tensor& query_features, const RunData& data, int64_t run_id) {
  const ImageSet& qset = data.query_set();
  const auto shown = spread_indices(data.query.size(), kProjectionPoints);
  std::vector<int64_t> rows(shown.begin(), shown.end());
  const auto features = query_features.index_select(0, torch::tensor(rows, torch::kLong)).to(torch::kCPU, torch::kFloat32).contiguous();
  const std::vector<float> values(features.data_ptr<float>(), features.data_ptr<float>() + features.numel());
  ProjectionEvent pe;
  pe.run_id = run_id;
  pe.kind = "pca";
  pe.class_names = qset.class_names;
  const std::vector<float> xy = project(pe.kind, values, shown.size(), size_t(features.size(1)));
  const float* p = xy.data();
  for (size_t j = 0; j < shown.size(); ++j) {
    const size_t img = data.query[shown[j]];
    pe.xy.push_back(p[2 * j]);
    pe.xy.push_back(p[2 * j + 1]);
    pe.labels.push_back(qset.labels.empty() ? -1 : qset.labels[img]);
    pe.image_indices.push_back(static_cast<int64_t>(img));
  }
  return pe;
}

// The normalised pixels, flattened: what a probe reads with no network at all.
torch::Tensor raw_pixels(const torch::Tensor& x) { return x.flatten(1); }

// A baseline's probe: the key it is stored under, and its measurement.
struct BaselineProbe {
  std::string scope;
  const std::vector<size_t>* bank;
  const std::vector<size_t>* query;
  int k;
};

}  // namespace

ProbeSettings probe_settings(const TrainConfig& cfg) {
  ProbeSettings s;
  s.kinds = cfg.probes;
  s.options.k = cfg.knn_k;
  s.options.temperature = cfg.knn_t;
  return s;
}

bool probe_due(const TrainConfig& cfg, const RunData& data, int64_t done, int64_t total) {
  return cfg.probe_every > 0 && done % cfg.probe_every == 0 && done < total && data.can_probe();
}

ProbeFeatures probe_features(const Encoder& encode, const RunData& data, const torch::Device& device,
                             const CancelFn& cancelled) {
  return {extract_features(encode, *data.train, data.bank, data.stats, device, 256, cancelled),
          extract_features(encode, data.query_set(), data.query, data.stats, device, 256, cancelled)};
}

std::vector<ProbeEvent> probes_on_features(const ProbeFeatures& f, const RunData& data, const ProbeSettings& settings,
                                           int64_t run_id, int64_t step, const CancelFn& cancelled) {
  const ProbeData d{f.bank, labels_of(*data.train, data.bank), f.query, labels_of(data.query_set(), data.query)};
  std::vector<ProbeEvent> out;
  for (const auto& name : settings.kinds) {
    ProbeEvent e = probe_kind(name).run(d, settings.options, cancelled);
    e.run_id = run_id;
    e.step = step;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<ProbeEvent> run_probes(const Encoder& encode, const RunData& data, const ProbeSettings& settings,
                                   const torch::Device& device, int64_t run_id, int64_t step,
                                   torch::Tensor* query_features, const CancelFn& cancelled) {
  const ProbeFeatures f = probe_features(encode, data, device, cancelled);
  if (query_features) *query_features = f.query;
  return probes_on_features(f, data, settings, run_id, step, cancelled);
}

void establish_baselines(const TrainConfig& cfg, const RunData& data, const RunProbes& probes,
                         const torch::Device& device, int64_t run_id, Store* store, EventSink& sink,
                         const CancelFn& cancelled) {
  if (!data.can_probe()) return;
  std::vector<BaselineProbe> scopes = {{"final", &data.bank, &data.query, cfg.knn_k}};
  if (!probes.knn_bank.empty())
    scopes.push_back({"online", &probes.knn_bank, &probes.knn_query, online_knn_k(cfg, probes)});
  std::shared_ptr<MethodImpl> untrained;  // built when first needed
  for (const char* baseline : {"random_init", "raw_pixels"}) {
    const bool pixels = std::string(baseline) == "raw_pixels";
    for (const auto& sc : scopes) {
      BaselineEvent e;
      e.run_id = run_id;
      e.baseline = baseline;
      e.scope = sc.scope;
      e.dataset = cfg.data_fingerprint;
      e.backbone = pixels ? "pixels" : cfg.backbone;
      nlohmann::json params = {{"k", sc.k},      {"t", cfg.knn_t},         {"bank", sc.bank->size()},
                               {"queries", sc.query->size()}, {"eval", cfg.eval_data}, {"limit", cfg.limit},
                               {"resize", cfg.resize}, {"mean", data.stats.mean}, {"std", data.stats.std}};
      if (!pixels) params.update({{"method", cfg.method}, {"seed", cfg.seed}});  // MAE's features differ
      e.params = params.dump();
      if (const auto known = store && !e.dataset.empty()
                                 ? store->baseline(e.dataset, e.backbone, e.baseline, e.scope, e.params)
                                 : std::nullopt) {
        e.accuracy = known->accuracy;
        e.queries = known->queries;
        e.reused = true;
      } else {
        if (!pixels && !untrained) {
          untrained = make_seeded_method(cfg, data.train->channels, device);
          untrained->eval();
        }
        const Encoder encode = pixels ? Encoder(raw_pixels) : features_of(*untrained);
        const KnnResult r = knn_probe(encode, *data.train, *sc.bank, data.query_set(), *sc.query, data.stats, device,
                                      sc.k, cfg.knn_t, nullptr, cancelled);
        e.accuracy = r.accuracy;
        e.queries = r.queries;
      }
      sink.on_event(e);
    }
  }
}

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
  if (!probes.knn_bank.empty())
    d.online_knn = knn_probe(features_of(method), *data.train, probes.knn_bank, data.query_set(), probes.knn_query,
                             data.stats, device, online_knn_k(cfg, probes), cfg.knn_t)
                       .accuracy;
  method.train();
  d.extra = values.monitors;
  return d;
}

std::vector<std::vector<uint8_t>> to_rgb8(const torch::Tensor& x, const ChannelStats& stats) {
  const int64_t c = x.size(1);
  auto mean = torch::tensor(stats.mean, torch::kFloat).view({1, c, 1, 1});
  auto std = torch::tensor(stats.std, torch::kFloat).view({1, c, 1, 1});
  auto rgb = (x.detach().to(torch::kCPU, torch::kFloat) * std + mean).clamp(0, 1).mul(255).round().to(torch::kUInt8);
  if (c == 1) rgb = rgb.expand({-1, 3, -1, -1});
  rgb = rgb.permute({0, 2, 3, 1}).contiguous();  // HWC
  std::vector<std::vector<uint8_t>> out;
  for (int64_t i = 0; i < rgb.size(0); ++i) {
    const uint8_t* p = rgb[i].data_ptr<uint8_t>();
    out.emplace_back(p, p + rgb[i].numel());
  }
  return out;
}

std::optional<PreviewEvent> pretext_preview(MethodImpl& method, const RunProbes& probes, const ChannelStats& stats,
                                            int64_t run_id, int64_t step, int64_t count) {
  if (probes.diag_views.empty()) return std::nullopt;
  torch::NoGradGuard no_grad;
  method.eval();
  const auto& x = probes.diag_views[0];
  MethodImpl::Picture picture = method.picture(x.slice(0, 0, std::min<int64_t>(count, x.size(0))));
  method.train();
  if (picture.rows.empty()) return std::nullopt;
  PreviewEvent e;
  e.run_id = run_id;
  e.step = step;
  e.height = static_cast<int>(picture.rows[0].second.size(2));
  e.width = static_cast<int>(picture.rows[0].second.size(3));
  for (const auto& [title, images] : picture.rows) {
    e.row_titles.push_back(title);
    e.rows.push_back(to_rgb8(images, stats));
  }
  e.captions = picture.captions;
  e.score_name = picture.score_name;
  e.score = picture.score;
  return e;
}

std::optional<FormulaEvent> formula_event(const Formula& formula, const Batch& batch, const ChannelStats& stats,
                                          int64_t run_id, int64_t step, double loss, int64_t row) {
  if (formula.expression.empty()) return std::nullopt;
  torch::NoGradGuard no_grad;
  FormulaEvent e;
  e.run_id = run_id;
  e.step = step;
  e.expression = formula.expression;
  e.loss = loss;
  e.rows = formula.row_loss.defined() ? formula.row_loss.size(0) : 0;
  e.row = std::clamp<int64_t>(row, 0, std::max<int64_t>(0, e.rows - 1));
  const auto value = [&](const torch::Tensor& t) { return (t.dim() == 0 ? t : t[e.row]).item<double>(); };
  for (const auto& [name, t] : formula.terms) e.terms.emplace_back(name, value(t));
  if (formula.row_loss.defined()) {
    e.row_loss = value(formula.row_loss);
    e.has_row_loss = true;
  }
  if (!formula.positive.defined() || batch.views.empty()) return e;
  // Rows index the views stacked: row r is image r % n of view r / n.
  const int64_t n = batch.views[0].size(0);
  const auto view_of_row = [&](int64_t r) { return batch.views.at(size_t(r / n)).slice(0, r % n, r % n + 1); };
  // Short titles: the panel's column is narrow (the tooltip says which negative). A negative without a
  // row in the batch (MoCo's queued keys) has no image.
  std::vector<std::pair<const char*, int64_t>> shown = {{"view", e.row}, {"positive", formula.positive[e.row].item<int64_t>()}};
  if (formula.nearest_negative.defined()) shown.emplace_back("negative", formula.nearest_negative[e.row].item<int64_t>());
  for (const auto& [title, r] : shown) {
    const auto x = view_of_row(r);
    e.height = static_cast<int>(x.size(2));
    e.width = static_cast<int>(x.size(3));
    e.images.emplace_back(title, to_rgb8(x, stats).at(0));
  }
  return e;
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
  for (ProbeEvent& probe :
       run_probes(features_of(method), data, probe_settings(cfg), device, run_id, step, &query, cancelled)) {
    probe.end_of_run = true;
    sink.on_event(probe);
  }
  throw_if_cancelled(cancelled);
  sink.on_event(pca_projection(query, data, run_id));
}

}  // namespace pretext
