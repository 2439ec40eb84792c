#include "engine/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "engine/augment/loader.h"
#include "engine/core/cancel.h"
#include "engine/core/runtime.h"
#include "engine/methods/method_info.h"
#include "engine/store/dataset_fingerprint.h"
#include "engine/store/store_sink.h"
#include "engine/train/data_fit.h"
#include "engine/train/evaluation.h"
#include "engine/train/resolve.h"
#include "engine/train/run_data.h"
#include "engine/train/run_record.h"
#include "engine/train/step.h"

namespace pretext {
namespace {

// Steps between two formula panel events (and the first step of a session).
constexpr int64_t kFormulaEvery = 5;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

// Everything one run holds while it runs; lives on the training thread's stack.
struct Trainer::Session {
  std::string device_name = "cpu";
  torch::Device device = torch::kCPU;
  RunData data;
  Pipeline pipeline;
  RunSchedule schedule;
  TrainingParts parts;
  RunProbes probes;
  double elapsed_before = 0;  // training time of the run before this session (resume)
  double elapsed_s = 0;       // training time so far, pauses excluded
  std::unique_ptr<Store> store;
  std::unique_ptr<StoreSink> store_sink;
  std::unique_ptr<FanoutSink> fanout;
  EventSink* out = nullptr;  // where results go: the store sink, then the caller's sink
  int64_t start_step = 0, last_checkpoint = 0;
};

Trainer::Trainer(TrainConfig config, EventSink& sink, std::string db_path, std::string ui_version)
    : cfg_(std::move(config)),
      sink_(sink),
      // Absolute: the checkpoint and backbone paths stored with the run must not depend on where the
      // process happened to start (resume, eval and the app run from anywhere).
      db_path_(db_path.empty() ? "" : std::filesystem::absolute(db_path).string()),
      ui_version_(std::move(ui_version)) {}

Trainer::~Trainer() {
  request_cancel();
  wait();
}

void Trainer::start() {
  running_ = true;
  set_status("running");
  thread_ = std::thread([this] { body(); });
}

void Trainer::run() {
  running_ = true;
  set_status("running");
  body();
}

void Trainer::request_stop() {
  stop_ = true;
  set_paused(false);
}

void Trainer::request_cancel() {
  cancel_ = true;
  request_stop();
}

void Trainer::signal_stop() noexcept {
  if (stop_.exchange(true)) cancel_ = true;
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

std::string Trainer::status() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

void Trainer::set_status(const std::string& status) {
  std::lock_guard<std::mutex> lock(status_mu_);
  status_ = status;
}

void Trainer::log(LogEvent::Level level, const std::string& message) { sink_.on_event(LogEvent{level, message}); }

// The story of a run.
void Trainer::body() {
  Session s;
  try {
    prepare(s);                              // device, config, data, schedule, method, fixed probes
    open_record(s);                          // the run's row: new, or reopened at its checkpoint
    measure_baselines(s);                    // what the untrained network and the raw pixels read
    const TrainLoopEnd end = train_loop(s);  // steps until the end (or the budget), a stop or a failure
    finish_run(s, end);                      // checkpoint, backbone, end-of-run evaluation, status
  } catch (const std::exception& e) {
    std::string message = e.what();
    if (resume_id_ > 0 && s.out == nullptr) {
      // The resume failed while preparing, before it opened the run's record (its data is gone, its
      // config no longer loads): nothing of the run was touched, and it resumes once that is fixed.
      run_id_ = resume_id_;
      message = "cannot resume: " + message + " (the run is left as it was: resume it again once that is fixed)";
    }
    log(LogEvent::Level::Error, message);
    finish("failed", message, s);
  }
}

void Trainer::prepare(Session& s) {
  init_threads(cfg_.threads);
  s.device_name = resolve_device(cfg_.device);
  s.device = torch::Device(s.device_name);
  log(LogEvent::Level::Info, "device: " + describe_device(s.device_name));

  cfg_ = resolve_config(cfg_);  // stored resolved, so a re-run makes the same choices
  s.data = prepare_run_data(cfg_);
  const ImageSet& train = *s.data.train;
  for (const auto& b : train.bad) log(LogEvent::Level::Warning, "skipped " + b.path + ": " + b.reason);
  log(LogEvent::Level::Info, "data: " + std::to_string(train.size()) + " images " + std::to_string(train.width) + "x" +
                                 std::to_string(train.height) + "x" + std::to_string(train.channels) + " from " + cfg_.data);

  s.pipeline = Pipeline::from_json(cfg_.pipeline_json);
  s.schedule = plan_schedule(cfg_, train.size());
  if (!s.device.is_cuda() && cfg_.amp != "off")
    log(LogEvent::Level::Info, "amp " + cfg_.amp + " ignored: mixed precision is for CUDA only");
  s.parts = make_training_parts(cfg_, train.channels, s.device, s.schedule.peak_lr);
  log(LogEvent::Level::Info, "optimizer: " + cfg_.optimizer + ", peak lr " + std::to_string(s.schedule.peak_lr) +
                                 (s.parts.amp ? ", amp " + cfg_.amp : "") + (cfg_.channels_last ? ", channels-last" : ""));
  s.probes = prepare_run_probes(cfg_, s.data, s.pipeline, s.device);
}

void Trainer::open_record(Session& s) {
  const LogFn log_fn = [this](LogEvent::Level l, const std::string& m) { log(l, m); };
  s.out = &sink_;
  if (!db_path_.empty()) {
    // The fingerprint (a hash of the decoded bytes and labels) tells later whether "the same folder"
    // still holds the same images, which reproducing or resuming the run depends on.
    const DatasetRecord dataset = describe_dataset(*s.data.train, cfg_.data);
    cfg_.data_fingerprint = dataset.fingerprint;
    s.store = open_run_store(db_path_, dataset, log_fn);
    s.store_sink = std::make_unique<StoreSink>(*s.store);
    s.fanout = std::make_unique<FanoutSink>(std::vector<EventSink*>{s.store_sink.get(), &sink_});
    s.out = s.fanout.get();
  }
  // Before a resume loads its checkpoint, which then restores the fit the run trained with.
  const std::string fit = fit_method_to_data(
      *s.parts.method, s.data,
      data_fit_cache_path(db_path_, cfg_.data_fingerprint, s.data.stats, s.parts.method->data_fit_key()));
  if (!fit.empty()) log(LogEvent::Level::Info, fit);
  if (resume_id_ > 0) {
    if (!s.store) throw std::invalid_argument("resuming a run needs its database");
    const CheckpointMeta from = reopen_run_record(*s.store, resume_id_, cfg_, s.parts, s.schedule.total, s.device, log_fn);
    s.start_step = from.step;
    s.elapsed_before = s.elapsed_s = from.elapsed_s;
    run_id_ = resume_id_;
    resumed_from_ = s.start_step;
  } else if (s.store) {
    run_id_ = create_run_record(*s.store, cfg_, s.device_name, ui_version_);
  }
  use_channels_last(s.parts);  // after a checkpoint load, which restores contiguous tensors
  s.last_checkpoint = s.start_step;
  // A timed run's length in steps is not known yet: its step events carry an estimate.
  s.out->on_event(RunStarted{run_id_, describe_device(s.device_name), s.schedule.timed() ? 0 : s.schedule.total,
                             static_cast<int64_t>(s.data.train->size()), resume_id_ > 0 ? s.start_step : -1});
}

double Trainer::wait_while_paused() {
  const auto t = Clock::now();
  std::unique_lock<std::mutex> lock(pause_mu_);
  // A timed wait: signal_stop() sets stop_ without notifying (a signal handler may not lock).
  while (paused_ && !stop_) pause_cv_.wait_for(lock, std::chrono::milliseconds(50));
  return seconds_since(t);
}

TrainLoopEnd Trainer::train_loop(Session& s) {
  const RunSchedule& plan = s.schedule;
  LoaderOptions lopt;
  lopt.batch_size = static_cast<size_t>(plan.batch);
  lopt.views = method_info(cfg_.method).views;
  lopt.seed = cfg_.seed;
  lopt.first_step = s.start_step;
  lopt.steps = plan.total - s.start_step;
  lopt.workers = static_cast<unsigned>(std::max(0, cfg_.workers));
  lopt.device = s.device;
  Loader loader(s.data.train, s.pipeline, s.data.stats, lopt);

  const auto t0 = Clock::now();
  double paused_s = 0;
  auto session_s = [&] { return seconds_since(t0) - paused_s; };  // training time of this session
  int64_t step = s.start_step;
  steps_done_ = step;
  for (; step < plan.total; ++step) {
    paused_s += wait_while_paused();
    if (stop_) break;
    s.elapsed_s = s.elapsed_before + session_s();
    if (plan.timed() && s.elapsed_s >= plan.time_budget_s) return {step, true};  // the budget is the run's length
    const auto ts = Clock::now();  // before next(): images/s counts any wait on the loader
    std::optional<Batch> batch = loader.next();
    if (!batch) break;
    const double lr = plan.timed() ? plan.lr_at(plan.progress(step, s.elapsed_s)) : plan.lr(step);
    const int64_t horizon = plan.horizon(step, s.elapsed_s, step - s.start_step, session_s());
    const StepValues v = train_step(s.parts, *batch, step, horizon, lr);
    if (!std::isfinite(v.loss))
      throw std::runtime_error("loss became " + std::to_string(v.loss) + " at step " + std::to_string(step + 1) +
                               " (try a lower learning rate)");
    const int64_t done = step + 1;
    steps_done_ = done;
    s.elapsed_s = s.elapsed_before + session_s();

    StepEvent ev;
    ev.run_id = run_id_;
    ev.step = done;
    ev.total_steps = plan.timed() ? std::max(done, plan.horizon(done, s.elapsed_s, done - s.start_step, session_s()))
                                  : plan.total;
    ev.epoch = static_cast<int>(batch->epoch);
    ev.loss = v.loss;
    ev.components = v.components;
    ev.lr = lr;
    ev.images_per_s = plan.batch / std::max(1e-9, seconds_since(ts));
    ev.eta_s = plan.timed() ? std::max(0.0, plan.time_budget_s - s.elapsed_s)
                            : session_s() / double(done - s.start_step) * double(plan.total - done);
    ev.device_memory_bytes = device_memory_bytes(s.device);
    s.out->on_event(ev);
    // The formula panel: every few steps, enough to watch the terms move without a host read per step.
    if (done == s.start_step + 1 || done % kFormulaEvery == 0)
      if (auto formula = formula_event(v.formula, *batch, s.data.stats, run_id_, done, v.loss)) s.out->on_event(*formula);

    if (evaluation_due(cfg_, s.probes, done, plan.total)) {
      s.out->on_event(periodic_evaluation(*s.parts.method, s.probes, s.data, cfg_, s.device, run_id_, done, v));
      if (auto preview = pretext_preview(*s.parts.method, s.probes, s.data.stats, run_id_, done)) s.out->on_event(*preview);
    }
    if (probe_due(cfg_, s.data, done, plan.total)) scheduled_probes(s, done);
    if (cfg_.checkpoint_every > 0 && done % cfg_.checkpoint_every == 0 && done < plan.total)
      save_checkpoint_at(s, done);
  }
  return {step, step >= plan.total};
}

// A stop asked for while they are measured ends the measuring within a feature batch; the run then
// stops before its first step.
void Trainer::measure_baselines(Session& s) {
  try {
    establish_baselines(cfg_, s.data, s.probes, s.device, run_id_, s.store.get(), *s.out, [this] { return stop_.load(); });
  } catch (const Cancelled&) {
    log(LogEvent::Level::Info, "the baselines were not measured: the run was stopped");
  }
}

// Scheduled probes give way to a stop too: the run stops at this step, the probe is skipped.
void Trainer::scheduled_probes(Session& s, int64_t done) {
  MethodImpl& method = *s.parts.method;
  method.eval();
  const Encoder encode = [&method](const torch::Tensor& x) { return method.features(x); };
  try {
    for (const ProbeEvent& p : run_probes(encode, s.data, probe_settings(cfg_), s.device, run_id_, done, nullptr,
                                          [this] { return stop_.load(); }))
      s.out->on_event(p);
  } catch (const Cancelled&) {
    log(LogEvent::Level::Info, "the probe at step " + std::to_string(done) + " was skipped: the run was stopped");
  }
  method.train();
}

void Trainer::save_checkpoint_at(Session& s, int64_t step) {
  if (!s.store || step <= 0 || step == s.last_checkpoint) return;
  CheckpointMeta meta;
  meta.step = step;
  meta.total_steps = s.schedule.total;
  meta.seed = cfg_.seed;
  meta.elapsed_s = s.elapsed_s;
  const std::string path = write_run_checkpoint(db_path_, run_id_, meta, s.parts);
  s.last_checkpoint = step;
  s.out->on_event(CheckpointSaved{run_id_, step, path});  // the store records it after the rows up to step
}

void Trainer::finish_run(Session& s, TrainLoopEnd end) {
  const int64_t reached = end.reached;
  const bool stopped = !end.complete;
  save_checkpoint_at(s, reached);  // at stop (what resume continues from) and at the end (the trained weights)
  if (s.store)
    log(LogEvent::Level::Info,
        "backbone saved to " + save_run_backbone(*s.parts.method->backbone, db_path_, run_id_, cfg_.backbone));
  // The training is done and saved: whatever happens to the evaluation, the run finished (or was
  // stopped); what kept the evaluation from ending is said beside the status.
  std::string message = stopped ? "stopped at step " + std::to_string(reached) : "";
  if (const EvaluationNote note = evaluate_at_end(s, reached, stopped); !note.text.empty()) {
    const std::string said = note.text + " (pretext-cli eval runs it from the saved backbone)";
    log(note.level, said);
    message += (message.empty() ? "" : "; ") + said;
  }
  finish(stopped ? "stopped" : "finished", message, s);
}

// The end-of-run evaluation, unless nothing was trained or the run was cancelled; "" when it ran.
Trainer::EvaluationNote Trainer::evaluate_at_end(Session& s, int64_t reached, bool stopped) {
  if (reached <= s.start_step && stopped)
    return {"nothing was trained in this session, so the end-of-run evaluation was skipped", LogEvent::Level::Info};
  const EvaluationNote cancelled{"the end-of-run evaluation was cancelled", LogEvent::Level::Info};
  if (cancel_) return cancelled;
  try {
    end_of_run_evaluation(*s.parts.method, s.data, cfg_, s.device, run_id_, reached, *s.out,
                          [this] { return cancel_.load(); });
    return {};
  } catch (const Cancelled&) {
    return cancelled;
  } catch (const std::exception& e) {
    return {std::string("the end-of-run evaluation failed: ") + e.what(), LogEvent::Level::Error};
  }
}

void Trainer::finish(const std::string& status, const std::string& message, Session& s) {
  const RunFinished done{run_id_, status, message};
  if (s.store_sink && run_id_ > 0) {
    try {
      s.store_sink->on_event(done);  // commits the pending rows, then the status
      if (const std::string lost = s.store_sink->writer_error(); !lost.empty())
        log(LogEvent::Level::Warning, "some metric rows could not be stored: " + lost);
    } catch (const std::exception& e) {
      log(LogEvent::Level::Error, std::string("could not record the run's end: ") + e.what());
    }
  }
  set_status(status);
  running_ = false;
  sink_.on_event(done);
}

}  // namespace pretext
