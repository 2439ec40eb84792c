#include "app/gui/main_window.h"

#include <unistd.h>

#include <algorithm>
#include <tuple>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QFile>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

#include "app/gui/app_state.h"
#include "app/gui/lesson_panel.h"
#include "app/gui/pages/data_page.h"
#include "app/gui/pages/runs_page.h"
#include "app/gui/pages/studio_page.h"
#include "app/gui/pages/train_page.h"
#include "app/gui/theme.h"
#include "app/gui/training_controller.h"
#include "app/gui/users_guide.h"
#include "engine/train/presets.h"
#include "widgets/pipeline_editor.h"
#include "engine/core/runtime.h"

namespace pretext {
namespace {

// How long quitting waits for a running run to stop and checkpoint before the window goes anyway.
constexpr int kQuitWaitMs = 1500;

// Most recent first, eight at most, under "<key>/recent"; "<key>/last" is the newest.
void remember_recent(const QString& key, const QString& path) {
  QSettings settings;
  settings.setValue(key + "/last", path);
  QStringList recent = settings.value(key + "/recent").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > 8) recent.removeLast();
  settings.setValue(key + "/recent", recent);
}

template <class Open>
void fill_recent_menu(QMenu* menu, const QString& key, QObject* context, Open open) {
  menu->clear();
  const QStringList recent = QSettings().value(key + "/recent").toStringList();
  for (const QString& p : recent) menu->addAction(p, context, [open, p] { open(p); });
  menu->setEnabled(!recent.isEmpty());
}

}  // namespace

MainWindow::MainWindow(const WindowOptions& options, QWidget* parent)
    : QMainWindow(parent), opt_(options), state_(new AppState(options.db, this)),
      controller_(new TrainingController(this)) {
  updateTitle();
  remember_recent("workspace", state_->dbPath());
  setAcceptDrops(true);
  tabs_ = new QTabWidget;
  tabs_->setDocumentMode(true);
  data_page_ = new DataPage(state_);
  studio_page_ = new StudioPage(state_);
  train_page_ = new TrainPage(state_, controller_);
  runs_page_ = new RunsPage(state_);
  log_ = new QPlainTextEdit;
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  tabs_->addTab(data_page_, tr("&Data"));
  tabs_->addTab(studio_page_, tr("&Studio"));
  tabs_->addTab(train_page_, tr("&Train"));
  tabs_->addTab(runs_page_, tr("&Runs"));
  tabs_->addTab(log_, tr("&Log"));
  setCentralWidget(tabs_);

  buildStatusBar();
  lesson_ = new LessonPanel(this, tabs_, state_, controller_);
  buildMenus();

  connect(state_, &AppState::datasetLoaded, this, [this] {
    remember_recent("data", state_->dataPath());
    rebuildRecentMenus();
    appendLog(tr("Opened %1").arg(state_->dataPath()));
    if (opt_.autostart) {
      opt_.autostart = false;
      showPage("train");
      train_page_->start();
    } else if (!opt_.screenshot.isEmpty()) {
      saveScreenshotLater();
    }
  });
  connect(state_, &AppState::datasetFailed, this, [this](const QString& m) {
    appendLog(tr("Cannot open dataset: %1").arg(m));
    statusBar()->showMessage(tr("Cannot open dataset: %1").arg(m), 10000);
  });
  connectController();
  connect(runs_page_, &RunsPage::resumeRequested, this, [this](qint64 run) {
    if (controller_->isRunning()) return;
    try {
      controller_->resume(run, state_->dbPath());
      showPage("train");
    } catch (const std::exception& e) {
      QMessageBox::warning(this, tr("Resume"), tr("Cannot resume run %1: %2").arg(run).arg(e.what()));
    }
  });
  // Re-run is the stored experiment: its pipeline replaces whatever the studio held (and the studio
  // shows it), so what the user changes next is the only change.
  connect(runs_page_, &RunsPage::rerunRequested, this, [this](const TrainConfig& c) {
    if (c.pipeline_json.is_object()) {
      const QString name = QString::fromStdString(c.pipeline_json.value("name", "custom"));
      studio_page_->showPipeline(c.pipeline_json, tr("%1 (stored with the run)").arg(name));
      state_->setPipelineJson(QString::fromStdString(c.pipeline_json.dump()));
    }
    train_page_->applyConfig(c);
    if (QString::fromStdString(c.data) != state_->dataPath()) openDataset(QString::fromStdString(c.data));
    showPage("train");
  });

  QSettings settings;
  // A first start fits the screen (a 1366x768 laptop included); a later one restores the user's size.
  if (!restoreGeometry(settings.value("window/geometry").toByteArray())) {
    const QRect screen = this->screen() ? this->screen()->availableGeometry() : QRect(0, 0, 1440, 900);
    resize(std::min(1440, screen.width()), std::min(900, screen.height()));
  }

  applyStartOptions(settings);
}

MainWindow::~MainWindow() = default;

namespace {

// The app's resident memory (Linux; 0 elsewhere): on a CPU the run's memory is the process's.
qint64 resident_memory_mb() {
  QFile statm(QStringLiteral("/proc/self/statm"));
  if (!statm.open(QIODevice::ReadOnly)) return 0;
  const QList<QByteArray> fields = statm.readAll().split(' ');
  if (fields.size() < 2) return 0;
  static const long page = sysconf(_SC_PAGESIZE);
  return fields[1].toLongLong() * page / (1 << 20);
}

}  // namespace

// The device, the last probe and the run's progress.
void MainWindow::buildStatusBar() {
  device_label_ = new QLabel(tr("Device: chosen when a run starts"));
  probe_label_ = new QLabel;
  progress_ = new QProgressBar;
  progress_->setObjectName(QStringLiteral("runProgress"));
  progress_->setMinimumWidth(420);
  showRunProgress();
  // The status bar must never widen the window (a 1366 px laptop screen holds it whole): long texts
  // are cut there and read in full in the tooltip.
  for (QLabel* label : {device_label_, probe_label_}) {
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    label->setMinimumWidth(120);
    statusBar()->addWidget(label, 1);
  }
  statusBar()->addPermanentWidget(progress_);
}

// The status bar and the log follow the engine's events.
void MainWindow::connectController() {
  using Phase = RunProgress::Phase;
  const auto enter = [this](Phase phase) {
    run_progress_.phase = phase;
    showRunProgress();
  };
  connect(controller_, &TrainingController::preparing, this, [this, enter] {
    run_progress_ = RunProgress{};
    enter(Phase::Preparing);
  });
  connect(controller_, &TrainingController::pausedChanged, this,
          [enter](bool paused) { enter(paused ? Phase::Paused : Phase::Training); });
  connect(controller_, &TrainingController::stopRequested, this, [enter] { enter(Phase::Stopping); });
  connect(controller_, &TrainingController::runStarted, this, [this](qint64 run, const QString& device, qint64 total) {
    device_label_->setText(tr("Device: %1").arg(device));
    device_label_->setToolTip(device_label_->text());
    probe_label_->clear();
    run_progress_.run = run;
    run_progress_.total = total;
    showRunProgress();
    appendLog(tr("Run %1 started on %2 (%3 steps)").arg(run).arg(device).arg(total));
    state_->notifyRunsChanged();
  });
  connect(controller_, &TrainingController::stepDone, this,
          [this](qint64, qint64 step, qint64 total, int epoch, double loss, double, double ips, double eta) {
            RunProgress& p = run_progress_;
            std::tie(p.step, p.total, p.epoch, p.loss, p.images_per_s, p.eta_s) =
                std::tuple(step, total, epoch, loss, ips, eta);
            if (p.phase == Phase::Preparing) p.phase = Phase::Training;
            p.memory_mb = resident_memory_mb();
            showRunProgress();
          });
  connect(controller_, &TrainingController::probeDone, this, [this](qint64, const QString& kind, int k, double acc, qint64) {
    probe_label_->setText(kind == "knn" ? tr("kNN (k=%1): %2 %").arg(k).arg(100 * acc, 0, 'f', 1)
                                        : tr("%1 probe: %2 %").arg(kind).arg(100 * acc, 0, 'f', 1));
  });
  connect(controller_, &TrainingController::logMessage, this, [this](int, const QString& t) { appendLog(t); });
  connect(controller_, &TrainingController::runFinished, this, [this](qint64 run, const QString& status, const QString& m) {
    appendLog(tr("Run %1 %2 %3").arg(run).arg(status, m));
    run_progress_.ended_as = status;
    run_progress_.phase = RunProgress::Phase::Ended;
    showRunProgress();
    state_->notifyRunsChanged();
    if (!opt_.screenshot.isEmpty()) saveScreenshotLater();
  });
}

void MainWindow::showRunProgress() {
  using Phase = RunProgress::Phase;
  const RunProgress& p = run_progress_;
  progress_->setRange(0, static_cast<int>(std::max<qint64>(p.total, 1)));  // a timed run's total moves
  progress_->setValue(static_cast<int>(std::min(p.step, std::max<qint64>(p.total, 1))));
  const QString at = tr("step %1/%2").arg(p.step).arg(p.total);
  switch (p.phase) {
    case Phase::Idle:
      progress_->setFormat(tr("no run"));
      break;
    case Phase::Preparing:
      progress_->setFormat(p.run ? tr("run %1: measuring baselines, first step…").arg(p.run)
                                 : tr("preparing the run: loading images, building the network…"));
      break;
    case Phase::Training:
      progress_->setFormat(tr("%1 · epoch %2 · loss %3 · %4 img/s · ETA %5 s%6")
                               .arg(at).arg(p.epoch + 1).arg(p.loss, 0, 'f', 3)
                               .arg(p.images_per_s, 0, 'f', 0).arg(p.eta_s, 0, 'f', 0)
                               .arg(p.memory_mb > 0 ? tr(" · %1 MB").arg(p.memory_mb) : QString()));
      break;
    case Phase::Paused:
      progress_->setFormat(tr("paused at %1 · loss %2").arg(at).arg(p.loss, 0, 'f', 3));
      break;
    case Phase::Stopping:
      progress_->setFormat(tr("stopping after %1: checkpoint, then the probe…").arg(at));
      break;
    case Phase::Ended:
      progress_->setFormat(tr("run %1 %2 at %3").arg(p.run).arg(p.ended_as, at));
      break;
  }
}

// What the command line asked for: the launcher's values, a preset, a page, runs to compare, a dataset.
void MainWindow::applyStartOptions(const QSettings& settings) {
  TrainConfig initial;
  initial.method = opt_.method.toStdString();
  if (!opt_.backbone.isEmpty()) initial.backbone = opt_.backbone.toStdString();
  initial.epochs = opt_.epochs;
  initial.steps = opt_.steps;
  initial.limit = static_cast<size_t>(opt_.limit);
  if (!opt_.preset.isEmpty()) {
    try {
      initial = with_run_preset(initial, run_preset(opt_.preset.toStdString()),
                                [this](const std::string& field) { return opt_.given.contains(QString::fromStdString(field)); });
    } catch (const std::exception& e) {
      appendLog(tr("--preset: %1").arg(QString::fromUtf8(e.what())));
    }
  }
  train_page_->applyConfig(initial);

  if (!opt_.pipeline.isEmpty()) {
    studio_page_->loadPreset(opt_.pipeline);
    state_->setPipelineJson(QJsonDocument(studio_page_->editor()->pipeline()).toJson(QJsonDocument::Compact));
  }
  if (!opt_.page.isEmpty()) showPage(opt_.page);
  if (!opt_.compare.isEmpty()) {
    QList<qint64> ids;
    for (const QString& s : opt_.compare.split(',')) ids << s.toLongLong();
    runs_page_->checkRuns(ids);
  }
  QString data = opt_.data;
  if (data.isEmpty()) data = settings.value("data/last").toString();
  if (!data.isEmpty()) openDataset(data);
  else if (!opt_.screenshot.isEmpty()) saveScreenshotLater();
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open &folder…"), QKeySequence::Open, this, [this] {
    const QString d = QFileDialog::getExistingDirectory(this, tr("Open a folder of images"), state_->dataPath());
    if (!d.isEmpty()) openDataset(d);
  });
  file->addAction(tr("Open &IDX file…"), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Open an IDX file"), state_->dataPath(),
                                                   tr("IDX files (*-ubyte *.gz);;All files (*)"));
    if (!f.isEmpty()) openDataset(f);
  });
  recent_menu_ = file->addMenu(tr("&Recent datasets"));
  file->addSeparator();
  file->addAction(tr("Open or create &workspace…"), QKeySequence(tr("Ctrl+Shift+W")), this, [this] {
    const QString f = QFileDialog::getSaveFileName(
        this, tr("Open or create a workspace (one experiment database)"), state_->dbPath(),
        tr("Pretext workspaces (*.db *.sqlite);;All files (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (!f.isEmpty()) openWorkspace(f);
  });
  recent_workspaces_menu_ = file->addMenu(tr("Recent wor&kspaces"));
  rebuildRecentMenus();
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  run->addAction(tr("&Start"), QKeySequence(tr("Ctrl+R")), this, [this] {
    showPage("train");
    train_page_->start();
  });
  run->addAction(tr("&Pause or resume"), QKeySequence(tr("Ctrl+P")), train_page_, &TrainPage::togglePause);
  run->addAction(tr("S&top"), QKeySequence(tr("Ctrl+.")), train_page_, &TrainPage::stop);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  const char* pages[] = {"data", "studio", "train", "runs", "log"};
  for (int i = 0; i < 5; ++i)
    view->addAction(tabs_->tabText(i).remove('&'), QKeySequence(QString("Ctrl+%1").arg(i + 1)), this,
                    [this, name = QString(pages[i])] { showPage(name); });

  QMenu* theme = view->addMenu(tr("&Theme"));
  auto* themes = new QActionGroup(theme);
  const QString current = QSettings().value("view/theme", "system").toString();
  for (const QString& name : theme_names()) {
    QAction* a = theme->addAction(name == "system" ? tr("As the desktop") : name == "light" ? tr("Light") : tr("Dark"));
    a->setCheckable(true);
    a->setChecked(name == current);
    themes->addAction(a);
    connect(a, &QAction::triggered, this, [name] {
      QSettings().setValue("view/theme", name);
      apply_theme(name);
    });
  }

  view->addSeparator();
  presentation_action_ = view->addAction(tr("&Presentation mode"), QKeySequence(Qt::Key_F5), this,
                                         [this](bool on) { setPresentationMode(on); });
  presentation_action_->setCheckable(true);
  presentation_action_->setToolTip(tr("Large text, thick plot lines and full screen, for a projector (F5 again to leave)"));

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&User's guide"), QKeySequence::HelpContents, this, [this] { show_users_guide(this); });
  QAction* lesson = help->addAction(tr("&Lesson"), this, [this](bool on) { lesson_->setShown(on); });
  lesson->setObjectName(QStringLiteral("lessonAction"));
  lesson->setCheckable(true);
  lesson->setToolTip(tr("Seven steps from unlabelled images to what the network learned, for a class (10 minutes on a CPU)"));
  connect(lesson_, &LessonPanel::shownChanged, lesson, &QAction::setChecked);
  if (QSettings().value("lesson/shown", false).toBool()) lesson_->setShown(true);
  help->addAction(tr("&About Pretext"), this, [this] {
    const Versions v = versions();
    QMessageBox::about(this, tr("About Pretext"),
                       tr("<h3>Pretext %1</h3><p>A workbench for self-supervised learning on images.</p>"
                          "<p>Commit %2<br>LibTorch %3<br>OpenCV %4<br>SQLite %5<br>Qt %6</p>"
                          "<p>Workspace: %7</p>")
                           .arg(QString::fromStdString(v.pretext), QString::fromStdString(v.commit),
                                QString::fromStdString(v.torch), QString::fromStdString(v.opencv),
                                QString::fromStdString(v.sqlite), qVersion(), state_->dbPath()));
  });
}

void MainWindow::setPresentationMode(bool on) {
  if (on == presentation_on()) return;
  apply_presentation(on);
  train_page_->setPresentation(on);
  presentation_action_->setChecked(on);
  if (on) {
    maximized_before_presentation_ = isMaximized();
    showFullScreen();
  } else if (maximized_before_presentation_) {
    showMaximized();
  } else {
    showNormal();
  }
}

void MainWindow::startLesson() {
  lesson_->restart();
  lesson_->setShown(true);
}

void MainWindow::openDataset(const QString& path) { state_->openDataset(path); }

void MainWindow::openWorkspace(const QString& db_path) {
  if (controller_->isRunning()) {
    QMessageBox::information(this, tr("Workspace"), tr("A run is writing to this workspace: stop it before switching."));
    return;
  }
  state_->setDbPath(db_path);  // the store creates the file on first use
  remember_recent("workspace", db_path);
  rebuildRecentMenus();
  updateTitle();
  appendLog(tr("Workspace %1").arg(db_path));
}

void MainWindow::rebuildRecentMenus() {
  fill_recent_menu(recent_menu_, "data", this, [this](const QString& p) { openDataset(p); });
  fill_recent_menu(recent_workspaces_menu_, "workspace", this, [this](const QString& p) { openWorkspace(p); });
}

void MainWindow::updateTitle() {
  setWindowTitle(tr("%1 — Pretext").arg(QFileInfo(state_->dbPath()).completeBaseName()));
  setWindowFilePath(state_->dbPath());
}

void MainWindow::showPage(const QString& name) {
  const QStringList pages{"data", "studio", "train", "runs", "log"};
  const int i = pages.indexOf(name.toLower());
  if (i >= 0) tabs_->setCurrentIndex(i);
}

void MainWindow::appendLog(const QString& text) { log_->appendPlainText(text); }

void MainWindow::saveScreenshotLater() {
  // Give queued replots and worker results a moment to land before grabbing.
  QTimer::singleShot(1500, this, [this] {
    const bool ok = grab().save(opt_.screenshot);
    std::fprintf(stderr, "%s %s\n", ok ? "saved" : "could not save", qPrintable(opt_.screenshot));
    close();
  });
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls() && e->mimeData()->urls().first().isLocalFile()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const QString path = e->mimeData()->urls().first().toLocalFile();
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == "db" || suffix == "sqlite") openWorkspace(path);  // a workspace, not images
  else if (!path.isEmpty()) openDataset(path);
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (controller_->isRunning()) {
    const auto answer = QMessageBox::question(
        this, tr("Quit Pretext?"),
        tr("A run is in progress (step %1). Quitting stops it at the end of the current step and saves a "
           "checkpoint: resume it later from the Runs page. Its end-of-run probe is skipped; run it from the "
           "Runs page or with pretext-cli eval.")
            .arg(controller_->stepsDone()),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes) {
      e->ignore();
      return;
    }
    statusBar()->showMessage(tr("Stopping the run and saving a checkpoint…"));
    QApplication::processEvents(QEventLoop::ExcludeUserInputEvents);
    // Quit within about two seconds whatever the run is doing: a step still running after that is
    // left to the process exit (the run then resumes from its last checkpoint).
    controller_->shutdown(kQuitWaitMs);
  }
  QSettings().setValue("window/geometry", saveGeometry());
  e->accept();
}

}  // namespace pretext
