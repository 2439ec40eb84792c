#pragma once
// Progress leaves the engine as small value events through one sink interface. The engine never
// calls the UI: the GUI bridges these onto its own thread, the CLI prints them.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pretext {

struct StepEvent {
  int64_t run_id = 0;
  int64_t step = 0;         // 1-based count of optimiser steps done
  int64_t total_steps = 0;
  int epoch = 0;
  double loss = 0;
  std::vector<std::pair<std::string, double>> components;
  double lr = 0;
  double images_per_s = 0;
  double eta_s = 0;
  int64_t device_memory_bytes = -1;  // allocated by the device's caching allocator; -1 on the CPU
};

struct ProbeEvent {
  int64_t run_id = 0;
  int64_t step = 0;
  std::string kind;  // "knn", "linear"
  int k = 0;            // kNN only
  double accuracy = 0;  // top-1 on the queries, a fraction in [0,1]
  int64_t queries = 0;
  bool end_of_run = false;  // the probe a run ends with (others are scheduled during training)
  double top5 = -1;            // kNN top-5; -1 when not measured
  int64_t bank = 0;            // kNN bank or linear training images
  double train_accuracy = -1;  // linear: on its training features
  std::string params = {};     // JSON: {"k":..,"t":..} or {"weight_decay":..}
  std::vector<int64_t> confusion = {};  // linear: classes x classes, row = true class
};

// What the same probe reads without learning, so a result can be read as a gain: "random_init" (the
// same backbone, untrained) or "raw_pixels" (the normalised pixels as features). scope: "online"
// (the small subset the online kNN uses) or "final" (the end-of-run split). Measured once per
// dataset, backbone and probe, stored and reused (reused = true when read back).
struct BaselineEvent {
  int64_t run_id = 0;
  std::string baseline;  // "random_init", "raw_pixels"
  std::string scope;     // "online", "final"
  std::string dataset;   // the training images' fingerprint
  std::string backbone;  // "pixels" for raw pixels
  std::string params;    // JSON: the probe and its split
  double accuracy = 0;
  int64_t queries = 0;
  bool reused = false;
};

struct ProjectionEvent {
  int64_t run_id = 0;
  std::string kind;  // "pca"
  std::vector<float> xy;       // x0,y0,x1,y1,...
  std::vector<int> labels;     // -1 where unknown
  std::vector<int64_t> image_indices;
  std::vector<std::string> class_names;
};

// Representation health on a fixed probe batch, every few steps (see engine/eval/diagnostics.h).
struct DiagnosticsEvent {
  int64_t run_id = 0;
  int64_t step = 0;
  double z_std = 0;        // ~1/sqrt(d) healthy, -> 0 collapsed
  double z_std_healthy = 0;  // 1/sqrt(d) for reference
  double rankme = 0;       // effective rank, in [1, min(n, d)]
  double alignment = 0;    // lower is better
  double uniformity = 0;   // lower (more negative) is more uniform
  std::vector<float> positive_hist, negative_hist;  // cosine similarities, bins over [-1, 1]
  int corr_dim = 0;
  std::vector<float> cross_corr;  // corr_dim x corr_dim, row-major (Barlow Twins / VICReg view)
  double online_knn = -1;         // accuracy on a small labelled subset, -1 when not computed
  std::vector<std::pair<std::string, double>> extra;  // method-specific (e.g. DINO teacher entropy)
};

// What a pretext task predicts on the first images of the run's fixed diagnostics batch, next to
// its target, at each diagnostic step (the live prediction panel): rows of images (what the network
// saw, the target, the prediction), every image `width` x `height` RGB, 8 bits, row-major pixels.
struct PreviewEvent {
  int64_t run_id = 0;
  int64_t step = 0;
  int width = 0, height = 0;
  std::vector<std::string> row_titles;
  std::vector<std::vector<std::vector<uint8_t>>> rows;  // rows[r][i]: image i of row r
  std::vector<std::string> captions;                    // per image (a predicted class), may be empty
  std::string score_name;                               // the task's accuracy on these images, if any
  double score = -1;
};

// The running method's objective written out for one row of a training batch (the formula panel):
// its expression, the values of its terms for that row (or for the batch, where a term belongs to the
// batch), and the views involved, so that a person can check the arithmetic against the loss.
struct FormulaEvent {
  int64_t run_id = 0;
  int64_t step = 0;  // the step whose loss this is (1-based, as StepEvent)
  std::string expression;
  int64_t row = 0, rows = 0;  // which row of the loss, out of how many
  std::vector<std::pair<std::string, double>> terms;
  double row_loss = 0;        // that row's loss, when has_row_loss: the loss is the mean over rows
  bool has_row_loss = false;
  double loss = 0;            // the step's loss, as its StepEvent reports it
  int width = 0, height = 0;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> images;  // 8-bit RGB: the row's view, its
                                                                      // positive, its nearest negative
};

struct LogEvent {
  enum class Level { Info, Warning, Error };
  Level level = Level::Info;
  std::string message;
};

struct RunStarted {
  int64_t run_id = 0;
  std::string device;
  int64_t total_steps = 0;
  int64_t images = 0;
  int64_t resumed_from = -1;  // a resumed run: the checkpoint's step (its rows after it are recomputed)
};

struct RunFinished {
  int64_t run_id = 0;
  std::string status;  // "finished", "stopped", "failed"
  std::string message;
};

// A checkpoint file is complete on disk (written, flushed, renamed) at `path`.
struct CheckpointSaved {
  int64_t run_id = 0;
  int64_t step = 0;
  std::string path;
};

using Event = std::variant<RunStarted, StepEvent, DiagnosticsEvent, ProbeEvent, BaselineEvent, ProjectionEvent,
                           CheckpointSaved, LogEvent, RunFinished, PreviewEvent, FormulaEvent>;

// Implementations must be thread-safe: events arrive on the engine's own threads.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const Event& e) = 0;
};

class NullSink : public EventSink {
 public:
  void on_event(const Event&) override {}
};

// Hands every event to each sink in turn, in the order given (the store first, so a front end
// that reacts to an event finds its rows written).
class FanoutSink : public EventSink {
 public:
  explicit FanoutSink(std::vector<EventSink*> sinks) : sinks_(std::move(sinks)) {}
  void on_event(const Event& e) override {
    for (EventSink* s : sinks_) s->on_event(e);
  }

 private:
  std::vector<EventSink*> sinks_;
};

}  // namespace pretext
