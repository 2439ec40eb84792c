#pragma once
// The run launcher and everything that moves while a run trains: loss curves, collapse diagnostics,
// the views being trained on, and the embeddings with the probe accuracy once it ends.
#include <QFutureWatcher>
#include <QMap>
#include <QWidget>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/events.h"
#include "engine/train/config.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGridLayout;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace pretext {

class AppState;
class CurvePlot;
class HeatmapPlot;
class HistogramPlot;
class ScatterPlot;
class TrainingController;
class ViewGrid;
class FormulaPanel;

class TrainPage : public QWidget {
  Q_OBJECT
 public:
  TrainPage(AppState* state, TrainingController* controller, QWidget* parent = nullptr);

  // Fills the form (used by the command line, the presets and "re-run").
  void applyConfig(const TrainConfig& cfg);
  TrainConfig config() const;
  void start();
  void togglePause();  // the Pause/Resume button, from the Run menu
  void stop();         // the Stop button, from the Run menu
  // Presentation mode shows the run alone: the launcher column steps aside (F5 brings it back) so the
  // curves and diagnostics, in large text, fit a projector's 1280 px.
  void setPresentation(bool on);

 Q_SIGNALS:
  void runEnded(qint64 run, const QString& status);

 private:
  void buildLauncher(QWidget* host);
  void addRecipeRows(QFormLayout* form);
  void addScheduleRows(QFormLayout* form);
  void addParameterTable(QFormLayout* form);
  void addRunControls(QFormLayout* form);
  void connectLauncher();
  QDoubleSpinBox* buildTimeBudget();
  void addProbeControls(QFormLayout* form);  // Probe every, Linear probe too
  QWidget* buildCurvesAndDiagnostics();  // the training curves over the diagnostics panel
  QWidget* buildResults();               // the views being trained on, the embedding and the probe
  void connectController();
  void clearForNewRun();
  void showStoredHistory(qint64 run);  // a resumed run's curves so far, and its config in the form
  void showKnnProbe(int k, double accuracy, qint64 queries);
  void applyPreset(int index);
  void showPresetNote(int index);
  void watchForCustomEdits();  // an edit of a preset's field turns the Preset box to "Custom"
  // The run's duration before it starts: its time budget, or its steps at the speed the latest run
  // of the same method, backbone, batch and device reached in this workspace.
  void showEstimate();
  void fillMethodParams();
  struct RunPipeline {
    QString label;
    nlohmann::json document;
  };
  std::optional<RunPipeline> runPipeline() const;  // the studio's, else the recipe's, else the method's
  void refreshViews();
  void onStep(qint64 step, qint64 total, double loss, double lr, double ips);
  void onDiagnostics(const DiagnosticsEvent& e);
  void showPrediction(const PreviewEvent& e);
  void setMonitorsShown(bool shown);
  void setRunning(bool running);

  AppState* state_;
  TrainingController* controller_;
  QComboBox* preset_;
  QComboBox* method_;
  QComboBox* backbone_;
  QComboBox* device_;
  QComboBox* optimizer_;
  QSpinBox* epochs_;
  QSpinBox* steps_;
  QSpinBox* batch_;
  QSpinBox* limit_;
  QDoubleSpinBox* lr_;
  QSpinBox* seed_;
  QSpinBox* probe_every_;
  QDoubleSpinBox* budget_;
  std::vector<std::pair<std::string, QCheckBox*>> extra_probes_;  // the probes table's, but the kNN
  QTableWidget* params_;
  QLabel* pipeline_label_;
  QLabel* preset_note_;
  QLabel* estimate_;  // what the run will take, before it starts
  // The config the form was last filled from (a preset, a re-run): fields without a control on the
  // form (the pipeline, base_lr, ...) are kept from it.
  TrainConfig base_;
  bool applying_ = false;
  QPushButton* start_;
  QPushButton* pause_;
  QPushButton* stop_;
  QLabel* warning_;
  QLabel* probe_;
  CurvePlot* loss_;
  CurvePlot* lr_plot_;
  CurvePlot* speed_;
  CurvePlot* zstd_;
  CurvePlot* rank_;
  CurvePlot* align_;
  CurvePlot* knn_;
  QMap<QString, double> final_baselines_;  // the end-of-run probe's baselines, by name
  CurvePlot* monitors_;
  QWidget* monitors_box_;
  QWidget* corr_box_;
  QGridLayout* diag_grid_;
  QWidget* launcher_column_;
  HistogramPlot* hist_;
  HeatmapPlot* corr_;
  ViewGrid* views_;
  QWidget* views_box_;
  ViewGrid* prediction_;  // a pretext task's prediction next to its target (PreviewEvent)
  QLabel* prediction_note_;
  QWidget* prediction_box_;
  FormulaPanel* formula_;  // the method's objective with its live values (FormulaEvent)
  QWidget* formula_box_;
  ScatterPlot* scatter_;
  QFutureWatcher<QVector<QVector<QImage>>> views_watcher_;
  double best_rank_ = 0;
};

}  // namespace pretext
