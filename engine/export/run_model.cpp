#include "engine/export/run_model.h"

#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>

#include "engine/augment/batch.h"
#include "engine/augment/pipeline.h"
#include "engine/core/runtime.h"
#include "engine/eval/features.h"
#include "engine/eval/knn.h"
#include "engine/eval/pca.h"
#include "engine/eval/tsne.h"
#include "engine/export/safetensors.h"
#include "engine/models/backbone.h"
#include "engine/train/config.h"

namespace pretext {
namespace {

struct RunModel {
  TrainConfig cfg;                         // as stored with the run
  std::string weights;                     // the file loaded
  std::shared_ptr<BackboneImpl> backbone;  // in eval mode, on `device`
  torch::Device device = torch::kCPU;
};

RunModel load_run_model(Store& store, int64_t run, const std::string& device) {
  RunModel m;
  auto r = store.run(run);
  if (!r) throw std::runtime_error("no run " + std::to_string(run));
  try {
    m.cfg = TrainConfig::from_json(nlohmann::json::parse(r->config));
  } catch (const std::exception& e) {
    throw std::runtime_error("run " + std::to_string(run) + " has an unreadable config: " + e.what());
  }
  m.weights = run_dir(store.path(), run) + "/backbone.safetensors";
  if (!std::filesystem::exists(m.weights))
    throw std::runtime_error("run " + std::to_string(run) + " has no saved backbone (" + m.weights +
                             "); only runs that reached their end save one");
  const SafetensorsFile f = read_safetensors(m.weights);
  // The input channels are not in the config (they come from the data); the stem's weight has them.
  const torch::Tensor stem = f.get("conv1.weight");
  const std::string name = f.metadata.count("backbone") ? f.metadata.at("backbone") : m.cfg.backbone;
  m.backbone = make_backbone(name, stem.size(1));
  load_backbone_safetensors(*m.backbone, m.weights);
  m.device = torch::Device(resolve_device(device));
  m.backbone->to(m.device);
  m.backbone->eval();
  return m;
}

struct RunData {
  ImageSet train, eval;  // eval empty when the probe uses a held-out part of train
  std::vector<size_t> bank, query;
  ChannelStats stats;
  const ImageSet& query_set() const { return eval.size() ? eval : train; }
};

// Mirrors the trainer's loading and probe split (engine/train/trainer.cpp).
RunData load_run_data(const TrainConfig& cfg, const std::string& data, const std::string& eval_data) {
  RunData d;
  LoadOptions lo;
  lo.limit = cfg.limit;
  lo.resize = cfg.resize;
  d.train = load_images(data.empty() ? cfg.data : data, lo);
  std::vector<double> mean, std;
  if (cfg.pipeline_json.is_object()) {
    const Pipeline p = Pipeline::from_json(cfg.pipeline_json);
    mean = p.mean;
    std = p.std;
  }
  d.stats = mean.empty() ? channel_stats(d.train) : ChannelStats{mean, std};
  const std::string eval_path = eval_data.empty() ? cfg.eval_data : eval_data;
  if (!eval_path.empty()) {
    LoadOptions el;
    el.resize = d.train.height;
    d.eval = load_images(eval_path, el);
    for (size_t i = 0; i < d.train.size(); ++i) d.bank.push_back(i);
    for (size_t i = 0; i < d.eval.size(); ++i) d.query.push_back(i);
  } else {
    const size_t q = std::min(cfg.probe_queries, d.train.size() / 5);
    const auto picked = spread_indices(d.train.size(), q);
    std::vector<bool> is_query(d.train.size(), false);
    for (size_t i : picked) is_query[i] = true;
    for (size_t i = 0; i < d.train.size(); ++i) (is_query[i] ? d.query : d.bank).push_back(i);
  }
  return d;
}

torch::Tensor features(const RunModel& m, const ImageSet& set, const std::vector<size_t>& indices,
                       const ChannelStats& stats) {
  const int64_t channels = m.backbone->named_parameters()["conv1.weight"].size(1);
  if (set.channels != channels)
    throw std::runtime_error("the images have " + std::to_string(set.channels) + " channels; the run's backbone takes " +
                             std::to_string(channels));
  auto encode = [&](const torch::Tensor& x) { return m.backbone->forward(x); };
  return extract_features(encode, set, indices, stats, m.device);
}

torch::Tensor labels_of(const ImageSet& set, const std::vector<size_t>& idx) {
  std::vector<int64_t> l;
  for (size_t i : idx) l.push_back(set.labels.empty() ? -1 : set.labels[i]);
  return torch::tensor(l, torch::kLong);
}

void report(const ProgressFn& p, double f, const std::string& what) {
  if (p) p(f, what);
}

}  // namespace

std::string run_weights_path(Store& store, int64_t run) {
  const std::string p = run_dir(store.path(), run) + "/backbone.safetensors";
  return std::filesystem::exists(p) ? p : "";
}

EvalResult evaluate_run(Store& store, int64_t run, const RunDataOptions& o, const ProgressFn& progress) {
  report(progress, 0, "loading the backbone");
  const RunModel m = load_run_model(store, run, o.device);
  report(progress, 0.1, "loading images");
  const RunData d = load_run_data(m.cfg, o.data, o.eval_data);
  const ImageSet& qset = d.query_set();
  if (!d.train.has_labels() || !qset.has_labels() || d.bank.empty() || d.query.empty())
    throw std::runtime_error("the kNN probe needs labelled images (class folders or IDX labels)");
  report(progress, 0.3, "features of " + std::to_string(d.bank.size()) + " + " + std::to_string(d.query.size()) + " images");
  auto bank = features(m, d.train, d.bank, d.stats);
  auto query = features(m, qset, d.query, d.stats);
  report(progress, 0.9, "kNN vote");
  const KnnResult r = knn_classify(bank, labels_of(d.train, d.bank), query, labels_of(qset, d.query), m.cfg.knn_k,
                                   m.cfg.knn_t);
  report(progress, 1, "done");
  return {r.accuracy, r.queries, static_cast<int64_t>(d.bank.size()), r.k};
}

RunEmbeddings run_embeddings(Store& store, int64_t run, const RunDataOptions& o, const ProgressFn& progress) {
  report(progress, 0, "loading the backbone");
  const RunModel m = load_run_model(store, run, o.device);
  report(progress, 0.1, "loading images");
  RunData d = load_run_data(m.cfg, o.data, o.eval_data);
  const ImageSet& set = d.query_set();
  const auto pick = spread_indices(d.query.size(), o.limit == 0 ? d.query.size() : o.limit);
  std::vector<size_t> idx;
  for (size_t p : pick) idx.push_back(d.query[p]);
  report(progress, 0.4, "features of " + std::to_string(idx.size()) + " images");
  const torch::Tensor f = features(m, set, idx, d.stats).contiguous();
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
  out.images = d.eval.size() ? std::move(d.eval) : std::move(d.train);
  report(progress, 1, "done");
  return out;
}

std::vector<ProjectionPoint> project_embeddings(const EmbeddingTable& t, const std::string& method, uint64_t seed,
                                                const ProgressFn& progress) {
  if (t.n < 3) throw std::runtime_error("a projection needs at least 3 points");
  std::vector<float> xy;
  if (method == "pca") {
    const torch::Tensor x =
        torch::from_blob(const_cast<float*>(t.values.data()), {int64_t(t.n), int64_t(t.dim)}, torch::kFloat32);
    const torch::Tensor p = pca_project(x, 2).contiguous().to(torch::kFloat32);
    xy.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
  } else if (method == "tsne") {
    TsneOptions o;
    o.seed = seed;
    if (progress)
      o.progress = [&](int it, int total, double kl) {
        progress(double(it) / total, "iteration " + std::to_string(it) + "/" + std::to_string(total) + ", KL " +
                                         std::to_string(kl));
        return true;
      };
    xy = tsne(t.values, t.n, t.dim, o);
  } else {
    throw std::invalid_argument("unknown projection '" + method + "' (pca or tsne)");
  }
  std::vector<ProjectionPoint> out;
  for (size_t i = 0; i < t.n; ++i)
    out.push_back({t.image_index[i], xy[2 * i], xy[2 * i + 1], t.labels.empty() ? -1 : t.labels[i]});
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
