#include "app/gui/main_window.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QTreeWidget>
#include <QtConcurrent>

#include "app/gui/image_convert.h"
#include "app/gui/training_controller.h"
#include "engine/augment/pipeline.h"
#include "engine/data/image_mat.h"
#include "engine/methods/method_info.h"
#include "engine/store/store.h"
#include "widgets/curve_plot.h"
#include "widgets/scatter_plot.h"
#include "widgets/view_grid.h"

namespace pretext {
namespace {
constexpr int kPreviewImages = 4;
constexpr size_t kPreviewPool = 512;  // images decoded for the preview; training loads its own
}  // namespace

MainWindow::MainWindow(const WindowOptions& options, QWidget* parent)
    : QMainWindow(parent), opt_(options), controller_(new TrainingController(this)) {
  buildUi();
  connect(&load_watcher_, &QFutureWatcherBase::finished, this, [this] {
    try {
      preview_set_ = load_watcher_.result();
    } catch (const std::exception& e) {
      appendLog(tr("Cannot open dataset: %1").arg(e.what()));
      data_label_->setText(tr("no dataset"));
      return;
    }
    data_label_->setText(tr("%1 preview images, %2x%3x%4, %5 classes, %6 bad files")
                             .arg(preview_set_->size())
                             .arg(preview_set_->width)
                             .arg(preview_set_->height)
                             .arg(preview_set_->channels)
                             .arg(preview_set_->class_names.size())
                             .arg(preview_set_->bad.size()));
    start_button_->setEnabled(!controller_->isRunning());
    refreshPreview();
    if (opt_.autostart) {
      opt_.autostart = false;
      startTraining();
    } else if (!opt_.screenshot.isEmpty()) {
      saveScreenshotLater();
    }
  });
  connect(&preview_watcher_, &QFutureWatcherBase::finished, this, [this] {
    view_grid_->setRows(preview_watcher_.result(), {tr("original"), tr("view 1"), tr("view 2")});
  });

  connect(controller_, &TrainingController::runStarted, this, [this](qint64 run, const QString& device, qint64 total) {
    current_run_ = run;
    device_label_->setText(tr("Device: %1").arg(device));
    progress_->setRange(0, static_cast<int>(total));
    progress_->setValue(0);
    appendLog(tr("Run %1 started on %2 (%3 steps)").arg(run).arg(device).arg(total));
    refreshRuns();
  });
  connect(controller_, &TrainingController::stepDone, this,
          [this](qint64, qint64 step, qint64 total, int epoch, double loss, double lr, double ips, double eta) {
            loss_plot_->addPoint(double(step), loss);
            progress_->setValue(static_cast<int>(step));
            progress_->setFormat(tr("step %1/%2  epoch %3  loss %4  %5 img/s  ETA %6 s")
                                     .arg(step).arg(total).arg(epoch + 1).arg(loss, 0, 'f', 3)
                                     .arg(ips, 0, 'f', 0).arg(eta, 0, 'f', 0));
            (void)lr;
          });
  connect(controller_, &TrainingController::probeDone, this,
          [this](qint64, const QString& kind, int k, double acc, qint64 queries) {
            probe_label_->setText(tr("%1 (k=%2): %3 %").arg(kind).arg(k).arg(100 * acc, 0, 'f', 1));
            appendLog(tr("%1 probe: %2 % on %3 held-out images").arg(kind).arg(100 * acc, 0, 'f', 2).arg(queries));
          });
  connect(controller_, &TrainingController::projectionReady, this,
          [this](qint64, const QVector<QPointF>& pts, const QVector<int>& labels, const QStringList& names) {
            scatter_->setPoints(pts, labels, names);
          });
  connect(controller_, &TrainingController::logMessage, this, [this](int, const QString& t) { appendLog(t); });
  connect(controller_, &TrainingController::runFinished, this,
          [this](qint64 run, const QString& status, const QString& message) {
            appendLog(tr("Run %1 %2 %3").arg(run).arg(status, message));
            setRunning(false);
            loss_plot_->replotNow();
            refreshRuns();
            if (!opt_.screenshot.isEmpty()) saveScreenshotLater();
          });

  refreshRuns();
  if (!opt_.data.isEmpty()) openDataset(opt_.data);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi() {
  setWindowTitle(tr("Pretext — self-supervised learning workbench"));

  // Run setup.
  auto* setup = new QGroupBox(tr("Run"));
  auto* form = new QFormLayout(setup);
  data_edit_ = new QLineEdit(opt_.data);
  data_edit_->setPlaceholderText(tr("folder of images or IDX file"));
  auto* browse = new QPushButton(tr("Open…"));
  auto* data_row = new QHBoxLayout;
  data_row->addWidget(data_edit_, 1);
  data_row->addWidget(browse);
  form->addRow(tr("Data"), data_row);
  data_label_ = new QLabel(tr("no dataset"));
  data_label_->setWordWrap(true);
  form->addRow(QString(), data_label_);
  method_box_ = new QComboBox;
  for (const auto& m : method_infos()) method_box_->addItem(QString::fromStdString(m.name));
  method_box_->setCurrentText(opt_.method);
  form->addRow(tr("Method"), method_box_);
  backbone_box_ = new QComboBox;
  for (const auto& b : backbone_names()) backbone_box_->addItem(QString::fromStdString(b));
  form->addRow(tr("Backbone"), backbone_box_);
  epochs_spin_ = new QSpinBox;
  epochs_spin_->setRange(1, 10000);
  epochs_spin_->setValue(opt_.epochs);
  form->addRow(tr("Epochs"), epochs_spin_);
  batch_spin_ = new QSpinBox;
  batch_spin_->setRange(2, 4096);
  batch_spin_->setValue(128);
  form->addRow(tr("Batch"), batch_spin_);
  seed_spin_ = new QSpinBox;
  seed_spin_->setRange(0, 1 << 30);
  form->addRow(tr("Seed"), seed_spin_);
  start_button_ = new QPushButton(tr("Start"));
  stop_button_ = new QPushButton(tr("Stop"));
  start_button_->setEnabled(false);
  stop_button_->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_button_);
  buttons->addWidget(stop_button_);
  form->addRow(buttons);

  runs_ = new QTreeWidget;
  runs_->setHeaderLabels({tr("Run"), tr("Method"), tr("Status"), tr("kNN")});
  runs_->setRootIsDecorated(false);
  runs_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  auto* runs_box = new QGroupBox(tr("Runs"));
  (new QVBoxLayout(runs_box))->addWidget(runs_);

  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  left_layout->addWidget(setup);
  left_layout->addWidget(runs_box, 1);

  // Preview, loss and embeddings.
  auto* preview_box = new QGroupBox(tr("Augmentation preview (two views)"));
  auto* preview_layout = new QVBoxLayout(preview_box);
  view_grid_ = new ViewGrid;
  auto* reseed = new QPushButton(tr("Reseed"));
  preview_layout->addWidget(view_grid_, 1);
  preview_layout->addWidget(reseed, 0, Qt::AlignRight);
  auto* loss_box = new QGroupBox(tr("Training loss"));
  loss_plot_ = new CurvePlot(tr("loss"));
  (new QVBoxLayout(loss_box))->addWidget(loss_plot_);
  auto* scatter_box = new QGroupBox(tr("Embeddings (PCA, coloured by label)"));
  scatter_ = new ScatterPlot;
  (new QVBoxLayout(scatter_box))->addWidget(scatter_);
  log_ = new QPlainTextEdit;
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(2000);
  auto* log_box = new QGroupBox(tr("Log"));
  (new QVBoxLayout(log_box))->addWidget(log_);

  auto* top = new QSplitter(Qt::Horizontal);
  top->addWidget(preview_box);
  top->addWidget(loss_box);
  top->setStretchFactor(1, 2);
  auto* bottom = new QSplitter(Qt::Horizontal);
  bottom->addWidget(scatter_box);
  bottom->addWidget(log_box);
  bottom->setStretchFactor(0, 2);
  auto* right = new QSplitter(Qt::Vertical);
  right->addWidget(top);
  right->addWidget(bottom);
  auto* main = new QSplitter(Qt::Horizontal);
  main->addWidget(left);
  main->addWidget(right);
  main->setStretchFactor(1, 1);
  setCentralWidget(main);

  device_label_ = new QLabel(tr("Device: chosen when a run starts"));
  probe_label_ = new QLabel;
  progress_ = new QProgressBar;
  progress_->setTextVisible(true);
  progress_->setMinimumWidth(380);
  statusBar()->addWidget(device_label_);
  statusBar()->addWidget(probe_label_);
  statusBar()->addPermanentWidget(progress_);
  resize(1280, 820);

  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a folder of images"), data_edit_->text());
    if (!dir.isEmpty()) openDataset(dir);
  });
  connect(data_edit_, &QLineEdit::returnPressed, this, [this] { openDataset(data_edit_->text()); });
  connect(reseed, &QPushButton::clicked, this, [this] {
    ++preview_seed_;
    refreshPreview();
  });
  connect(method_box_, &QComboBox::currentTextChanged, this, [this] { refreshPreview(); });
  connect(start_button_, &QPushButton::clicked, this, &MainWindow::startTraining);
  connect(stop_button_, &QPushButton::clicked, this, [this] {
    stop_button_->setEnabled(false);
    appendLog(tr("Stopping after the current step…"));
    controller_->stop();
  });
  connect(runs_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (item && !controller_->isRunning()) showStoredRun(item->data(0, Qt::UserRole).toLongLong());
  });
}

void MainWindow::openDataset(const QString& path) {
  data_edit_->setText(path);
  data_label_->setText(tr("loading…"));
  const std::string p = path.toStdString();
  // Decoding runs on a worker: the window never waits on the disk.
  load_watcher_.setFuture(QtConcurrent::run([p]() -> std::shared_ptr<const ImageSet> {
    LoadOptions o;
    o.limit = kPreviewPool;
    return std::make_shared<const ImageSet>(load_images(p, o));
  }));
}

void MainWindow::refreshPreview() {
  if (!preview_set_) return;
  auto set = preview_set_;
  const std::string method = method_box_->currentText().toStdString();
  const quint64 seed = preview_seed_;
  preview_watcher_.setFuture(QtConcurrent::run([set, method, seed] {
    const Pipeline pipeline = Pipeline::load(method_info(method).pipeline);
    QVector<QVector<QImage>> rows;
    const auto picked = spread_indices(set->size(), kPreviewImages);
    for (size_t i : picked) {
      const cv::Mat img = image_mat(*set, i);
      QVector<QImage> row{to_qimage(img)};
      for (size_t v = 0; v < 2; ++v) row.push_back(to_qimage(pipeline.apply(img, v, seed, int64_t(i), 0).image));
      rows.push_back(row);
    }
    return rows;
  }));
}

void MainWindow::startTraining() {
  if (controller_->isRunning() || data_edit_->text().isEmpty()) return;
  TrainConfig cfg;
  cfg.data = data_edit_->text().toStdString();
  cfg.method = method_box_->currentText().toStdString();
  cfg.backbone = backbone_box_->currentText().toStdString();
  cfg.epochs = epochs_spin_->value();
  cfg.steps = opt_.steps;
  cfg.limit = static_cast<size_t>(opt_.limit);
  cfg.batch = batch_spin_->value();
  cfg.seed = static_cast<uint64_t>(seed_spin_->value());
  loss_plot_->clear();
  scatter_->clear();
  probe_label_->clear();
  setRunning(true);
  controller_->start(cfg, opt_.db);
}

void MainWindow::setRunning(bool running) {
  start_button_->setEnabled(!running && preview_set_);
  stop_button_->setEnabled(running);
  for (QWidget* w : std::initializer_list<QWidget*>{method_box_, backbone_box_, epochs_spin_, batch_spin_, seed_spin_})
    w->setEnabled(!running);
}

void MainWindow::refreshRuns() {
  runs_->clear();
  if (opt_.db.isEmpty() || !QFile::exists(opt_.db)) return;
  try {
    Store store(opt_.db.toStdString(), /*read_only=*/true);
    for (const auto& r : store.runs()) {
      const auto probes = store.probes(r.id);
      auto* item = new QTreeWidgetItem(
          {QString::number(r.id), QString::fromStdString(r.method), QString::fromStdString(r.status),
           probes.empty() ? QStringLiteral("–") : QString::number(100 * probes.back().accuracy, 'f', 1) + " %"});
      item->setData(0, Qt::UserRole, qint64(r.id));
      item->setToolTip(0, QString::fromStdString(r.name + "\n" + r.dataset + "\n" + r.created_at));
      runs_->addTopLevelItem(item);
    }
  } catch (const std::exception& e) {
    appendLog(tr("Cannot read %1: %2").arg(opt_.db, e.what()));
  }
}

void MainWindow::showStoredRun(qint64 run) {
  try {
    Store store(opt_.db.toStdString(), true);
    QVector<double> x, y;
    for (const auto& [step, v] : store.metric(run, "loss")) {
      x.push_back(double(step));
      y.push_back(v);
    }
    loss_plot_->setSeries(x, y);
    QVector<QPointF> pts;
    QVector<int> labels;
    for (const auto& p : store.projection(run, "pca")) {
      pts.push_back(QPointF(p.x, p.y));
      labels.push_back(p.label);
    }
    scatter_->setPoints(pts, labels, {});
    const auto probes = store.probes(run);
    probe_label_->setText(probes.empty() ? QString()
                                         : tr("kNN (k=%1): %2 %").arg(probes.back().k).arg(100 * probes.back().accuracy, 0, 'f', 1));
  } catch (const std::exception& e) {
    appendLog(tr("Cannot show run %1: %2").arg(run).arg(e.what()));
  }
}

void MainWindow::appendLog(const QString& text) { log_->appendPlainText(text); }

void MainWindow::saveScreenshotLater() {
  // Give queued replots one more event-loop pass before grabbing.
  QTimer::singleShot(800, this, [this] {
    loss_plot_->replotNow();
    const bool ok = grab().save(opt_.screenshot);
    appendLog(ok ? tr("Saved %1").arg(opt_.screenshot) : tr("Could not save %1").arg(opt_.screenshot));
    std::fprintf(stderr, "%s %s\n", ok ? "saved" : "could not save", qPrintable(opt_.screenshot));
    close();
  });
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (controller_->isRunning()) {
    appendLog(tr("Stopping the run before closing…"));
    controller_->stop();
  }
  e->accept();
}

}  // namespace pretext
