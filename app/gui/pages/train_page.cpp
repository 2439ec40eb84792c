#include "app/gui/pages/train_page.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <cmath>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "app/gui/app_state.h"
#include "app/gui/empty_state.h"
#include "app/gui/formula_panel.h"
#include "app/gui/image_convert.h"
#include "app/gui/training_controller.h"
#include "engine/augment/pipeline.h"
#include "engine/data/image_mat.h"
#include "engine/core/describe.h"
#include "engine/core/metric_names.h"
#include "engine/eval/probes.h"
#include "engine/methods/method_info.h"
#include "engine/store/compare.h"
#include "engine/store/store.h"
#include "engine/core/runtime.h"
#include "engine/train/options.h"
#include "engine/train/presets.h"
#include "engine/train/resolve.h"
#include "engine/train/run_record.h"
#include "widgets/curve_plot.h"
#include "widgets/heatmap_plot.h"
#include "widgets/histogram_plot.h"
#include "widgets/scatter_plot.h"
#include "widgets/view_grid.h"

namespace pretext {
namespace {

QTableWidgetItem* readonly_item(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(item->flags() & ~Qt::ItemIsEditable);
  return item;
}

QGroupBox* boxed(const QString& title, QWidget* w, const QString& what_it_shows = QString()) {
  auto* box = new QGroupBox(title);
  box->setToolTip(what_it_shows);
  auto* l = new QVBoxLayout(box);
  l->setContentsMargins(4, 4, 4, 4);
  l->addWidget(w);
  return box;
}

// The methods grouped by family: a bold heading that cannot be chosen above each family's methods,
// the method's summary as its tooltip; the first method is chosen.
void fillMethodList(QComboBox* box) {
  auto* model = qobject_cast<QStandardItemModel*>(box->model());
  for (const auto& family : method_families()) {
    box->addItem(QString::fromStdString(family));
    if (QStandardItem* heading = model ? model->item(box->count() - 1) : nullptr) {
      heading->setFlags(Qt::NoItemFlags);
      QFont bold = heading->font();
      bold.setBold(true);
      heading->setFont(bold);
    }
    for (const auto& m : method_infos()) {
      if (m.family != family) continue;
      box->addItem(QString::fromStdString(m.name));
      box->setItemData(box->count() - 1, QString::fromStdString(m.summary), Qt::ToolTipRole);
    }
  }
  box->setCurrentIndex(1);
}

}  // namespace

TrainPage::TrainPage(AppState* state, TrainingController* controller, QWidget* parent)
    : QWidget(parent), state_(state), controller_(controller) {
  auto* launcher = new QWidget;
  buildLauncher(launcher);
  auto* scroll = new QScrollArea;
  scroll->setWidget(launcher);
  scroll->setWidgetResizable(true);
  scroll->setMinimumWidth(300);
  scroll->setMaximumWidth(340);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);  // the form fits the column's width
  launcher_column_ = scroll;

  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(scroll);
  split->addWidget(buildCurvesAndDiagnostics());
  split->addWidget(buildResults());
  split->setStretchFactor(1, 3);
  split->setStretchFactor(2, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(hint_until_data_opens(
      state_, tr("<b>Pretraining happens here.</b> Open a dataset on the Data page first, then pick a preset "
                 "(<i>Classroom</i> learns in three minutes on a laptop CPU) and press Start: the loss, the "
                 "diagnostics and the online kNN fill in as it trains, and the probe tells what it learned.")));
  layout->addWidget(split);

  connect(state_, &AppState::datasetLoaded, this, [this] {
    refreshViews();
    showEstimate();
    setRunning(controller_->isRunning());
  });
  connect(state_, &AppState::pipelineChanged, this, &TrainPage::refreshViews);
  connect(&views_watcher_, &QFutureWatcherBase::finished, this,
          [this] { views_->setRows(views_watcher_.result(), {tr("image"), tr("view 1"), tr("view 2")}); });
  connectController();
}

QWidget* TrainPage::buildCurvesAndDiagnostics() {
  loss_ = new CurvePlot(tr("loss"));
  loss_->setObjectName(QStringLiteral("lossCurve"));
  lr_plot_ = new CurvePlot(tr("learning rate"));
  speed_ = new CurvePlot(tr("images / s"));
  auto* curves = new QTabWidget;
  curves->addTab(loss_, tr("Loss"));
  curves->addTab(lr_plot_, tr("LR"));
  curves->addTab(speed_, tr("Throughput"));
  curves->setTabToolTip(0, tr("The objective at each step (and its terms, for methods with several). It should fall "
                              "quickly at first, then slowly; a contrastive loss never reaches 0. A loss stuck flat "
                              "from the start, or one that jumps to NaN, means a problem."));
  curves->setTabToolTip(1, tr("The learning rate: a linear warm-up, then a cosine decay to the end of the run."));
  curves->setTabToolTip(2, tr("Images (pairs of views) trained per second: augmentation, forward, backward, update."));

  zstd_ = new CurvePlot(tr("z-std"));
  rank_ = new CurvePlot(tr("RankMe"));
  align_ = new CurvePlot(tr("value"));
  knn_ = new CurvePlot(tr("accuracy %"));
  monitors_ = new CurvePlot(tr("value"));
  hist_ = new HistogramPlot(tr("cosine similarity"), -1, 1);
  corr_ = new HeatmapPlot;
  warning_ = new QLabel;
  warning_->setWordWrap(true);
  warning_->setStyleSheet("QLabel { color: white; background: #c0392b; padding: 4px; font-weight: bold; }");
  warning_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);  // a line, not half the panel
  warning_->hide();

  auto* diag = new QWidget;
  auto* dg = new QGridLayout(diag);
  diag_grid_ = dg;
  dg->setContentsMargins(0, 0, 0, 0);
  dg->addWidget(warning_, 0, 0, 1, 4);
  dg->addWidget(boxed(tr("z-std (healthy ≈ 1/√d)"), zstd_,
                      tr("The standard deviation of the L2-normalised embeddings over the batch, averaged over "
                         "dimensions. Healthy: near 1/√d (the dashed line). Falling towards 0: the embeddings collapse "
                         "to one point (Chen and He 2021).")), 1, 0);
  dg->addWidget(boxed(tr("Effective rank (RankMe)"), rank_,
                      tr("How many dimensions the embeddings really use: the exponential of the entropy of their "
                         "singular values (Garrido et al. 2023). Healthy: rising, or high and steady. A drop: "
                         "dimensional collapse.")), 1, 1);
  dg->addWidget(boxed(tr("Alignment / uniformity"), align_,
                      tr("Alignment: mean squared distance between the two views of an image (lower: more invariant). "
                         "Uniformity: log of the mean Gaussian potential between images (lower: spread over the "
                         "sphere). Wang and Isola 2020: good representations lower both.")), 1, 2);
  dg->addWidget(boxed(tr("Online kNN accuracy"), knn_,
                      tr("A kNN classifier on the backbone's features of a small labelled subset, at each diagnostic "
                         "step. The dashed lines: the same network untrained and the raw pixels. Above them and rising "
                         "means the network is learning something useful.")), 1, 3);
  dg->addWidget(boxed(tr("Positive vs negative pair similarity"), hist_,
                      tr("Cosine similarity of the two views of the same image (positives) and of different images "
                         "(negatives). Healthy: positives near 1, negatives spread around 0. Both near 1: collapse.")),
                2, 0, 1, 2);
  corr_box_ = boxed(tr("Cross-correlation (first dims)"), corr_,
                    tr("The cross-correlation of the two views' embeddings over the batch, first dimensions. Barlow "
                       "Twins drives it to the identity: a bright diagonal, dark elsewhere."));
  monitors_box_ = boxed(tr("Method monitors"), monitors_);
  monitors_box_->setToolTip(tr("DINO: the teacher's output entropy (nats). Near log(K): uniform collapse; near 0: one-hot collapse."));
  dg->addWidget(monitors_box_, 2, 3);
  setMonitorsShown(false);
  dg->setRowStretch(1, 1);
  dg->setRowStretch(2, 1);

  auto* center = new QSplitter(Qt::Vertical);
  center->addWidget(boxed(tr("Training curves"), curves));
  QWidget* diagnostics = boxed(tr("Diagnostics (fixed probe batch)"), diag);
  diagnostics->setObjectName(QStringLiteral("diagnosticsBox"));
  center->addWidget(diagnostics);
  center->setStretchFactor(0, 2);
  center->setStretchFactor(1, 3);
  return center;
}

QWidget* TrainPage::buildResults() {
  views_ = new ViewGrid;
  scatter_ = new ScatterPlot;
  probe_ = new QLabel(tr("kNN probe: after the run"));
  probe_->setObjectName(QStringLiteral("probeSummary"));
  probe_->setWordWrap(true);  // a long result wraps; it must not widen the window
  auto* right = new QWidget;
  auto* rl = new QVBoxLayout(right);
  rl->setContentsMargins(0, 0, 0, 0);
  views_box_ = boxed(tr("Two views being trained on"), views_,
                     tr("Three images and the two augmented views the method is asked to match."));
  rl->addWidget(views_box_, 2);
  formula_ = new FormulaPanel;
  formula_box_ = boxed(tr("The objective, live"), formula_,
                       tr("The loss the method minimises, with the values of its terms for the first image of the "
                          "current batch, every few steps: the arithmetic of one row gives that row's loss, and the "
                          "loss plotted is the mean over the batch's rows. For a contrastive loss: the view, its "
                          "positive (the other view of the same image) and the most similar negative."));
  formula_box_->setObjectName(QStringLiteral("formulaBox"));
  formula_box_->hide();  // until the method sends its first formula
  rl->addWidget(formula_box_, 2);
  prediction_ = new ViewGrid;
  prediction_->setObjectName(QStringLiteral("prediction"));
  prediction_note_ = new QLabel;
  prediction_note_->setWordWrap(true);
  prediction_box_ = boxed(tr("What the task predicts (fixed probe images)"), prediction_,
                          tr("The pretext task on a few fixed images, refreshed at each diagnostic step: what the "
                             "network saw, the target, and its prediction. It sharpens as the network learns."));
  prediction_box_->layout()->addWidget(prediction_note_);
  prediction_box_->hide();  // until a pretext task sends its first picture
  rl->addWidget(prediction_box_, 3);
  auto* emb = boxed(tr("Embeddings (PCA, coloured by label)"), scatter_,
                    tr("The held-out images' features projected on their first two principal components, after the "
                       "run. Classes that form separate clusters were learned without their labels."));
  emb->layout()->addWidget(probe_);
  rl->addWidget(emb, 3);
  return right;
}

// Engine events, queued onto this thread by the controller, drive the plots.
void TrainPage::connectController() {
  connect(controller_, &TrainingController::preparing, this, [this] {
    setRunning(true);  // also for runs started elsewhere (resume from the runs page)
    clearForNewRun();
  });
  connect(controller_, &TrainingController::runStarted, this,
          [this](qint64 run, const QString&, qint64) { showStoredHistory(run); });
  connect(controller_, &TrainingController::baselineReady, this,
          [this](qint64, const QString& baseline, const QString& scope, double acc) {
            const QString name = baseline == "raw_pixels" ? tr("raw pixels") : tr("untrained network");
            if (scope == "online") knn_->setReferenceLine(100 * acc, name);
            else final_baselines_[name] = acc;
          });
  connect(controller_, &TrainingController::stepDone, this,
          [this](qint64, qint64 step, qint64 total, int, double loss, double lr, double ips, double) {
            onStep(step, total, loss, lr, ips);
          });
  connect(controller_, &TrainingController::lossComponents, this,
          [this](qint64, qint64 step, const QStringList& names, const QVector<double>& values) {
            // A single term is the total itself; several (VICReg, SwAV...) are drawn beside it.
            if (names.size() < 2) return;
            for (int i = 0; i < names.size(); ++i) loss_->addPoint(names[i], double(step), values[i]);
          });
  connect(controller_, &TrainingController::diagnostics, this,
          [this](qint64, const DiagnosticsEvent& e) { onDiagnostics(e); });
  connect(controller_, &TrainingController::preview, this, [this](qint64, const PreviewEvent& e) { showPrediction(e); });
  connect(controller_, &TrainingController::formula, this, [this](qint64, const FormulaEvent& e) {
    formula_->setFormula(e);
    formula_box_->show();
  });
  connect(controller_, &TrainingController::probeDone, this,
          [this](qint64, const QString& kind, int k, double acc, qint64 n) {
            if (kind == "knn") showKnnProbe(k, acc, n);  // the label reads the kNN probe against its baselines
          });
  connect(controller_, &TrainingController::projectionReady, this,
          [this](qint64, const QVector<QPointF>& p, const QVector<int>& l, const QStringList& names) {
            scatter_->setPoints(p, l, names);
          });
  connect(controller_, &TrainingController::runFinished, this, [this](qint64 run, const QString& status, const QString&) {
    setRunning(false);
    loss_->replotNow();
    Q_EMIT runEnded(run, status);
  });
}

void TrainPage::clearForNewRun() {
  prediction_box_->hide();
  formula_box_->hide();
  loss_->clear();
  lr_plot_->clear();
  speed_->clear();
  zstd_->clear();
  rank_->clear();
  align_->clear();
  knn_->clear();
  monitors_->clear();
  setMonitorsShown(false);  // until the method reports something to watch
  scatter_->clear();
  hist_->setSeries({});
  corr_->clear();
  warning_->hide();
  best_rank_ = 0;
  final_baselines_.clear();
  probe_->setText(tr("kNN probe: after the run"));
}

void TrainPage::showStoredHistory(qint64 run) {
  std::vector<MetricSeries> stored;
  try {
    Store store(state_->dbPath().toStdString(), /*read_only=*/true);
    if (const auto r = store.run(run)) {
      TrainConfig c = stored_config(*r);
      applyConfig(c);  // the form shows the run that trains, also when it was resumed
    }
    for (const char* name : {metric::kLoss, metric::kLearningRate, metric::kImagesPerSecond})
      stored.push_back(metric_series(store, {run}, name).front());
  } catch (const std::exception&) {
    return;  // a new database, or one the writer holds: the plots fill from the events
  }
  // A resumed run: its curves so far, up to the checkpoint it continues from.
  const auto as_qt = [](const MetricSeries& s) {
    return std::pair(QVector<double>(s.steps.begin(), s.steps.end()), QVector<double>(s.values.begin(), s.values.end()));
  };
  if (!stored[0].steps.empty()) {
    const auto [x, y] = as_qt(stored[0]);
    loss_->setSeries(tr("total"), x, y);
  }
  if (!stored[1].steps.empty()) {
    const auto [x, y] = as_qt(stored[1]);
    lr_plot_->setSeries(x, y);
  }
  if (!stored[2].steps.empty()) {
    const auto [x, y] = as_qt(stored[2]);
    speed_->setSeries(x, y);
  }
}

void TrainPage::showKnnProbe(int k, double accuracy, qint64 queries) {
  QStringList against;
  for (auto it = final_baselines_.begin(); it != final_baselines_.end(); ++it)
    against << tr("%1 %2 %").arg(it.key()).arg(100 * it.value(), 0, 'f', 1);
  // The story of the run in one line: what it gained over the same network untrained, and where it
  // stands against the raw pixels.
  const QString learned = QString::fromStdString(describe_learning(
      accuracy, final_baselines_.value(tr("untrained network"), -1), final_baselines_.value(tr("raw pixels"), -1)));
  probe_->setText(tr("kNN probe (k=%1): <b>%2 %</b> on %3 held-out images").arg(k).arg(100 * accuracy, 0, 'f', 1).arg(queries) +
                  (learned.isEmpty() ? QString() : "<br><b>" + learned.toHtmlEscaped() + "</b>") +
                  (against.isEmpty() ? QString() : "<br>" + tr("without learning: %1").arg(against.join(", "))));
}

QDoubleSpinBox* TrainPage::buildTimeBudget() {
  budget_ = new QDoubleSpinBox;
  budget_->setRange(0, 100000);
  budget_->setDecimals(1);
  budget_->setSingleStep(0.5);
  budget_->setSuffix(tr(" min"));
  budget_->setSpecialValueText(tr("off"));
  budget_->setToolTip(tr("Train for this long: the learning rate warms up and decays over the time, so the run ends "
                         "with a completed schedule however fast this machine is. Steps, if set, still cap it."));
  return budget_;
}

void TrainPage::addProbeControls(QFormLayout* form) {
  probe_every_ = new QSpinBox;
  probe_every_->setRange(0, 1000000);
  probe_every_->setSingleStep(50);
  probe_every_->setSpecialValueText(tr("at the end"));
  probe_every_->setSuffix(tr(" steps"));
  probe_every_->setToolTip(tr("Run the full kNN probe (and the probes checked below) every this many steps, "
                              "not only when the run ends. Each result is stored with its step."));
  form->addRow(tr("Probe every"), probe_every_);
  // A check box per probe of the probes table besides the kNN, which always runs.
  for (const auto& kind : probe_kinds()) {
    if (kind.name == "knn") continue;
    auto* box = new QCheckBox(tr("%1 probe too").arg(QString::fromStdString(kind.title)));
    box->setToolTip(QString::fromStdString(kind.help));
    form->addRow(QString(), box);
    extra_probes_.emplace_back(kind.name, box);
  }
}

// The launcher: one form, built as its groups of rows, then filled with the defaults and wired.
void TrainPage::buildLauncher(QWidget* host) {
  auto* form = new QFormLayout(host);
  addRecipeRows(form);
  addScheduleRows(form);
  addProbeControls(form);
  addParameterTable(form);
  addRunControls(form);
  TrainConfig defaults;
  defaults.epochs = 3;
  applyConfig(defaults);
  setRunning(false);
  connectLauncher();
}

// Preset (and its note), method, backbone, pipeline.
void TrainPage::addRecipeRows(QFormLayout* form) {
  preset_ = new QComboBox;
  preset_->setObjectName(QStringLiteral("preset"));
  preset_->addItem(tr("Custom"));
  for (const auto& p : run_presets()) preset_->addItem(QString::fromStdString(p.title));
  preset_->setToolTip(tr("A tested recipe (the same as pretext-cli train --preset). Editing one of its fields "
                         "makes the run Custom."));
  form->addRow(tr("Preset"), preset_);
  preset_note_ = new QLabel;
  preset_note_->setWordWrap(true);
  preset_note_->hide();
  form->addRow(preset_note_);
  method_ = new QComboBox;
  method_->setObjectName(QStringLiteral("method"));
  fillMethodList(method_);
  method_->setToolTip(tr("The self-supervised objective. Its published hyper-parameters fill the table below."));
  form->addRow(tr("Method"), method_);
  backbone_ = new QComboBox;
  backbone_->addItem(QStringLiteral("auto"));
  backbone_->setToolTip(tr("auto: the method's default (a ViT for MAE and BEiT, else the narrow ResNet)"));
  for (const auto& b : backbone_names()) backbone_->addItem(QString::fromStdString(b));
  form->addRow(tr("Backbone"), backbone_);
  pipeline_label_ = new QLabel(tr("method default"));
  form->addRow(tr("Pipeline"), pipeline_label_);
}

// How long and how: epochs, steps, time budget, batch, images, optimizer, learning rate, device, seed.
void TrainPage::addScheduleRows(QFormLayout* form) {
  epochs_ = new QSpinBox;
  epochs_->setRange(1, 100000);
  epochs_->setToolTip(tr("Passes over the images. Steps or a time budget, when set, decide instead."));
  form->addRow(tr("Epochs"), epochs_);
  steps_ = new QSpinBox;
  steps_->setRange(0, 10000000);
  steps_->setSpecialValueText(tr("from epochs"));
  steps_->setToolTip(tr("Optimiser steps (one batch each). Caps a timed run too."));
  form->addRow(tr("Steps"), steps_);
  form->addRow(tr("Time budget"), buildTimeBudget());
  batch_ = new QSpinBox;
  batch_->setRange(2, 8192);
  batch_->setToolTip(tr("Images per step (each seen as two views). Contrastive methods gain from larger batches "
                        "(more negatives); on a CPU, 128-256 keeps steps short."));
  form->addRow(tr("Batch"), batch_);
  limit_ = new QSpinBox;
  limit_->setRange(0, 10000000);
  limit_->setSpecialValueText(tr("all images"));
  limit_->setToolTip(tr("Train on at most this many images of the dataset (evenly spread over it)."));
  form->addRow(tr("Images"), limit_);
  optimizer_ = new QComboBox;
  optimizer_->addItem(QStringLiteral("auto"));
  for (const auto& o : optimizer_names()) optimizer_->addItem(QString::fromStdString(o));
  optimizer_->setToolTip(tr("auto: the method's published optimizer"));
  form->addRow(tr("Optimizer"), optimizer_);
  lr_ = new QDoubleSpinBox;
  lr_->setDecimals(5);
  lr_->setRange(0, 10);
  lr_->setSingleStep(0.01);
  lr_->setSpecialValueText(tr("auto"));
  lr_->setToolTip(tr("Peak learning rate. auto: the method's base_lr (in the table below) × batch / 256."));
  form->addRow(tr("Learning rate"), lr_);
  device_ = new QComboBox;
  for (const auto& d : device_choices()) device_->addItem(QString::fromStdString(d));
  device_->setToolTip(tr("auto: the GPU when there is one (here: %1), else the CPU.")
                          .arg(QString::fromStdString(describe_device(resolve_device("auto")))));
  form->addRow(tr("Device"), device_);
  seed_ = new QSpinBox;
  seed_->setRange(0, 1 << 30);
  seed_->setToolTip(tr("Seeds the weights, the augmentations and the image order: the same seed and config "
                       "reproduce a run."));
  form->addRow(tr("Seed"), seed_);
}

// The method's hyper-parameters, its published defaults editable.
void TrainPage::addParameterTable(QFormLayout* form) {
  params_ = new QTableWidget(0, 2);
  params_->setHorizontalHeaderLabels({tr("Hyper-parameter"), tr("Value")});
  params_->horizontalHeader()->setStretchLastSection(true);
  params_->verticalHeader()->hide();
  params_->setMinimumHeight(120);
  form->addRow(params_);
}

// Start, Pause, Stop, and what the run will take.
void TrainPage::addRunControls(QFormLayout* form) {
  start_ = new QPushButton(tr("Start"));
  start_->setObjectName(QStringLiteral("startButton"));
  pause_ = new QPushButton(tr("Pause"));
  pause_->setCheckable(true);
  stop_ = new QPushButton(tr("Stop"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_);
  buttons->addWidget(pause_);
  buttons->addWidget(stop_);
  form->addRow(buttons);
  estimate_ = new QLabel;
  estimate_->setWordWrap(true);
  estimate_->setToolTip(tr("Before the run: its time budget, or its steps at the speed the latest run of the same "
                           "method, backbone, batch and device reached in this workspace. During the run the status "
                           "bar shows the ETA and the memory in use."));
  form->addRow(estimate_);
}

void TrainPage::connectLauncher() {
  // The launcher's column is at most 340 px: combo boxes with long entries (preset titles) shrink to
  // it and show the whole text in their pop-up.
  for (QComboBox* box : {preset_, method_, backbone_, optimizer_, device_}) {
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(8);
  }
  connect(preset_, &QComboBox::currentIndexChanged, this, &TrainPage::applyPreset);
  watchForCustomEdits();
  connect(method_, &QComboBox::currentTextChanged, this, [this] {
    fillMethodParams();
    refreshViews();
  });
  connect(start_, &QPushButton::clicked, this, &TrainPage::start);
  connect(pause_, &QPushButton::toggled, this, [this](bool on) {
    controller_->setPaused(on);
    pause_->setText(on ? tr("Resume") : tr("Pause"));
  });
  connect(stop_, &QPushButton::clicked, this, [this] {
    stop_->setEnabled(false);
    controller_->stop();  // after the current step; the run is still evaluated
  });
}

void TrainPage::togglePause() {
  if (pause_->isEnabled()) pause_->toggle();
}

void TrainPage::stop() {
  if (stop_->isEnabled()) stop_->click();
}

void TrainPage::applyPreset(int index) {
  showPresetNote(index);
  if (index <= 0 || applying_) return;  // "Custom" keeps the form as it is
  TrainConfig defaults;
  defaults.seed = static_cast<uint64_t>(seed_->value());
  applyConfig(with_run_preset(defaults, run_presets().at(static_cast<size_t>(index - 1)),
                              [](const std::string&) { return false; }));
}

void TrainPage::showPresetNote(int index) {
  if (index <= 0) {
    preset_note_->hide();
    return;
  }
  const RunPreset& p = run_presets().at(static_cast<size_t>(index - 1));
  QString note = QString::fromStdString(p.summary);
  if (p.expects_gpu && resolve_device("auto") == "cpu")
    note = tr("<b>This recipe expects a GPU and this machine has none:</b> it would take days here. ") + note;
  preset_note_->setText(note);
  preset_note_->show();
}

void TrainPage::watchForCustomEdits() {
  const auto edited = [this] {
    if (applying_ || preset_->currentIndex() == 0) return;
    const QSignalBlocker quiet(preset_);
    preset_->setCurrentIndex(0);
    showPresetNote(0);
    base_.preset.clear();
  };
  for (QComboBox* box : {method_, backbone_, optimizer_, device_}) connect(box, &QComboBox::currentTextChanged, this, edited);
  for (QSpinBox* box : {epochs_, steps_, batch_, limit_})
    connect(box, qOverload<int>(&QSpinBox::valueChanged), this, edited);
  for (QDoubleSpinBox* box : {lr_, budget_}) connect(box, qOverload<double>(&QDoubleSpinBox::valueChanged), this, edited);
  connect(params_, &QTableWidget::itemChanged, this, edited);
  for (QComboBox* box : {method_, backbone_, device_}) connect(box, &QComboBox::currentTextChanged, this, &TrainPage::showEstimate);
  for (QSpinBox* box : {epochs_, steps_, batch_, limit_})
    connect(box, qOverload<int>(&QSpinBox::valueChanged), this, &TrainPage::showEstimate);
  connect(budget_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &TrainPage::showEstimate);
}

namespace {

QString duration_text(double seconds) {
  if (seconds < 90) return QObject::tr("%1 s").arg(seconds, 0, 'f', 0);
  if (seconds < 5400) return QObject::tr("%1 min").arg(seconds / 60, 0, 'f', 1);
  if (seconds < 2 * 86400) return QObject::tr("%1 h").arg(seconds / 3600, 0, 'f', 1);
  return QObject::tr("%1 days").arg(seconds / 86400, 0, 'f', 1);
}

// Images per second of the latest run in the workspace with this method, backbone, batch and
// device (0 when there is none, or the workspace cannot be read).
double earlier_speed(const QString& db, const TrainConfig& c) {
  try {
    Store store(db.toStdString(), /*read_only=*/true);
    const auto runs = store.runs();
    for (auto r = runs.rbegin(); r != runs.rend(); ++r) {
      if (r->method != c.method || r->backbone != c.backbone || r->device != c.device) continue;
      if (stored_config(*r).batch != c.batch) continue;
      for (const auto& m : store.last_metrics(r->id))
        if (m.name == metric::kImagesPerSecond && m.value > 0) return m.value;
    }
  } catch (const std::exception&) {
  }
  return 0;
}

}  // namespace

void TrainPage::showEstimate() {
  if (applying_) return;
  TrainConfig c;
  try {
    c = resolve_config(config());
  } catch (const std::exception&) {
    estimate_->clear();
    return;
  }
  c.device = resolve_device(c.device);
  if (c.time_budget_s > 0) {
    estimate_->setText(tr("Duration: %1 of training (its time budget), then the end-of-run probe.")
                           .arg(duration_text(c.time_budget_s)));
    return;
  }
  const auto set = state_->sample();
  const double images = c.limit > 0 ? double(c.limit) : set ? double(set->size()) : 0;
  const double steps = c.steps > 0 ? double(c.steps) : c.epochs * std::ceil(images / c.batch);
  const double speed = earlier_speed(state_->dbPath(), c);
  const QString what = tr("%1 on %2, batch %3, %4").arg(QString::fromStdString(c.method), QString::fromStdString(c.backbone))
                           .arg(c.batch).arg(QString::fromStdString(c.device));
  if (steps <= 0) {
    estimate_->clear();
  } else if (speed > 0) {
    estimate_->setText(tr("Duration: about %1 (%2 steps at %3 img/s, the speed of the latest %4 here).")
                           .arg(duration_text(steps * c.batch / speed)).arg(steps, 0, 'f', 0).arg(speed, 0, 'f', 0).arg(what));
  } else {
    estimate_->setText(tr("Duration: %1 steps; no run of %2 here yet, so the speed shows after the first steps.")
                           .arg(steps, 0, 'f', 0).arg(what));
  }
}

void TrainPage::applyConfig(const TrainConfig& c) {
  const bool nested = applying_;
  applying_ = true;
  base_ = c;
  method_->setCurrentText(QString::fromStdString(c.method));
  backbone_->setCurrentText(QString::fromStdString(c.backbone));
  epochs_->setValue(c.epochs);
  steps_->setValue(static_cast<int>(c.steps));
  batch_->setValue(c.batch);
  limit_->setValue(static_cast<int>(c.limit));
  lr_->setValue(c.lr);
  device_->setCurrentText(QString::fromStdString(c.device));
  seed_->setValue(static_cast<int>(c.seed));
  budget_->setValue(c.time_budget_s / 60.0);
  probe_every_->setValue(static_cast<int>(c.probe_every));
  for (const auto& [name, box] : extra_probes_)
    box->setChecked(std::find(c.probes.begin(), c.probes.end(), name) != c.probes.end());
  optimizer_->setCurrentText(QString::fromStdString(c.optimizer));
  fillMethodParams();
  for (int r = 0; r < params_->rowCount(); ++r) {
    const std::string key = params_->item(r, 0)->text().toStdString();
    if (c.method_params.contains(key)) params_->item(r, 1)->setText(QString::fromStdString(c.method_params[key].dump()));
  }
  int preset_index = 0;
  const auto& presets = run_presets();
  for (size_t i = 0; i < presets.size(); ++i)
    if (presets[i].name == c.preset) preset_index = static_cast<int>(i) + 1;
  preset_->setCurrentIndex(preset_index);
  showPresetNote(preset_index);
  applying_ = nested;
  refreshViews();
  showEstimate();
}

void TrainPage::fillMethodParams() {
  params_->setRowCount(0);
  try {
    const MethodInfo& m = method_info(method_->currentText().toStdString());
    for (auto it = m.defaults.begin(); it != m.defaults.end(); ++it) {
      const int r = params_->rowCount();
      params_->insertRow(r);
      params_->setItem(r, 0, readonly_item(QString::fromStdString(it.key())));
      params_->setItem(r, 1, new QTableWidgetItem(QString::fromStdString(it.value().dump())));
    }
  } catch (const std::exception&) {
  }
}

TrainConfig TrainPage::config() const {
  TrainConfig c = base_;
  c.data = state_->dataPath().toStdString();
  c.method = method_->currentText().toStdString();
  if (c.method != base_.method) {  // the recipe's pipeline and learning rates were the other method's
    const TrainConfig defaults;
    c.pipeline = defaults.pipeline;
    c.pipeline_json = defaults.pipeline_json;
    c.base_lr = defaults.base_lr;
    c.weight_decay = defaults.weight_decay;
  }
  c.method_params = nlohmann::json::object();
  c.data_fingerprint.clear();
  c.backbone = backbone_->currentText().toStdString();
  c.epochs = epochs_->value();
  c.steps = steps_->value();
  c.batch = batch_->value();
  c.limit = static_cast<size_t>(limit_->value());
  c.lr = lr_->value();
  c.optimizer = optimizer_->currentText().toStdString();
  c.device = device_->currentText().toStdString();
  c.seed = static_cast<uint64_t>(seed_->value());
  // The box shows tenths of a minute: a budget it only rounded for display (a preset's 170 s reads
  // 2.8 min) is kept to the second; one the user typed is taken as typed.
  const double shown_s = budget_->value() * 60.0;
  c.time_budget_s = std::abs(shown_s - base_.time_budget_s) <= 3.0 ? base_.time_budget_s : shown_s;
  c.probe_every = probe_every_->value();
  c.probes = {"knn"};
  for (const auto& [name, box] : extra_probes_)
    if (box->isChecked()) c.probes.push_back(name);
  if (!state_->pipelineJson().isEmpty()) c.pipeline_json = nlohmann::json::parse(state_->pipelineJson().toStdString());
  const MethodInfo& m = method_info(c.method);
  for (int r = 0; r < params_->rowCount(); ++r) {
    const std::string key = params_->item(r, 0)->text().toStdString();
    const std::string text = params_->item(r, 1)->text().toStdString();
    // Only values that differ from the defaults are stored as overrides.
    const auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!value.is_discarded() && (!m.defaults.contains(key) || m.defaults[key] != value)) c.method_params[key] = value;
  }
  return c;
}

void TrainPage::start() {
  if (controller_->isRunning() || state_->dataPath().isEmpty()) return;
  const TrainConfig cfg = config();
  try {
    resolve_config(cfg);  // the message pretext-cli gives for the same config
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Cannot start this run"), QString::fromStdString(e.what()));
    return;
  }
  setRunning(true);
  controller_->start(cfg, state_->dbPath());
}

void TrainPage::setRunning(bool running) {
  start_->setEnabled(!running && !state_->dataPath().isEmpty());
  pause_->setEnabled(running);
  stop_->setEnabled(running);
  if (!running) {
    pause_->setChecked(false);
  }
  for (QWidget* w : std::initializer_list<QWidget*>{preset_, method_, backbone_, epochs_, steps_, batch_, limit_,
                                                    optimizer_, lr_, device_, seed_, probe_every_, budget_, params_})
    w->setEnabled(!running);
  for (const auto& [name, box] : extra_probes_) box->setEnabled(!running);
}

std::optional<TrainPage::RunPipeline> TrainPage::runPipeline() const {
  try {
    if (!state_->pipelineJson().isEmpty()) {
      const auto doc = nlohmann::json::parse(state_->pipelineJson().toStdString());
      return RunPipeline{tr("from the studio: %1").arg(QString::fromStdString(doc.value("name", "custom"))), doc};
    }
    const TrainConfig c = config();  // the recipe's pipeline survives only while its method is chosen
    if (c.pipeline_json.is_object()) return RunPipeline{tr("the recipe's"), c.pipeline_json};
    if (!c.pipeline.empty()) return RunPipeline{QString::fromStdString(c.pipeline), Pipeline::load(c.pipeline).to_json()};
    const std::string name = method_info(c.method).pipeline;
    return RunPipeline{tr("method default (%1)").arg(QString::fromStdString(name)), Pipeline::load(name).to_json()};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void TrainPage::refreshViews() {
  const auto pipeline = runPipeline();
  pipeline_label_->setText(pipeline ? pipeline->label : tr("cannot be read"));
  auto set = state_->sample();
  if (!set || !pipeline) return;
  views_watcher_.setFuture(QtConcurrent::run([set, doc = pipeline->document] {
    const Pipeline p = Pipeline::from_json(doc);
    QVector<QVector<QImage>> rows;
    for (size_t i : spread_indices(set->size(), 3)) {
      const cv::Mat img = image_mat(*set, i);
      QVector<QImage> row{to_qimage(img)};
      for (size_t v = 0; v < 2; ++v) row.push_back(to_qimage(p.apply(img, v, 0, int64_t(i), 0).image));
      rows.push_back(row);
    }
    return rows;
  }));
}

void TrainPage::onStep(qint64 step, qint64, double loss, double lr, double ips) {
  loss_->addPoint(tr("total"), double(step), loss);
  lr_plot_->addPoint(double(step), lr);
  speed_->addPoint(double(step), ips);
}

void TrainPage::setPresentation(bool on) { launcher_column_->setVisible(!on); }

void TrainPage::setMonitorsShown(bool shown) {
  // The correlation heat map takes the monitors' cell when a method has none.
  diag_grid_->removeWidget(corr_box_);
  diag_grid_->addWidget(corr_box_, 2, 2, 1, shown ? 1 : 2);
  monitors_box_->setVisible(shown);
}

// Grid rows are images (at most four, so the cells stay large), columns the picture's rows (input,
// target, prediction); the note says the step, the task's accuracy and the per-image captions.
void TrainPage::showPrediction(const PreviewEvent& e) {
  const int images = e.rows.empty() ? 0 : std::min<int>(4, int(e.rows.front().size()));
  QVector<QVector<QImage>> grid(images);
  for (int i = 0; i < images; ++i)
    for (const auto& row : e.rows)
      grid[i].push_back(QImage(row[size_t(i)].data(), e.width, e.height, 3 * e.width, QImage::Format_RGB888).copy());
  QStringList titles;
  for (const auto& t : e.row_titles) titles << QString::fromStdString(t);
  prediction_->setRows(grid, titles);
  QStringList note{tr("step %1").arg(e.step)};
  if (e.score >= 0) note << QStringLiteral("%1 %2 %").arg(QString::fromStdString(e.score_name)).arg(100 * e.score, 0, 'f', 1);
  for (int i = 0; i < images && i < int(e.captions.size()); ++i)
    note << tr("image %1: %2").arg(i + 1).arg(QString::fromStdString(e.captions[size_t(i)]));
  prediction_note_->setText(note.join(QStringLiteral(" · ")));
  prediction_box_->show();
}

void TrainPage::onDiagnostics(const DiagnosticsEvent& e) {
  const double x = double(e.step);
  zstd_->addPoint(x, e.z_std);
  zstd_->setReferenceLine(e.z_std_healthy, tr("healthy"));
  rank_->addPoint(x, e.rankme);
  align_->addPoint(tr("alignment"), x, e.alignment);
  align_->addPoint(tr("uniformity"), x, e.uniformity);
  hist_->setSeries({{tr("positive pairs"), QVector<double>(e.positive_hist.begin(), e.positive_hist.end())},
                    {tr("negative pairs"), QVector<double>(e.negative_hist.begin(), e.negative_hist.end())}});
  corr_->setMatrix(e.corr_dim, QVector<float>(e.cross_corr.begin(), e.cross_corr.end()));
  if (e.online_knn >= 0) knn_->addPoint(x, 100 * e.online_knn);
  if (!e.extra.empty() && monitors_box_->isHidden()) setMonitorsShown(true);
  for (const auto& [name, value] : e.extra) monitors_->addPoint(QString::fromStdString(name), x, value);
  best_rank_ = std::max(best_rank_, e.rankme);
  // Collapse shows first as embeddings bunching up (z-std far below 1/sqrt(d)) or losing dimensions.
  QStringList why;
  if (e.z_std < 0.2 * e.z_std_healthy) why << tr("z-std %1 is far below the healthy %2").arg(e.z_std, 0, 'g', 3).arg(e.z_std_healthy, 0, 'g', 3);
  if (best_rank_ > 4 && e.rankme < 0.25 * best_rank_) why << tr("effective rank fell from %1 to %2").arg(best_rank_, 0, 'f', 1).arg(e.rankme, 0, 'f', 1);
  warning_->setVisible(!why.isEmpty());
  if (!why.isEmpty()) warning_->setText(tr("Possible collapse at step %1: %2").arg(e.step).arg(why.join("; ")));
}

}  // namespace pretext
