#include "engine/store/store_sink.h"

#include <filesystem>
#include <type_traits>
#include <variant>

#include <nlohmann/json.hpp>

#include "engine/core/metric_names.h"

namespace pretext {

BaselineEvent baseline_event(const BaselineRecord& b) {
  BaselineEvent e;
  e.baseline = b.baseline;
  e.scope = b.scope;
  e.dataset = b.dataset;
  e.backbone = b.backbone;
  e.params = b.params;
  e.accuracy = b.accuracy;
  e.queries = b.queries;
  e.reused = true;
  return e;
}

StoreSink::StoreSink(Store& store, int keep_checkpoints) : store_(store), writer_(store), keep_(keep_checkpoints) {}

StoreSink::~StoreSink() = default;  // MetricWriter's destructor commits what is pending

void StoreSink::flush() { writer_.flush(); }

std::string StoreSink::writer_error() const { return writer_.error(); }

void StoreSink::on_event(const Event& event) {
  std::visit(
      [this](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, RunStarted>) {
          open_run(e);
        } else if constexpr (std::is_same_v<T, StepEvent>) {
          writer_.push({e.run_id, e.step, metric::kLoss, e.loss});
          writer_.push({e.run_id, e.step, metric::kLearningRate, e.lr});
          writer_.push({e.run_id, e.step, metric::kImagesPerSecond, e.images_per_s});
          for (const auto& [term, value] : e.components)
            writer_.push({e.run_id, e.step, metric::loss_component(term), value});
          if (e.device_memory_bytes >= 0)
            writer_.push({e.run_id, e.step, metric::kDeviceMemoryMb, double(e.device_memory_bytes) / (1 << 20)});
        } else if constexpr (std::is_same_v<T, DiagnosticsEvent>) {
          writer_.push({e.run_id, e.step, metric::diagnostic(metric::kZStd), e.z_std});
          writer_.push({e.run_id, e.step, metric::diagnostic(metric::kRankMe), e.rankme});
          writer_.push({e.run_id, e.step, metric::diagnostic(metric::kAlignment), e.alignment});
          writer_.push({e.run_id, e.step, metric::diagnostic(metric::kUniformity), e.uniformity});
          if (e.online_knn >= 0) writer_.push({e.run_id, e.step, metric::diagnostic(metric::kOnlineKnn), e.online_knn});
          for (const auto& [name, value] : e.extra) writer_.push({e.run_id, e.step, metric::diagnostic(name), value});
        } else if constexpr (std::is_same_v<T, ProbeEvent>) {
          store_.add_probe(e);
        } else if constexpr (std::is_same_v<T, BaselineEvent>) {
          if (!e.reused)
            store_.set_baseline({e.dataset, e.backbone, e.baseline, e.scope, e.params, e.accuracy, e.queries, {}});
        } else if constexpr (std::is_same_v<T, ProjectionEvent>) {
          store_.set_projection(e);
        } else if constexpr (std::is_same_v<T, CheckpointSaved>) {
          record_checkpoint(e);
        } else if constexpr (std::is_same_v<T, RunFinished>) {
          writer_.flush();
          store_.set_status(e.run_id, e.status, e.message, true);
        }
      },
      event);
}

void StoreSink::open_run(const RunStarted& e) {
  if (e.run_id <= 0) return;
  // A resumed run recomputes the steps after its checkpoint: their old rows would duplicate the curve.
  if (e.resumed_from >= 0) store_.forget_after(e.run_id, e.resumed_from);
  store_.set_status(e.run_id, "running", "", false);
  store_.set_run_process(e.run_id);  // whose process it is, so a crash can be told from a live run
}

void StoreSink::record_checkpoint(const CheckpointSaved& c) {
  // Every metric row up to the checkpoint's step is committed before the checkpoint is recorded, so
  // a resume from it never leaves a gap in the curve.
  writer_.flush();
  store_.add_checkpoint(c.run_id, c.step, c.path);
  const auto all = store_.checkpoints(c.run_id);
  for (size_t i = 0; i + static_cast<size_t>(keep_) < all.size(); ++i) {
    std::error_code ec;
    std::filesystem::remove(all[i].path, ec);
    store_.remove_checkpoint(c.run_id, all[i].step);
  }
}

}  // namespace pretext
