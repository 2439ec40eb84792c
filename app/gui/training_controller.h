#pragma once
// Bridges the engine's trainer to Qt: engine events arrive on the trainer's thread and are re-emitted
// as signals on the GUI thread (queued), so widgets are only ever touched from the GUI thread.
#include <QObject>
#include <QPointF>
#include <QStringList>
#include <QVector>
#include <atomic>
#include <memory>

#include "engine/core/events.h"
#include "engine/train/config.h"

namespace pretext {

class Trainer;

class TrainingController : public QObject {
  Q_OBJECT
 public:
  explicit TrainingController(QObject* parent = nullptr);
  ~TrainingController() override;

  bool isRunning() const;
  void setPaused(bool paused);
  void start(const TrainConfig& config, const QString& db_path);
  // Continues a stored run from its latest checkpoint (its stored config, to its original end).
  void resume(qint64 run, const QString& db_path);
  void stop();
  // For quitting: stops the run and cancels its end-of-run evaluation, then waits at most
  // timeout_ms for the engine thread. True when it ended; false when a step was still running (a
  // long CPU step cannot be interrupted): the run is then left to the process exit, which the
  // database survives as it survives a kill (the run reads as interrupted and resumes from its last
  // checkpoint).
  bool shutdown(int timeout_ms);
  // A run was left running by shutdown(): main() ends the process without joining it.
  static bool leftRunning();
  qint64 stepsDone() const;

 Q_SIGNALS:
  // Asked for, before the engine has a run: loading images and building the network can take a
  // minute (ResNet-18 on a CPU), and the window says so instead of "idle".
  void preparing();
  void pausedChanged(bool paused);
  void stopRequested();  // the current step finishes first
  void runStarted(qint64 run, const QString& device, qint64 total_steps);
  void stepDone(qint64 run, qint64 step, qint64 total, int epoch, double loss, double lr, double images_per_s,
                double eta_s);
  // The named terms of the loss at a step (SimCLR has one, VICReg three), after stepDone.
  void lossComponents(qint64 run, qint64 step, const QStringList& names, const QVector<double>& values);
  void diagnostics(qint64 run, const pretext::DiagnosticsEvent& event);
  // A pretext task's prediction next to its target on the fixed probe images, after diagnostics.
  void preview(qint64 run, const pretext::PreviewEvent& event);
  void formula(qint64 run, const pretext::FormulaEvent& event);
  void probeDone(qint64 run, const QString& kind, int k, double accuracy, qint64 queries);
  // What the same kNN probe reads untrained ("random_init") or on raw pixels ("raw_pixels"), on the
  // online subset or the final split (scope "online" / "final").
  void baselineReady(qint64 run, const QString& baseline, const QString& scope, double accuracy);
  void projectionReady(qint64 run, const QVector<QPointF>& points, const QVector<int>& labels,
                       const QStringList& class_names);
  void logMessage(int level, const QString& text);
  void runFinished(qint64 run, const QString& status, const QString& message);

 private:
  class Sink;
  void deliver(const Event& e);  // GUI thread
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<Trainer> trainer_;
  static std::atomic<bool> left_running_;
};

}  // namespace pretext
