#include "engine/train/run_record.h"

#include <stdexcept>

#include "engine/core/runtime.h"
#include "engine/models/safetensors.h"
#include "engine/train/checkpoint.h"

namespace pretext {

std::unique_ptr<Store> open_run_store(const std::string& db_path, const DatasetRecord& dataset, const LogFn& log) {
  auto store = std::make_unique<Store>(db_path);
  store->upsert_dataset(dataset);
  for (int64_t id : store->mark_interrupted())
    log(LogEvent::Level::Warning,
        "run " + std::to_string(id) + " was left running by a process that is gone: marked interrupted");
  return store;
}

int64_t create_run_record(Store& store, const TrainConfig& cfg, const std::string& device, const std::string& ui_version) {
  RunRecord r;
  r.name = cfg.name.empty() ? cfg.method + " " + utc_now_iso() : cfg.name;
  r.method = cfg.method;
  r.backbone = cfg.backbone;
  r.config = cfg.to_json().dump();
  r.seed = static_cast<int64_t>(cfg.seed);
  r.dataset = cfg.data;
  r.device = device;
  const Versions v = versions();
  r.commit = v.commit;
  r.torch_version = v.torch;
  r.opencv_version = v.opencv;
  r.ui_version = ui_version;
  return store.create_run(r);
}

CheckpointMeta reopen_run_record(Store& store, int64_t run, const TrainConfig& cfg, TrainingParts& parts, int64_t total,
                                 const torch::Device& device, const LogFn& log) {
  const auto rec = store.run(run);
  const std::string id = std::to_string(run);
  if (!rec) throw std::invalid_argument("no run " + id + " in " + store.path());
  if (rec->status == "running" || rec->status == "finished")
    throw std::invalid_argument("run " + id + " is " + rec->status + ": nothing to resume");
  const auto before = nlohmann::json::parse(store.run_config(run), nullptr, false);
  if (before.is_object() && before.contains("data_fingerprint") && before["data_fingerprint"].is_string() &&
      !before["data_fingerprint"].get<std::string>().empty() && before["data_fingerprint"] != cfg.data_fingerprint)
    log(LogEvent::Level::Warning, "the images in " + cfg.data + " changed since run " + id + " started (fingerprint " +
                                      before["data_fingerprint"].get<std::string>() + ", now " + cfg.data_fingerprint +
                                      "): the resumed curve will differ");
  CheckpointMeta start;
  if (const auto ck = store.latest_checkpoint(run)) {
    const CheckpointMeta m = load_checkpoint(ck->path, *parts.method, *parts.optimizer, device);
    parts.method->restored();
    if (m.total_steps != total || m.seed != cfg.seed)
      throw std::invalid_argument("checkpoint " + ck->path + " was written for " + std::to_string(m.total_steps) +
                                  " steps, seed " + std::to_string(m.seed) + "; the run now has " + std::to_string(total) +
                                  " steps (did the data change?)");
    start = m;
    log(LogEvent::Level::Info, "resuming run " + id + " at step " + std::to_string(m.step) + " from " + ck->path);
  } else {
    log(LogEvent::Level::Info, "run " + id + " has no checkpoint: starting it over");
  }
  return start;
}

TrainConfig stored_config(const RunRecord& run) {
  try {
    return TrainConfig::from_json(nlohmann::json::parse(run.config));
  } catch (const std::exception& e) {
    throw std::runtime_error("run " + std::to_string(run.id) + " has an unreadable config: " + e.what());
  }
}

TrainConfig stored_config(Store& store, int64_t run) {
  const auto r = store.run(run);
  if (!r) throw std::runtime_error("no run " + std::to_string(run));
  return stored_config(*r);
}

std::string write_run_checkpoint(const std::string& db_path, int64_t run, const CheckpointMeta& meta,
                                 TrainingParts& parts) {
  const std::string path = checkpoint_path(db_path, run, meta.step);
  save_checkpoint(path, *parts.method, *parts.optimizer, meta);
  return path;
}

std::string save_run_backbone(const BackboneImpl& backbone, const std::string& db_path, int64_t run,
                              const std::string& backbone_name) {
  const std::string path = run_backbone_path(db_path, run);
  export_backbone_safetensors(backbone, path, {{"backbone", backbone_name}, {"run", std::to_string(run)}});
  return path;
}

}  // namespace pretext
