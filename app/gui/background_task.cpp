#include "app/gui/background_task.h"

#include <QPointer>
#include <QtConcurrent>

namespace pretext {

BackgroundTask::BackgroundTask(QObject* parent) : QObject(parent) {
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, [this] {
    const Outcome outcome = watcher_.result();
    if (outcome.cancelled) {
      Q_EMIT cancelled();
    } else if (!outcome.error.isEmpty()) {
      Q_EMIT failed(outcome.error);
    } else {
      if (outcome.finish) outcome.finish();
      Q_EMIT succeeded();
    }
  });
}

BackgroundTask::~BackgroundTask() {
  cancel();
  watcher_.waitForFinished();
}

bool BackgroundTask::running() const { return watcher_.isRunning(); }

void BackgroundTask::cancel() {
  if (cancel_) *cancel_ = true;
}

bool BackgroundTask::start(Work work) {
  if (running()) return false;
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  Control control;
  control.cancelled = [flag = cancel_] { return flag->load(); };
  // Progress crosses to the UI thread queued, and only while the task is alive.
  control.progress = [self = QPointer<BackgroundTask>(this)](double fraction, const std::string& what) {
    if (!self) return;
    QMetaObject::invokeMethod(
        self.data(),
        [self, fraction, text = QString::fromStdString(what)] {
          if (self) Q_EMIT self->progressed(fraction, text);
        },
        Qt::QueuedConnection);
  };
  watcher_.setFuture(QtConcurrent::run([work = std::move(work), control]() -> Outcome {
    Outcome out;
    try {
      out.finish = work(control);
    } catch (const Cancelled&) {
      out.cancelled = true;
    } catch (const std::exception& e) {
      out.error = QString::fromUtf8(e.what());
      if (out.error.isEmpty()) out.error = QStringLiteral("failed");
    }
    return out;
  }));
  return true;
}

}  // namespace pretext
