#pragma once
#include <QMainWindow>
#include <QStringList>

class QLabel;
class QMenu;
class QPlainTextEdit;
class QSettings;
class QProgressBar;
class QTabWidget;

namespace pretext {

class AppState;
class DataPage;
class LessonPanel;
class RunsPage;
class StudioPage;
class TrainPage;
class TrainingController;

struct WindowOptions {
  QString data;
  QString db;
  QString method = "simclr";
  QString backbone;
  int epochs = 3;
  int steps = 0;
  int limit = 0;
  bool autostart = false;
  QString preset;      // a run preset (engine/train/presets.h); the options in `given` override it
  QStringList given;   // the TrainConfig fields set explicitly on the command line
  QString page;        // data, studio, train, runs, log
  QString compare;     // comma-separated run ids to compare on the runs page
  QString pipeline;    // preset name or JSON file to open in the studio and train with
  QString screenshot;  // save a PNG of the window once the run has finished (or once the data is shown)
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const WindowOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Switches to another experiment database (created on first use); refused while a run writes.
  void openWorkspace(const QString& db_path);
  AppState* state() const { return state_; }
  // Presentation mode (apply_presentation) and full screen together; off returns to the window as it was.
  void setPresentationMode(bool on);
  // Help > Lesson from its first step (--lesson).
  void startLesson();

 protected:
  void closeEvent(QCloseEvent* e) override;
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  void connectController();
  void applyStartOptions(const QSettings& settings);
  void buildMenus();
  void buildStatusBar();
  void openDataset(const QString& path);
  void rebuildRecentMenus();
  void updateTitle();
  void showPage(const QString& name);
  void saveScreenshotLater();
  void appendLog(const QString& text);
  void showRunProgress();  // the status bar's account of the run, from run_progress_

  // What the status bar tells of the run in the engine.
  struct RunProgress {
    enum class Phase { Idle, Preparing, Training, Paused, Stopping, Ended } phase = Phase::Idle;
    qint64 run = 0, step = 0, total = 0;
    int epoch = 0;
    double loss = 0, images_per_s = 0, eta_s = 0;
    qint64 memory_mb = 0;  // the process's resident memory at the last step
    QString ended_as;  // finished, stopped, failed
  };

  WindowOptions opt_;
  AppState* state_;
  TrainingController* controller_;
  QTabWidget* tabs_;
  DataPage* data_page_;
  StudioPage* studio_page_;
  TrainPage* train_page_;
  RunsPage* runs_page_;
  QPlainTextEdit* log_;
  QMenu* recent_menu_;
  QMenu* recent_workspaces_menu_;
  QLabel* device_label_;
  QLabel* probe_label_;
  QProgressBar* progress_;
  RunProgress run_progress_;
  QAction* presentation_action_ = nullptr;
  LessonPanel* lesson_ = nullptr;
  bool maximized_before_presentation_ = false;
};

}  // namespace pretext
