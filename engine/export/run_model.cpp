#include "engine/export/run_model.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "engine/augment/batch.h"
#include "engine/augment/pipeline.h"
#include "engine/core/atomic_file.h"
#include "engine/core/runtime.h"
#include "engine/eval/features.h"
#include "engine/eval/knn.h"
#include "engine/eval/neighbours.h"
#include "engine/eval/projections.h"
#include "engine/eval/sensitivity_probe.h"
#include "engine/export/tables.h"
#include "engine/models/backbone.h"
#include "engine/methods/method.h"
#include "engine/models/safetensors.h"
#include "engine/store/dataset_fingerprint.h"
#include "engine/train/checkpoint.h"
#include "engine/train/evaluation.h"
#include "engine/train/config.h"
#include "engine/train/run_data.h"
#include "engine/train/run_record.h"

namespace pretext {
namespace {

struct RunModel {
  TrainConfig cfg;                         // as stored with the run
  std::string weights;                     // the file loaded
  std::shared_ptr<BackboneImpl> backbone;  // in eval mode, on `device`
  std::shared_ptr<MethodImpl> method;      // its features() are what the run probed
  int64_t in_channels = 0;
  torch::Device device = torch::kCPU;
  Encoder encoder() const {
    return [m = method](const torch::Tensor& x) { return m->features(x); };
  }
};

// The file of the weights asked for: checkpoint `step`'s, or (-1) the backbone saved at the end.
// Throws the message a user needs when the run has no such file. Checked before any image is loaded.
std::string weights_file(Store& store, int64_t run, int64_t step) {
  if (step < 0) {
    const std::string path = run_backbone_path(store.path(), run);
    if (!std::filesystem::exists(path))
      throw std::runtime_error("run " + std::to_string(run) + " has no saved backbone (" + path +
                               "); only runs that reached their end save one");
    return path;
  }
  std::string steps;
  for (const auto& c : store.checkpoints(run)) {
    if (c.step == step) return c.path;
    steps += (steps.empty() ? "" : ", ") + std::to_string(c.step);
  }
  throw std::runtime_error("run " + std::to_string(run) + " has no checkpoint at step " + std::to_string(step) +
                           (steps.empty() ? " (it has none)" : " (it has " + steps + ")"));
}

RunModel load_run_model(Store& store, int64_t run, const std::string& device) {
  RunModel m;
  m.cfg = stored_config(store, run);
  m.weights = weights_file(store, run, -1);
  const SafetensorsFile f = read_safetensors(m.weights);
  // The input channels are not in the config (they come from the data); the weights have them.
  m.in_channels = backbone_in_channels(f);
  const std::string name = f.metadata.count("backbone") ? f.metadata.at("backbone") : m.cfg.backbone;
  m.backbone = make_backbone(name, m.in_channels);
  load_backbone_safetensors(*m.backbone, m.weights);
  // The run's method around the saved backbone (its heads fresh and unused): its features() are what
  // the run's own probes measured (MAE's mean of the patch tokens, where the ViT's forward gives the
  // CLS token, so eval disagreed with the run's probe).
  m.method = make_method(m.cfg.method, m.cfg.method_params, m.backbone);
  m.device = torch::Device(resolve_device(device));
  m.method->to(m.device);
  m.method->eval();
  return m;
}

// The whole method as checkpoint `step` of the run holds it (in_channels: the data's).
RunModel load_checkpoint_model(Store& store, int64_t run, int64_t step, int64_t in_channels, const std::string& device) {
  RunModel m;
  m.cfg = stored_config(store, run);
  m.weights = weights_file(store, run, step);
  m.in_channels = in_channels;
  m.device = torch::Device(resolve_device(device));
  m.method = make_method(m.cfg.method, m.cfg.method_params, make_backbone(m.cfg.backbone, in_channels));
  m.method->to(m.device);
  load_checkpoint_weights(m.weights, *m.method, m.device);
  m.method->restored();
  m.method->eval();
  m.backbone = m.method->backbone;
  return m;
}

// The step a probe of the run's saved backbone belongs to: its last checkpoint's (written at its end).
int64_t final_step(Store& store, int64_t run) {
  const auto last = store.latest_checkpoint(run);
  int64_t step = last ? last->step : 0;
  for (const auto& p : store.probes(run)) step = std::max(step, p.step);
  return step;
}

// Probe features are cached per run, weights file and data in <db>.runs/<id>/features/, so a second
// probe or projection of the same weights on the same images does not extract them again. The key
// names the weights file with its size and modification time (a rewritten checkpoint is new
// weights) and the images by content (their fingerprints), split and normalisation.
// The weights asked for: a checkpoint's (its step), or the backbone saved at the end (-1).
RunModel load_model_at(Store& store, int64_t run, int64_t checkpoint, const RunData& d, const std::string& device) {
  return checkpoint >= 0 ? load_checkpoint_model(store, run, checkpoint, d.train->channels, device)
                         : load_run_model(store, run, device);
}

std::string feature_cache_path(const std::string& db, int64_t run, const RunModel& m, const RunData& d) {
  namespace fs = std::filesystem;
  std::ostringstream key;
  key << m.weights << '|' << fs::file_size(m.weights) << '|'
      << fs::last_write_time(m.weights).time_since_epoch().count() << '|' << m.cfg.method << " features" << '|'
      << dataset_fingerprint(*d.train) << '|' << (d.eval ? dataset_fingerprint(*d.eval) : "-") << '|' << d.bank.size()
      << '|' << d.query.size();
  for (double v : d.stats.mean) key << '|' << v;
  for (double v : d.stats.std) key << '|' << v;
  char name[32];
  std::snprintf(name, sizeof name, "%016zx.pt", std::hash<std::string>{}(key.str()));
  return run_dir(db, run) + "/features/" + name;
}

// The run's probe features from the cache, or extracted and cached. `cached` tells which.
ProbeFeatures cached_probe_features(const std::string& path, const RunModel& m, const RunData& d, bool& cached,
                                    const CancelFn& cancelled = {}) {
  namespace fs = std::filesystem;
  std::vector<torch::Tensor> stored;
  if (fs::exists(path)) {
    try {
      torch::load(stored, path);
    } catch (const std::exception&) {
      stored.clear();  // unreadable: extract again and replace it
    }
  }
  cached = stored.size() == 2 && stored[0].size(0) == int64_t(d.bank.size()) && stored[1].size(0) == int64_t(d.query.size());
  if (cached) return {stored[0], stored[1]};
  const ProbeFeatures f = probe_features(m.encoder(), d, m.device, cancelled);
  write_file_atomically(path, [&](std::ostream& out) { torch::save(std::vector<torch::Tensor>{f.bank, f.query}, out); });
  return f;
}

void require_channels(const RunModel& m, const ImageSet& set) {
  if (set.channels != m.in_channels)
    throw std::runtime_error("the images have " + std::to_string(set.channels) + " channels; the run's backbone takes " +
                             std::to_string(m.in_channels));
}

void report(const ProgressFn& p, double f, const std::string& what) {
  if (p) p(f, what);
}

}  // namespace

std::string run_weights_path(Store& store, int64_t run) {
  const std::string p = run_backbone_path(store.path(), run);
  return std::filesystem::exists(p) ? p : "";
}

std::vector<ProbeEvent> evaluate_run(Store& store, int64_t run, const RunDataOptions& o, const ProbeRequest& request,
                                     EventSink* sink, const ProgressFn& progress, const CancelFn& cancelled) {
  for (const auto& kind : request.kinds) probe_kind(kind);  // an unknown probe is refused before any loading
  weights_file(store, run, request.checkpoint);              // and so are weights the run does not have
  report(progress, 0, "loading images");
  const RunData d = prepare_run_data(stored_config(store, run), o.data, o.eval_data);
  if (!d.can_probe()) throw std::runtime_error("the probes need labelled images (class folders or IDX labels)");
  report(progress, 0.2, "loading the weights");
  throw_if_cancelled(cancelled);
  const RunModel m = load_model_at(store, run, request.checkpoint, d, o.device);
  require_channels(m, *d.train);
  require_channels(m, d.query_set());
  ProbeSettings settings = probe_settings(m.cfg);
  if (request.k > 0) settings.options.k = request.k;
  if (request.temperature > 0) settings.options.temperature = request.temperature;
  settings.kinds = request.kinds;
  report(progress, 0.3, "features of " + std::to_string(d.bank.size()) + " + " + std::to_string(d.query.size()) + " images");
  bool cached = false;
  const ProbeFeatures f = cached_probe_features(feature_cache_path(store.path(), run, m, d), m, d, cached, cancelled);
  report(progress, 0.8, cached ? "features from the cache" : "features extracted and cached");
  const int64_t step = request.checkpoint >= 0 ? request.checkpoint : final_step(store, run);
  auto probes = probes_on_features(f, d, settings, run, step, cancelled);
  if (sink)
    for (const auto& p : probes) sink->on_event(p);
  report(progress, 1, "done");
  return probes;
}

// The run's weights (the end's or a checkpoint's) and an evenly spread sample of at most o.limit of
// its query images: where embeddings and invariances start.
struct RunSample {
  RunData data;
  RunModel model;
  std::vector<size_t> positions;  // in data.query
  std::vector<size_t> images;     // data.query[positions]: indices into data.query_set()
};

RunSample load_run_sample(Store& store, int64_t run, const RunDataOptions& o, const ProgressFn& progress) {
  RunSample s;
  weights_file(store, run, o.checkpoint);  // no weights, no need to load the images first
  report(progress, 0, "loading images");
  s.data = prepare_run_data(stored_config(store, run), o.data, o.eval_data);
  report(progress, 0.1, o.checkpoint >= 0 ? "loading checkpoint " + std::to_string(o.checkpoint) : "loading the backbone");
  s.model = load_model_at(store, run, o.checkpoint, s.data, o.device);
  require_channels(s.model, s.data.query_set());
  s.positions = spread_indices(s.data.query.size(), o.limit == 0 ? s.data.query.size() : o.limit);
  for (size_t p : s.positions) s.images.push_back(s.data.query[p]);
  return s;
}

RunEmbeddings run_embeddings(Store& store, int64_t run, const RunDataOptions& o, const ProgressFn& progress) {
  const RunSample sample = load_run_sample(store, run, o, progress);
  const RunData& d = sample.data;
  const RunModel& m = sample.model;
  const ImageSet& set = d.query_set();
  const std::vector<size_t>& pick = sample.positions;
  const std::vector<size_t>& idx = sample.images;
  // A probe of these weights on these images cached every query's features: take the rows from it.
  // Without one, only the picked images are embedded (cheaper than the whole split).
  const std::string cache = feature_cache_path(store.path(), run, m, d);
  torch::Tensor f;
  if (std::filesystem::exists(cache)) {
    bool cached = false;
    const torch::Tensor all = cached_probe_features(cache, m, d, cached).query;
    f = all.index_select(0, torch::tensor(std::vector<int64_t>(pick.begin(), pick.end()), torch::kLong)).contiguous();
    report(progress, 0.4, "features of " + std::to_string(idx.size()) + " images from the cache");
  } else {
    report(progress, 0.4, "features of " + std::to_string(idx.size()) + " images");
    f = extract_features(m.encoder(), set, idx, d.stats, m.device).contiguous();
  }
  RunEmbeddings out;
  EmbeddingTable& t = out.table;
  t.n = idx.size();
  t.dim = static_cast<size_t>(f.size(1));
  t.values.assign(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
  t.class_names = set.class_names;
  for (size_t i : idx) {
    t.image_index.push_back(static_cast<int64_t>(i));
    t.labels.push_back(set.labels.empty() ? -1 : set.labels[i]);
    t.sources.push_back(set.sources[i]);
  }
  out.images = d.eval ? d.eval : d.train;
  report(progress, 1, "done");
  return out;
}

RunEmbeddings export_run_embeddings(Store& store, int64_t run, const RunDataOptions& o, const std::string& folder,
                                    const ProgressFn& progress) {
  RunEmbeddings e = run_embeddings(store, run, o, [&](double f, const std::string& what) {
    if (progress) progress(0.9 * f, what);
  });
  std::filesystem::create_directories(folder);
  write_embeddings_csv(e.table, (std::filesystem::path(folder) / "embeddings.csv").string());
  write_projector(e.table, e.images.get(), folder);
  if (progress) progress(1.0, "written");
  return e;
}

ProjectionEvent project_embeddings(const EmbeddingTable& t, int64_t run, const std::string& method, int64_t checkpoint,
                                   uint64_t seed, const ProgressFn& progress, const ProjectionParameters& parameters) {
  ProjectionOptions o;
  o.seed = seed;
  o.parameters = parameters;
  if (progress)
    o.progress = [&](double fraction, const std::string& what) {
      progress(fraction, what);
      return true;
    };
  ProjectionEvent e;
  e.run_id = run;
  e.kind = projection_key(projection_label(method, parameters), checkpoint);
  e.xy = project(method, t.values, t.n, t.dim, o);
  e.image_indices = t.image_index;
  e.labels = t.labels.empty() ? std::vector<int>(t.n, -1) : t.labels;
  e.class_names = t.class_names;
  return e;
}

std::string projection_key(const std::string& label, int64_t checkpoint) {
  return checkpoint >= 0 ? label + "@" + std::to_string(checkpoint) : label;
}

std::vector<OpSensitivity> run_sensitivity(Store& store, int64_t run, const RunDataOptions& o,
                                           const ProgressFn& progress, const CancelFn& cancelled) {
  const RunSample s = load_run_sample(store, run, o, progress);
  report(progress, 0.3, "each op alone on " + std::to_string(s.images.size()) + " images");
  const auto out = augmentation_sensitivity(s.model.encoder(), s.data.query_set(), s.images,
                                            Pipeline::from_json(s.model.cfg.pipeline_json), s.data.stats, s.model.device,
                                            s.model.cfg.seed, cancelled);
  report(progress, 1, "done");
  return out;
}

std::vector<size_t> nearest_rows(const EmbeddingTable& t, size_t row, size_t k) {
  if (row >= t.n) throw std::out_of_range("nearest_rows: no row " + std::to_string(row));
  const auto bank = torch::from_blob(const_cast<float*>(t.values.data()), {int64_t(t.n), int64_t(t.dim)}, torch::kFloat32);
  const Nearest found = nearest(bank.slice(0, int64_t(row), int64_t(row) + 1), bank, int64_t(k) + 1, Closeness::kDot);
  std::vector<size_t> out;
  const auto idx = found.index.contiguous();
  for (int64_t j = 0; j < idx.size(1) && out.size() < k; ++j)
    if (size_t(idx[0][j].item<int64_t>()) != row) out.push_back(size_t(idx[0][j].item<int64_t>()));
  return out;
}

size_t export_run_weights(Store& store, int64_t run, const std::string& out) {
  const RunModel m = load_run_model(store, run, "cpu");  // proves the file loads into the run's backbone
  const auto parent = std::filesystem::path(out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  std::filesystem::copy_file(m.weights, out, std::filesystem::copy_options::overwrite_existing);
  return backbone_state(*m.backbone).size();
}

}  // namespace pretext
