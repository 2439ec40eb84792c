#pragma once
#include <QFutureWatcher>
#include <QMainWindow>
#include <memory>

#include "engine/data/image_set.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTreeWidget;

namespace pretext {

class CurvePlot;
class ScatterPlot;
class TrainingController;
class ViewGrid;

struct WindowOptions {
  QString data;
  QString db;
  QString method = "simclr";
  int epochs = 2;
  int steps = 0;
  int limit = 0;
  bool autostart = false;
  QString screenshot;  // save a PNG of the window once the run has finished (or after the preview)
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const WindowOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  void openDataset(const QString& path);

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  void buildUi();
  void refreshPreview();
  void refreshRuns();
  void showStoredRun(qint64 run);
  void startTraining();
  void setRunning(bool running);
  void appendLog(const QString& text);
  void saveScreenshotLater();

  WindowOptions opt_;
  TrainingController* controller_;
  std::shared_ptr<const ImageSet> preview_set_;
  QFutureWatcher<std::shared_ptr<const ImageSet>> load_watcher_;
  QFutureWatcher<QVector<QVector<QImage>>> preview_watcher_;
  quint64 preview_seed_ = 0;
  qint64 current_run_ = 0;

  QLineEdit* data_edit_;
  QComboBox* method_box_;
  QComboBox* backbone_box_;
  QSpinBox* epochs_spin_;
  QSpinBox* batch_spin_;
  QSpinBox* seed_spin_;
  QPushButton* start_button_;
  QPushButton* stop_button_;
  ViewGrid* view_grid_;
  CurvePlot* loss_plot_;
  ScatterPlot* scatter_;
  QTreeWidget* runs_;
  QPlainTextEdit* log_;
  QLabel* device_label_;
  QLabel* probe_label_;
  QLabel* data_label_;
  QProgressBar* progress_;
};

}  // namespace pretext
