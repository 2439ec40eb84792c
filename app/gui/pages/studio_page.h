#pragma once
// The augmentation studio: N images x V views of a pipeline, redrawn live as any parameter moves,
// with the op trace of a zoomed view, a side-by-side comparison with a second pipeline, and
// load/save/"use for training" of the exact document the trainer will run.
#include <QFutureWatcher>
#include <QJsonObject>
#include <QTimer>
#include <QWidget>
#include <nlohmann/json.hpp>

class QGroupBox;
class QHBoxLayout;
class QSplitter;

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace pretext {

class AppState;
class HistogramPlot;
class PipelineEditor;
class ViewGrid;

struct StudioGrid {
  QVector<QVector<QImage>> images;   // row = image, column 0 = original
  QVector<QVector<QString>> traces;  // same shape; column 0 describes the image
  QString error;
};

// What the current pipeline's crops ask for over many draws, ready to plot.
struct CropSpread {
  QVector<QPair<QString, QVector<double>>> scale, iou;  // histogram series over [0, 1]
  QString summary;
};

class StudioPage : public QWidget {
  Q_OBJECT
 public:
  explicit StudioPage(AppState* state, QWidget* parent = nullptr);
  void refresh();
  void loadPreset(const QString& name);
  // Shows a pipeline document (a run's, for Re-run) under `name` in the preset box.
  void showPipeline(const nlohmann::json& document, const QString& name);
  PipelineEditor* editor() const { return editor_; }

 private:
  QHBoxLayout* buildToolbar();
  QSplitter* buildWorkArea();
  QGroupBox* buildCropPanel();
  void connectRefresh();
  void showZoom(int row, int col);
  void scheduleRefresh() { debounce_.start(); }
  std::vector<size_t> chosenImages() const;

  AppState* state_;
  PipelineEditor* editor_;
  ViewGrid* grid_;
  ViewGrid* compare_grid_;
  QComboBox* preset_;
  QComboBox* compare_;
  QSpinBox* images_;
  QSpinBox* views_;
  QLineEdit* pinned_;
  QLabel* zoom_image_;
  QPlainTextEdit* zoom_trace_;
  QLabel* status_;
  QGroupBox* compare_box_;  // shown while a comparison is chosen
  quint64 seed_ = 0;
  QTimer debounce_;
  QFutureWatcher<QPair<StudioGrid, StudioGrid>> watcher_;
  QFutureWatcher<CropSpread> crops_watcher_;
  HistogramPlot* crop_scale_;
  HistogramPlot* crop_iou_;
  QLabel* crop_summary_;
  StudioGrid shown_;
  int zoom_row_ = 0, zoom_col_ = 1;  // the first view is zoomed until the user picks another
};

}  // namespace pretext
