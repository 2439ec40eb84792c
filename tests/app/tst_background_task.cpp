// The app's background work as tasks (app/gui/background_task.h): progress reaches the UI thread,
// the result is applied there, Cancel and closing stop the work at its next unit, errors are reported.
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "app/gui/background_task.h"

using namespace pretext;

namespace {
// Work in units of `unit_ms`, polling for a cancel between units, as the engine's feature batches do.
BackgroundTask::Work units(int count, int unit_ms, std::shared_ptr<std::atomic<int>> done, bool* applied) {
  return [=](const BackgroundTask::Control& c) -> BackgroundTask::Finish {
    for (int i = 0; i < count; ++i) {
      throw_if_cancelled(c.cancelled);
      std::this_thread::sleep_for(std::chrono::milliseconds(unit_ms));
      ++*done;
      c.progress(double(i + 1) / count, "unit " + std::to_string(i + 1));
    }
    return [applied] { *applied = true; };
  };
}
}  // namespace

class BackgroundTaskTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void progressReachesTheUiThreadAndTheResultIsAppliedThere() {
    BackgroundTask task;
    QSignalSpy progressed(&task, &BackgroundTask::progressed), succeeded(&task, &BackgroundTask::succeeded);
    bool applied = false;
    auto done = std::make_shared<std::atomic<int>>(0);
    QVERIFY(task.start(units(4, 5, done, &applied)));
    QVERIFY(!task.start(units(1, 1, done, &applied)));  // one at a time
    QTRY_COMPARE(succeeded.count(), 1);
    QVERIFY(applied);
    QTRY_COMPARE(progressed.count(), 4);
    QCOMPARE(progressed.last().at(0).toDouble(), 1.0);
    QCOMPARE(progressed.last().at(1).toString(), QStringLiteral("unit 4"));
    QVERIFY(!task.running());
  }

  void cancelStopsTheWorkAtItsNextUnitAndAppliesNothing() {
    BackgroundTask task;
    QSignalSpy cancelled(&task, &BackgroundTask::cancelled), succeeded(&task, &BackgroundTask::succeeded);
    bool applied = false;
    auto done = std::make_shared<std::atomic<int>>(0);
    QVERIFY(task.start(units(1000, 10, done, &applied)));
    QTRY_VERIFY(*done >= 1);
    task.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 1000);
    QVERIFY(*done < 100);
    QVERIFY(!applied);
    QCOMPARE(succeeded.count(), 0);
  }

  void closingWithATaskRunningWaitsOnlyForTheCurrentUnit() {
    auto task = std::make_unique<BackgroundTask>();
    bool applied = false;
    auto done = std::make_shared<std::atomic<int>>(0);
    QVERIFY(task->start(units(1000, 20, done, &applied)));  // 20 s of work
    QTRY_VERIFY(*done >= 1);
    QElapsedTimer clock;
    clock.start();
    task.reset();  // the page (and its task) going away with the window
    QVERIFY2(clock.elapsed() < 500, qPrintable(QString("closing waited %1 ms").arg(clock.elapsed())));
    QVERIFY(*done < 100);
    QVERIFY(!applied);
  }

  void aFailureReachesFailedWithItsMessage() {
    BackgroundTask task;
    QSignalSpy failed(&task, &BackgroundTask::failed);
    QVERIFY(task.start([](const BackgroundTask::Control&) -> BackgroundTask::Finish {
      throw std::runtime_error("no saved backbone for run 7");
    }));
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.first().at(0).toString(), QStringLiteral("no saved backbone for run 7"));
  }
};

QTEST_MAIN(BackgroundTaskTest)
#include "tst_background_task.moc"
