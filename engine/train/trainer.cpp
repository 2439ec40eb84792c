#include "engine/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "engine/augment/batch.h"
#include "engine/augment/loader.h"
#include "engine/core/runtime.h"
#include "engine/core/seed.h"
#include "engine/data/image_set.h"
#include "engine/eval/diagnostics.h"
#include "engine/eval/features.h"
#include "engine/eval/knn.h"
#include "engine/eval/pca.h"
#include "engine/export/safetensors.h"
#include "engine/methods/method.h"
#include "engine/models/backbone.h"
#include "engine/store/dataset_fingerprint.h"
#include "engine/store/store.h"
#include "engine/train/amp.h"
#include "engine/train/checkpoint.h"
#include "engine/train/optim.h"

namespace pretext {
namespace {

using Clock = std::chrono::steady_clock;

torch::Tensor labels_tensor(const ImageSet& set, const std::vector<size_t>& idx) {
  std::vector<int64_t> l;
  for (size_t i : idx) l.push_back(set.labels.empty() ? -1 : set.labels[i]);
  return torch::tensor(l, torch::kLong);
}

}  // namespace

Trainer::Trainer(TrainConfig config, EventSink& sink, std::string db_path, std::string ui_version)
    : cfg_(std::move(config)), sink_(sink), db_path_(std::move(db_path)), ui_version_(std::move(ui_version)) {}

Trainer::~Trainer() {
  request_stop();
  wait();
}

void Trainer::start() {
  running_ = true;
  thread_ = std::thread([this] { body(); });
}

void Trainer::run() {
  running_ = true;
  body();
}

void Trainer::request_stop() {
  stop_ = true;
  set_paused(false);
}

void Trainer::set_paused(bool p) {
  {
    std::lock_guard<std::mutex> lock(pause_mu_);
    paused_ = p;
  }
  pause_cv_.notify_all();
}

void Trainer::wait() {
  if (thread_.joinable()) thread_.join();
}

void Trainer::body() {
  std::unique_ptr<Store> store;
  std::unique_ptr<MetricWriter> writer;
  auto log = [&](LogEvent::Level level, const std::string& msg) { sink_.on_event(LogEvent{level, msg}); };
  auto finish = [&](const std::string& status, const std::string& message) {
    status_ = status;
    if (writer) writer.reset();  // flushes
    if (store && run_id_ > 0) {
      try {
        store->set_status(run_id_, status, message, true);
      } catch (const std::exception& e) {
        log(LogEvent::Level::Error, std::string("could not record the run's end: ") + e.what());
      }
    }
    running_ = false;
    sink_.on_event(RunFinished{run_id_, status, message});
  };

  try {
    init_threads(cfg_.threads);
    const std::string device_name = resolve_device(cfg_.device);
    const torch::Device device(device_name);
    log(LogEvent::Level::Info, "device: " + describe_device(device_name));

    LoadOptions lo;
    lo.limit = cfg_.limit;
    lo.resize = cfg_.resize;
    // Shared with the loader's threads, which read it while this one trains.
    const auto data_ptr = std::make_shared<const ImageSet>(load_images(cfg_.data, lo));
    const ImageSet& data = *data_ptr;
    for (const auto& b : data.bad) log(LogEvent::Level::Warning, "skipped " + b.path + ": " + b.reason);
    log(LogEvent::Level::Info, "data: " + std::to_string(data.size()) + " images " + std::to_string(data.width) + "x" +
                                   std::to_string(data.height) + "x" + std::to_string(data.channels) + " from " +
                                   cfg_.data);

    const MethodInfo& info = method_info(cfg_.method);
    cfg_.backbone = resolve_backbone_name(cfg_.backbone, cfg_.method);  // stored resolved, so a re-run matches
    nlohmann::json params = info.defaults;
    params.update(cfg_.method_params);
    cfg_.base_lr = resolve_base_lr(cfg_.base_lr, params);
    cfg_.weight_decay = resolve_weight_decay(cfg_.weight_decay, params);
    const Pipeline pipeline = cfg_.pipeline_json.is_object()
                                  ? Pipeline::from_json(cfg_.pipeline_json)
                                  : Pipeline::load(cfg_.pipeline.empty() ? info.pipeline : cfg_.pipeline);
    ChannelStats stats = channel_stats(data);
    if (!pipeline.mean.empty()) stats = {pipeline.mean, pipeline.std};

    // Probe split: an explicit labelled set, else a fixed held-out part of the training images.
    ImageSet eval_set;
    std::vector<size_t> bank_idx, query_idx;
    const bool external_eval = !cfg_.eval_data.empty();
    if (external_eval) {
      LoadOptions el;
      el.resize = data.height;
      eval_set = load_images(cfg_.eval_data, el);
      for (size_t i = 0; i < data.size(); ++i) bank_idx.push_back(i);
      for (size_t i = 0; i < eval_set.size(); ++i) query_idx.push_back(i);
    } else if (data.has_labels()) {
      const size_t q = std::min(cfg_.probe_queries, data.size() / 5);
      const auto picked = spread_indices(data.size(), q);
      std::vector<bool> is_query(data.size(), false);
      for (size_t i : picked) is_query[i] = true;
      for (size_t i = 0; i < data.size(); ++i) (is_query[i] ? query_idx : bank_idx).push_back(i);
    }

    const int batch = std::max(2, std::min<int>(cfg_.batch, static_cast<int>(data.size())));
    const int64_t steps_per_epoch = std::max<int64_t>(1, static_cast<int64_t>(data.size()) / batch);
    const int64_t total = cfg_.steps > 0 ? cfg_.steps : steps_per_epoch * std::max(1, cfg_.epochs);
    const double peak_lr = cfg_.lr > 0 ? cfg_.lr : cfg_.base_lr * batch / 256.0;
    const auto warmup = static_cast<int64_t>(cfg_.warmup_fraction * total);

    const bool cuda = device.is_cuda();
    check_amp_mode(cfg_.amp);
    const bool amp = cuda && cfg_.amp != "off";
    if (!cuda && cfg_.amp != "off") log(LogEvent::Level::Info, "amp " + cfg_.amp + " ignored: mixed precision is for CUDA only");
    // NHWC lets oneDNN (CPU) and cuDNN (GPU) run convolutions without reordering the tensors each call:
    // about 1.2-1.3x for a ResNet-18 step on the CPU (bench/README.md), more with tensor cores.
    const bool channels_last = cfg_.channels_last;

    torch::manual_seed(cfg_.seed);
    auto method = make_method(cfg_.method, cfg_.method_params, make_backbone(cfg_.backbone, data.channels));
    method->to(device);
    OptimizerOptions oo;
    oo.name = resolve_optimizer_name(cfg_.optimizer, cfg_.method);
    oo.lr = peak_lr;
    oo.momentum = cfg_.momentum;
    oo.weight_decay = cfg_.weight_decay;
    oo.lars_eta = cfg_.lars_eta;
    auto opt = make_optimizer(oo, method->parameters());
    log(LogEvent::Level::Info, "optimizer: " + oo.name + ", peak lr " + std::to_string(peak_lr) +
                                   (amp ? ", amp " + cfg_.amp : "") + (channels_last ? ", channels-last" : ""));
    std::unique_ptr<GradScaler> scaler;
    if (amp && cfg_.amp == "fp16") scaler = std::make_unique<GradScaler>(device);

    // A fixed batch (same images, same augmentation draws) so diagnostics are comparable over time.
    std::vector<size_t> diag_idx = spread_indices(data.size(), static_cast<size_t>(std::max(2, cfg_.diag_batch)));
    if (diag_idx.size() < 2) diag_idx.clear();
    std::vector<torch::Tensor> diag_views;
    if (cfg_.diag_every > 0 && !diag_idx.empty()) {
      diag_views = augment_batch(data, diag_idx, pipeline, 2, mix_seed(cfg_.seed, 0xd1a9), 0, stats);
      for (auto& v : diag_views) v = v.to(device);
    }

    // Online kNN: a small fixed labelled subset (4/5 bank, 1/5 queries), un-augmented, so accuracy can
    // be followed while training instead of only after it.
    std::vector<size_t> knn_bank, knn_query;
    const ImageSet& qset = external_eval ? eval_set : data;
    if (cfg_.diag_every > 0 && cfg_.online_knn > 0 && data.has_labels() && qset.has_labels() && !bank_idx.empty() &&
        !query_idx.empty()) {
      const auto n = static_cast<size_t>(cfg_.online_knn);
      for (size_t i : spread_indices(bank_idx.size(), std::max<size_t>(1, n - n / 5))) knn_bank.push_back(bank_idx[i]);
      for (size_t i : spread_indices(query_idx.size(), std::max<size_t>(1, n / 5))) knn_query.push_back(query_idx[i]);
    }
    // The kNN probe, online and at the end: `query` images of qset voted by `bank` images of the data,
    // on un-augmented features. The end-of-run probe keeps the query features for its projection.
    auto encode = [&](const torch::Tensor& x) { return method->features(x); };
    auto knn_probe = [&](const std::vector<size_t>& bank, const std::vector<size_t>& query, int k,
                         torch::Tensor* query_features = nullptr) {
      const auto b = extract_features(encode, data, bank, stats, device);
      const auto q = extract_features(encode, qset, query, stats, device);
      if (query_features) *query_features = q;
      return knn_classify(b, labels_tensor(data, bank), q, labels_tensor(qset, query), k, cfg_.knn_t);
    };

    nlohmann::json stored = cfg_.to_json();
    stored["pipeline_json"] = pipeline.to_json();
    stored["method_params_resolved"] = params;
    int64_t start_step = 0;
    DatasetRecord dataset_rec;
    if (!db_path_.empty()) {
      // The fingerprint (a hash of the decoded bytes and labels) tells later whether "the same folder"
      // still holds the same images, which reproducing or resuming the run depends on.
      dataset_rec = describe_dataset(data, cfg_.data);
      stored["data_fingerprint"] = dataset_rec.fingerprint;
      store = std::make_unique<Store>(db_path_);
      store->upsert_dataset(dataset_rec);
      for (int64_t id : store->mark_interrupted())
        log(LogEvent::Level::Warning, "run " + std::to_string(id) + " was left running by a process that is gone: marked interrupted");
    }
    if (resume_id_ > 0) {
      if (!store) throw std::invalid_argument("resuming a run needs its database");
      const auto rec = store->run(resume_id_);
      if (!rec) throw std::invalid_argument("no run " + std::to_string(resume_id_) + " in " + db_path_);
      if (rec->status == "running" || rec->status == "finished")
        throw std::invalid_argument("run " + std::to_string(resume_id_) + " is " + rec->status + ": nothing to resume");
      const auto before = nlohmann::json::parse(store->run_config(resume_id_), nullptr, false);
      if (before.is_object() && before.contains("data_fingerprint") && before["data_fingerprint"].is_string() &&
          before["data_fingerprint"] != dataset_rec.fingerprint)
        log(LogEvent::Level::Warning, "the images in " + cfg_.data + " changed since run " + std::to_string(resume_id_) +
                                          " started (fingerprint " + before["data_fingerprint"].get<std::string>() +
                                          ", now " + dataset_rec.fingerprint + "): the resumed curve will differ");
      if (const auto ck = store->latest_checkpoint(resume_id_)) {
        const CheckpointMeta m = load_checkpoint(ck->path, *method, *opt, device);
        if (m.total_steps != total || m.seed != cfg_.seed)
          throw std::invalid_argument("checkpoint " + ck->path + " was written for " + std::to_string(m.total_steps) +
                                      " steps, seed " + std::to_string(m.seed) + "; the run now has " +
                                      std::to_string(total) + " steps (did the data change?)");
        start_step = m.step;
        log(LogEvent::Level::Info, "resuming run " + std::to_string(resume_id_) + " at step " + std::to_string(m.step) +
                                       " from " + ck->path);
      } else {
        log(LogEvent::Level::Info, "run " + std::to_string(resume_id_) + " has no checkpoint: starting it over");
      }
      // The steps after the checkpoint are recomputed; their old rows would duplicate the curve.
      store->delete_metrics_after(resume_id_, start_step);
      store->set_status(resume_id_, "running", "", false);
      store->set_run_process(resume_id_);
      run_id_ = resume_id_;
      resumed_from_ = start_step;
      writer = std::make_unique<MetricWriter>(*store);
    } else if (store) {
      RunRecord r;
      r.name = cfg_.name.empty() ? cfg_.method + " " + utc_now_iso() : cfg_.name;
      r.method = cfg_.method;
      r.backbone = cfg_.backbone;
      r.config = stored.dump();
      r.seed = static_cast<int64_t>(cfg_.seed);
      r.dataset = cfg_.data;
      r.device = device_name;
      const Versions v = versions();
      r.commit = v.commit;
      r.torch_version = v.torch;
      r.opencv_version = v.opencv;
      r.ui_version = ui_version_;
      run_id_ = store->create_run(r);
      store->set_run_process(run_id_);
      writer = std::make_unique<MetricWriter>(*store);
    }
    if (channels_last) {
      // After a checkpoint load, which restores contiguous tensors.
      torch::NoGradGuard no_grad;
      for (auto& p : method->parameters())
        if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
    }

    int64_t last_ckpt = start_step;
    auto save_ckpt = [&](int64_t done) {
      if (!store || done <= 0 || done == last_ckpt) return;
      const std::string path = checkpoint_path(db_path_, run_id_, done);
      CheckpointMeta m;
      m.step = done;
      m.total_steps = total;
      m.seed = cfg_.seed;
      save_checkpoint(path, *method, *opt, m);
      // Every metric row up to `done` is committed before the checkpoint is recorded, so a resume
      // from it never leaves a gap in the curve.
      if (writer) writer->flush();
      store->add_checkpoint(run_id_, done, path);
      last_ckpt = done;
      const auto all = store->checkpoints(run_id_);
      for (size_t i = 0; i + 2 < all.size(); ++i) {  // keep the newest two
        std::error_code ec;
        std::filesystem::remove(all[i].path, ec);
        store->remove_checkpoint(run_id_, all[i].step);
      }
    };
    sink_.on_event(RunStarted{run_id_, describe_device(device_name), total, static_cast<int64_t>(data.size())});

    LoaderOptions lopt;
    lopt.batch_size = static_cast<size_t>(batch);
    lopt.views = info.views;
    lopt.seed = cfg_.seed;
    lopt.first_step = start_step;
    lopt.steps = total - start_step;
    lopt.workers = static_cast<unsigned>(std::max(0, cfg_.workers));
    lopt.device = device;
    Loader loader(data_ptr, pipeline, stats, lopt);

    const auto t0 = Clock::now();
    int64_t step = start_step;
    steps_done_ = start_step;
    for (; step < total && !stop_; ++step) {
      {
        std::unique_lock<std::mutex> lock(pause_mu_);
        pause_cv_.wait(lock, [&] { return !paused_ || stop_; });
      }
      if (stop_) break;
      const auto ts = Clock::now();  // before next(): images/s counts any wait on the loader
      std::optional<Batch> next = loader.next();
      if (!next) break;
      const int64_t epoch = next->epoch;
      std::vector<torch::Tensor>& views = next->views;
      if (channels_last)
        for (auto& v : views) v = v.contiguous(torch::MemoryFormat::ChannelsLast);
      // Dropout, random masks and the like draw from torch's generator: reseeding it per step makes
      // them a function of (seed, step), so a resumed run draws what the uninterrupted one did.
      torch::manual_seed(mix_seed(cfg_.seed, 0x70c4ull, static_cast<uint64_t>(step)));

      const double lr = warmup_cosine(peak_lr, step, total, warmup);
      set_learning_rate(*opt, lr);
      method->train();
      opt->zero_grad();
      LossOutput out;
      {
        AutocastScope autocast(amp, cfg_.amp == "fp16" ? at::kHalf : at::kBFloat16);
        out = method->compute(views);
      }
      const double loss = out.total.item<double>();
      if (!std::isfinite(loss)) {
        finish("failed", "loss became " + std::to_string(loss) + " at step " + std::to_string(step + 1) +
                             " (try a lower learning rate)");
        return;
      }
      bool take_step = true;
      if (scaler) {
        scaler->scale(out.total.to(torch::kFloat)).backward();
        take_step = scaler->unscale(method->parameters());
      } else {
        out.total.backward();
      }
      if (take_step && cfg_.clip_grad_norm > 0) torch::nn::utils::clip_grad_norm_(method->parameters(), cfg_.clip_grad_norm);
      if (take_step) opt->step();
      if (scaler) scaler->update();
      method->after_step(step + 1, total);
      steps_done_ = step + 1;

      const double dt = std::chrono::duration<double>(Clock::now() - ts).count();
      const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      StepEvent ev;
      ev.run_id = run_id_;
      ev.step = step + 1;
      ev.total_steps = total;
      ev.epoch = static_cast<int>(epoch);
      ev.loss = loss;
      ev.lr = lr;
      ev.images_per_s = batch / std::max(1e-9, dt);
      ev.eta_s = elapsed / double(step + 1 - start_step) * double(total - step - 1);
      ev.device_memory_bytes = device_memory_bytes(device);
      for (auto& [name, value] : out.components) ev.components.emplace_back(name, value.item<double>());
      if (writer) {
        writer->push({run_id_, step + 1, "loss", loss});
        writer->push({run_id_, step + 1, "lr", lr});
        writer->push({run_id_, step + 1, "images_per_s", ev.images_per_s});
        for (auto& [name, value] : ev.components) writer->push({run_id_, step + 1, "loss/" + name, value});
        if (ev.device_memory_bytes >= 0)
          writer->push({run_id_, step + 1, "device_memory_mb", double(ev.device_memory_bytes) / (1 << 20)});
      }
      sink_.on_event(ev);

      if (!diag_views.empty() && ((step + 1) % cfg_.diag_every == 0 || step + 1 == total)) {
        torch::NoGradGuard no_grad;
        method->eval();
        DiagnosticsEvent d = diagnose(method->embed(diag_views[0]), method->embed(diag_views[1]), run_id_, step + 1);
        if (!knn_bank.empty()) {
          const int k = std::max(1, std::min(cfg_.knn_k, static_cast<int>(knn_bank.size() / 20)));
          d.online_knn = knn_probe(knn_bank, knn_query, k).accuracy;
        }
        method->train();
        for (auto& [name, value] : out.monitors) d.extra.emplace_back(name, value.item<double>());
        if (writer) {
          writer->push({run_id_, step + 1, "diag/z_std", d.z_std});
          writer->push({run_id_, step + 1, "diag/rankme", d.rankme});
          writer->push({run_id_, step + 1, "diag/alignment", d.alignment});
          writer->push({run_id_, step + 1, "diag/uniformity", d.uniformity});
          if (d.online_knn >= 0) writer->push({run_id_, step + 1, "diag/online_knn", d.online_knn});
          for (const auto& [name, value] : d.extra) writer->push({run_id_, step + 1, "diag/" + name, value});
        }
        sink_.on_event(d);
      }
      if (cfg_.checkpoint_every > 0 && (step + 1) % cfg_.checkpoint_every == 0 && step + 1 < total) save_ckpt(step + 1);
    }
    const bool stopped = step < total;
    save_ckpt(step);  // at stop (what resume continues from) and at the end (the trained weights)

    // Evaluation: kNN probe and a PCA projection of the embeddings.
    method->eval();
    if (!query_idx.empty() && !bank_idx.empty()) {
      log(LogEvent::Level::Info, "probe: extracting features of " + std::to_string(bank_idx.size()) + " + " +
                                     std::to_string(query_idx.size()) + " images");
      torch::Tensor query;
      const KnnResult r = knn_probe(bank_idx, query_idx, cfg_.knn_k, &query);
      knn_accuracy_ = r.accuracy;
      if (store) store->add_probe({run_id_, step, "knn", r.k, r.accuracy, r.queries});
      sink_.on_event(ProbeEvent{run_id_, step, "knn", r.k, r.accuracy, r.queries});

      const auto shown = spread_indices(query_idx.size(), 2000);
      std::vector<int64_t> rows(shown.begin(), shown.end());
      auto xy = pca_project(query.index_select(0, torch::tensor(rows, torch::kLong)), 2).contiguous();
      ProjectionEvent pe;
      pe.run_id = run_id_;
      pe.kind = "pca";
      pe.class_names = qset.class_names;
      std::vector<ProjectionPoint> points;
      const float* p = xy.data_ptr<float>();
      for (size_t j = 0; j < shown.size(); ++j) {
        const size_t img = query_idx[shown[j]];
        const int label = qset.labels.empty() ? -1 : qset.labels[img];
        pe.xy.push_back(p[2 * j]);
        pe.xy.push_back(p[2 * j + 1]);
        pe.labels.push_back(label);
        pe.image_indices.push_back(static_cast<int64_t>(img));
        points.push_back({static_cast<int64_t>(img), p[2 * j], p[2 * j + 1], label});
      }
      if (store) store->set_projection(run_id_, "pca", points);
      sink_.on_event(pe);
    } else {
      log(LogEvent::Level::Info, "probe skipped: the data has no labels (give --eval-data with class folders)");
    }
    if (store) log(LogEvent::Level::Info, "backbone saved to " + save_run_backbone(*method->backbone, db_path_, run_id_, cfg_.backbone));
    finish(stopped ? "stopped" : "finished", stopped ? "stopped at step " + std::to_string(step) : "");
  } catch (const std::exception& e) {
    log(LogEvent::Level::Error, e.what());
    finish("failed", e.what());
  }
}

}  // namespace pretext
