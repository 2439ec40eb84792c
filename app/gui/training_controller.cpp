#include "app/gui/training_controller.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QThread>
#include <QPointer>

#include "engine/store/store.h"
#include "engine/train/trainer.h"
#include "engine/train/run_record.h"

namespace pretext {

class TrainingController::Sink : public EventSink {
 public:
  explicit Sink(TrainingController* c) : controller_(c) {}
  void on_event(const Event& e) override {
    // Copy the event into a queued call: it runs on the controller's (GUI) thread.
    QPointer<TrainingController> c = controller_;
    QMetaObject::invokeMethod(controller_, [c, e] { if (c) c->deliver(e); }, Qt::QueuedConnection);
  }

 private:
  TrainingController* controller_;
};

TrainingController::TrainingController(QObject* parent) : QObject(parent), sink_(std::make_unique<Sink>(this)) {}

std::atomic<bool> TrainingController::left_running_{false};

TrainingController::~TrainingController() {
  if (!trainer_) return;
  if (left_running_ && trainer_->running()) {
    // shutdown() gave up on it: joining would block the exit for the rest of a step. The process
    // ends without it (main.cpp); the object is deliberately not destroyed.
    (void)trainer_.release();
    return;
  }
  trainer_->request_cancel();
  trainer_->wait();
}

bool TrainingController::leftRunning() { return left_running_; }

qint64 TrainingController::stepsDone() const { return trainer_ ? trainer_->steps_done() : 0; }

bool TrainingController::shutdown(int timeout_ms) {
  if (!trainer_) return true;
  trainer_->request_cancel();
  QElapsedTimer clock;
  clock.start();
  while (trainer_->running() && clock.elapsed() < timeout_ms) QThread::msleep(10);
  if (trainer_->running()) {
    left_running_ = true;
    return false;
  }
  trainer_->wait();
  return true;
}

bool TrainingController::isRunning() const { return trainer_ && trainer_->running(); }

void TrainingController::start(const TrainConfig& config, const QString& db_path) {
  if (isRunning()) return;
  if (trainer_) trainer_->wait();
  trainer_ = std::make_unique<Trainer>(config, *sink_, db_path.toStdString(), std::string("Qt ") + qVersion());
  Q_EMIT preparing();
  trainer_->start();
}

void TrainingController::resume(qint64 run, const QString& db_path) {
  if (isRunning()) return;
  if (trainer_) trainer_->wait();
  TrainConfig cfg;
  {
    Store store(db_path.toStdString(), /*read_only=*/true);
    cfg = stored_config(store, run);
  }
  trainer_ = std::make_unique<Trainer>(cfg, *sink_, db_path.toStdString(), std::string("Qt ") + qVersion());
  trainer_->resume_run(run);
  Q_EMIT preparing();
  trainer_->start();
}

void TrainingController::setPaused(bool paused) {
  if (!isRunning()) return;
  trainer_->set_paused(paused);
  Q_EMIT pausedChanged(paused);
}

void TrainingController::stop() {
  if (!isRunning()) return;
  trainer_->request_stop();  // takes effect after the current step; never blocks the UI
  Q_EMIT stopRequested();
}

void TrainingController::deliver(const Event& e) {
  std::visit(
      [this](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, RunStarted>) {
          Q_EMIT runStarted(ev.run_id, QString::fromStdString(ev.device), ev.total_steps);
        } else if constexpr (std::is_same_v<T, StepEvent>) {
          Q_EMIT stepDone(ev.run_id, ev.step, ev.total_steps, ev.epoch, ev.loss, ev.lr, ev.images_per_s, ev.eta_s);
          if (!ev.components.empty()) {
            QStringList names;
            QVector<double> values;
            for (const auto& [name, value] : ev.components) {
              names << QString::fromStdString(name);
              values << value;
            }
            Q_EMIT lossComponents(ev.run_id, ev.step, names, values);
          }
        } else if constexpr (std::is_same_v<T, DiagnosticsEvent>) {
          Q_EMIT diagnostics(ev.run_id, ev);
        } else if constexpr (std::is_same_v<T, PreviewEvent>) {
          Q_EMIT preview(ev.run_id, ev);
        } else if constexpr (std::is_same_v<T, FormulaEvent>) {
          Q_EMIT formula(ev.run_id, ev);
        } else if constexpr (std::is_same_v<T, ProbeEvent>) {
          Q_EMIT probeDone(ev.run_id, QString::fromStdString(ev.kind), ev.k, ev.accuracy, ev.queries);
        } else if constexpr (std::is_same_v<T, BaselineEvent>) {
          Q_EMIT baselineReady(ev.run_id, QString::fromStdString(ev.baseline), QString::fromStdString(ev.scope),
                               ev.accuracy);
        } else if constexpr (std::is_same_v<T, ProjectionEvent>) {
          QVector<QPointF> pts;
          for (size_t i = 0; i + 1 < ev.xy.size(); i += 2) pts.push_back(QPointF(ev.xy[i], ev.xy[i + 1]));
          QStringList names;
          for (const auto& n : ev.class_names) names << QString::fromStdString(n);
          Q_EMIT projectionReady(ev.run_id, pts, QVector<int>(ev.labels.begin(), ev.labels.end()), names);
        } else if constexpr (std::is_same_v<T, LogEvent>) {
          Q_EMIT logMessage(static_cast<int>(ev.level), QString::fromStdString(ev.message));
        } else if constexpr (std::is_same_v<T, RunFinished>) {
          Q_EMIT runFinished(ev.run_id, QString::fromStdString(ev.status), QString::fromStdString(ev.message));
        }
      },
      e);
}

}  // namespace pretext
