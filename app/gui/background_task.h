#pragma once
// Work off the UI thread as a task with progress and cancel (QGIS's QgsTask is the model): the work
// polls `cancelled` between units and reports progress; cancelling asks it to stop at its next unit,
// and the task going away with its page (the window closing) cancels it and waits only for that
// unit. The work returns what to do with its result on the UI thread, so one task serves any result.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "engine/core/cancel.h"

namespace pretext {

class BackgroundTask : public QObject {
  Q_OBJECT

 public:
  struct Control {
    CancelFn cancelled;                                        // true once cancel() was asked
    std::function<void(double, const std::string&)> progress;  // fraction done, what it is doing
  };
  using Finish = std::function<void()>;  // runs on the UI thread when the work is done
  using Work = std::function<Finish(const Control&)>;

  explicit BackgroundTask(QObject* parent = nullptr);
  ~BackgroundTask() override;  // cancels and waits for the work's current unit

  // Starts `work` unless a task is running (then false). A work that throws Cancelled finishes
  // with cancelled(); any other exception's message reaches failed().
  bool start(Work work);
  void cancel();
  bool running() const;

 Q_SIGNALS:
  void progressed(double fraction, const QString& what);
  void succeeded();
  void cancelled();
  void failed(const QString& error);

 private:
  struct Outcome {
    Finish finish;
    bool cancelled = false;
    QString error;
  };
  QFutureWatcher<Outcome> watcher_;
  std::shared_ptr<std::atomic<bool>> cancel_;
};

}  // namespace pretext
