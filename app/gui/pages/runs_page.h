#pragma once
// Every stored run: search and filter, details, and a side-by-side comparison of the checked runs
// (overlaid curves, probe table, config diff), and the map of what a run learned (Explore).
#include <QWidget>

#include <optional>
#include <vector>

#include "app/gui/background_task.h"
#include "engine/export/run_model.h"
#include "engine/store/store.h"
#include "engine/train/config.h"

class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QTabWidget;
class QTableWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace pretext {

class AppState;
class CurvePlot;
class ExplorePanel;

class RunsPage : public QWidget {
  Q_OBJECT
 public:
  explicit RunsPage(AppState* state, QWidget* parent = nullptr);
  void reload();
  void checkRuns(const QList<qint64>& ids);  // for scripted comparisons
  ExplorePanel* explorer() const { return explore_; }

 Q_SIGNALS:
  void rerunRequested(const pretext::TrainConfig& config);
  void resumeRequested(qint64 run);

 private:
  QWidget* buildRunList();      // filters, the list and the actions under it
  QHBoxLayout* buildActions();
  QWidget* buildTaskRow();  // what the background task is doing, its progress, Cancel; hidden when idle
  // Runs `work` as the page's task, its progress row saying `what`; its result (or why not) goes to
  // the run's details.
  void startTask(const QString& what, BackgroundTask::Work work);
  QWidget* buildComparePage();  // metric curves, probe table, config differences
  void applyFilter();
  void manage(const QString& action);
  void showDetails(qint64 run);
  void compare();
  // Probes the selected run again (the probes it asks for, on its saved backbone or a checkpoint) as
  // the page's task; the results are stored with the run and shown in its details.
  void probeSelected();
  enum class ExportKind { Weights, Metrics, Embeddings };
  void exportSelected(ExportKind kind);
  std::optional<ProbeRequest> askProbeRequest(const TrainConfig& cfg, const std::vector<CheckpointRecord>& checkpoints);
  QList<qint64> checkedRuns() const;

  AppState* state_;
  QLineEdit* search_;
  QComboBox* status_;
  QComboBox* method_;
  QTreeWidget* list_;
  QPlainTextEdit* details_;
  QComboBox* metric_;
  QSlider* smoothing_;
  QCheckBox* log_;
  CurvePlot* curves_;
  QTableWidget* probes_;
  QTableWidget* diff_;
  QTabWidget* tabs_;
  ExplorePanel* explore_;
  qint64 selected_ = 0;
  // The page's background work (a probe, an export), one at a time, with its progress row.
  BackgroundTask task_;
  QWidget* task_row_;
  QLabel* task_status_;
  QProgressBar* task_progress_;
  QPushButton* task_cancel_;
  QString task_title_;
};

}  // namespace pretext
