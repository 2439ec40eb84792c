#pragma once
// A run's identity in the store and its files beside it: the row a new run creates, the reopening of
// a stopped run from its latest checkpoint, the checkpoint files and the saved backbone.
#include <functional>
#include <string>

#include "engine/core/events.h"
#include "engine/models/backbone.h"
#include "engine/store/store.h"
#include "engine/train/checkpoint.h"
#include "engine/train/config.h"
#include "engine/train/step.h"

namespace pretext {

using LogFn = std::function<void(LogEvent::Level, const std::string&)>;

// Opens the workspace database for a run on `dataset`: records the dataset and marks runs left
// running by a process that is gone as interrupted.
std::unique_ptr<Store> open_run_store(const std::string& db_path, const DatasetRecord& dataset, const LogFn& log);

// A new run's row; returns its id. cfg is the resolved config. (RunStarted, through the StoreSink,
// then marks it running and records its process.)
int64_t create_run_record(Store& store, const TrainConfig& cfg, const std::string& device, const std::string& ui_version);

// Reopens stopped or interrupted run `run` to continue it: loads its latest checkpoint into parts
// (when it has one). Returns where to continue from (step 0 and no time spent when it has no
// checkpoint); RunStarted, through the StoreSink, then drops the rows after it and marks the run
// running again. Throws std::invalid_argument when the run cannot be resumed.
CheckpointMeta reopen_run_record(Store& store, int64_t run, const TrainConfig& cfg, TrainingParts& parts, int64_t total,
                                 const torch::Device& device, const LogFn& log);

// The config a run stored, read back (re-run, resume, eval, export, the launcher's estimate); throws
// std::runtime_error naming the run when there is no such run or its config cannot be read.
TrainConfig stored_config(const RunRecord& run);
TrainConfig stored_config(Store& store, int64_t run);

// Writes <db>.runs/<run>/ckpt-<meta.step>.pt (atomically) and returns its path.
std::string write_run_checkpoint(const std::string& db_path, int64_t run, const CheckpointMeta& meta,
                                 TrainingParts& parts);

// Saves <db>.runs/<run>/backbone.safetensors (torchvision's names) and returns its path.
std::string save_run_backbone(const BackboneImpl& backbone, const std::string& db_path, int64_t run,
                              const std::string& backbone_name);

}  // namespace pretext
