#include "app/gui/pages/runs_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <map>
#include <set>

#include "app/gui/app_state.h"
#include "app/gui/pages/explore_panel.h"
#include "engine/core/describe.h"
#include "engine/core/metric_names.h"
#include "engine/eval/probes.h"
#include "engine/export/run_model.h"
#include "engine/export/tables.h"
#include "engine/store/compare.h"
#include "engine/store/store_sink.h"
#include "engine/store/store.h"
#include "engine/train/run_record.h"
#include "widgets/curve_plot.h"
#include "widgets/qcp.h"

namespace pretext {
namespace {

enum Column { kId, kName, kMethod, kData, kStatus, kKnn, kCreated, kColumns };

// A stored config as a reader wants it: one "field: value" line per choice, the method's parameters
// on one line, the pipeline as its name and ops (the JSON stays one Re-run away).
QString readable_config(const nlohmann::json& config) {
  QString text = QObject::tr("Configuration\n");
  for (const auto& [key, value] : config.items()) {
    if (key == "pipeline_json" || key == "method_params" || key == "data_fingerprint") continue;
    if (value.is_string() && value.get<std::string>().empty()) continue;
    text += QStringLiteral("  %1: %2\n").arg(QString::fromStdString(key),
                                             QString::fromStdString(value.is_string() ? value.get<std::string>() : value.dump()));
  }
  QStringList params;
  const nlohmann::json method_params = config.value("method_params", nlohmann::json::object());
  for (const auto& [key, value] : method_params.items())  // items() of a temporary would dangle
    params << QStringLiteral("%1=%2").arg(QString::fromStdString(key), QString::fromStdString(value.dump()));
  if (!params.isEmpty()) text += QObject::tr("  method parameters: %1\n").arg(params.join(", "));
  const nlohmann::json pipeline = config.value("pipeline_json", nlohmann::json::object());
  if (pipeline.contains("views")) {
    QStringList views;
    for (const auto& view : pipeline["views"]) {
      QStringList ops;
      for (const auto& op : view.value("ops", nlohmann::json::array())) ops << QString::fromStdString(op.value("op", "?"));
      views << ops.join(" → ");
    }
    text += QObject::tr("  pipeline %1: %2\n").arg(QString::fromStdString(pipeline.value("name", "custom")), views.join("  |  "));
  }
  return text;
}

}  // namespace

RunsPage::RunsPage(AppState* state, QWidget* parent) : QWidget(parent), state_(state) {
  details_ = new QPlainTextEdit;
  details_->setReadOnly(true);
  details_->setPlaceholderText(tr("Every run is stored here. Select one to read its details; check several and "
                                  "press Compare checked to overlay their curves and compare their probes. "
                                  "No runs yet? Start one on the Train page."));
  details_->setFont(QFont("monospace", 9));
  tabs_ = new QTabWidget;
  tabs_->addTab(details_, tr("Details"));
  tabs_->addTab(buildComparePage(), tr("Compare"));
  explore_ = new ExplorePanel(state_);
  tabs_->addTab(explore_, tr("Explore"));

  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(buildRunList());
  split->addWidget(tabs_);
  split->setStretchFactor(1, 2);
  split->setSizes({520, 900});
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(split);

  connect(state_, &AppState::runsChanged, this, &RunsPage::reload);
  reload();
}

QWidget* RunsPage::buildRunList() {
  search_ = new QLineEdit;
  search_->setPlaceholderText(tr("Search name, method, dataset…"));
  search_->setClearButtonEnabled(true);
  status_ = new QComboBox;
  status_->addItems({tr("any status"), "running", "finished", "stopped", "failed", "interrupted"});
  method_ = new QComboBox;
  method_->addItem(tr("any method"));
  auto* filters = new QHBoxLayout;
  filters->addWidget(search_, 1);
  filters->addWidget(status_);
  filters->addWidget(method_);
  list_ = new QTreeWidget;
  list_->setHeaderLabels({tr("Run"), tr("Name"), tr("Method"), tr("Data"), tr("Status"), tr("kNN"), tr("Created")});
  list_->setRootIsDecorated(false);
  list_->setSortingEnabled(true);
  list_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  connect(search_, &QLineEdit::textChanged, this, &RunsPage::applyFilter);
  connect(status_, &QComboBox::currentIndexChanged, this, &RunsPage::applyFilter);
  connect(method_, &QComboBox::currentIndexChanged, this, &RunsPage::applyFilter);
  connect(list_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (item) showDetails(item->data(kId, Qt::UserRole).toLongLong());
  });

  auto* left = new QWidget;
  auto* ll = new QVBoxLayout(left);
  ll->setContentsMargins(0, 0, 0, 0);
  ll->addLayout(filters);
  ll->addWidget(list_, 1);
  ll->addWidget(buildTaskRow());
  ll->addLayout(buildActions());
  return left;
}

QWidget* RunsPage::buildTaskRow() {
  task_row_ = new QWidget;
  task_status_ = new QLabel;
  task_progress_ = new QProgressBar;
  task_progress_->setRange(0, 1000);
  task_progress_->setTextVisible(false);
  task_progress_->setMaximumWidth(160);
  task_cancel_ = new QPushButton(tr("Cancel"));
  task_cancel_->setToolTip(tr("Stop this work at its next batch of images; nothing is stored"));
  auto* row = new QHBoxLayout(task_row_);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(task_status_, 1);
  row->addWidget(task_progress_);
  row->addWidget(task_cancel_);
  task_row_->hide();
  connect(task_cancel_, &QPushButton::clicked, this, [this] {
    task_.cancel();
    task_cancel_->setEnabled(false);
    task_status_->setText(tr("Cancelling…"));
  });
  connect(&task_, &BackgroundTask::progressed, this, [this](double fraction, const QString& what) {
    task_progress_->setValue(int(1000 * fraction));
    task_status_->setText(task_title_ + QStringLiteral(": ") + what);
  });
  const auto done = [this](const QString& outcome) {
    task_row_->hide();
    if (!outcome.isEmpty()) details_->setPlainText(outcome + "\n\n" + details_->toPlainText());
  };
  connect(&task_, &BackgroundTask::succeeded, this, [done] { done({}); });
  connect(&task_, &BackgroundTask::cancelled, this, [this, done] { done(task_title_ + tr(": cancelled")); });
  connect(&task_, &BackgroundTask::failed, this, [this, done](const QString& error) {
    done(task_title_ + tr(" failed: ") + error);
  });
  return task_row_;
}

void RunsPage::startTask(const QString& what, BackgroundTask::Work work) {
  if (!task_.start(std::move(work))) return;
  task_title_ = what;
  task_status_->setText(what + QStringLiteral("…"));
  task_progress_->setValue(0);
  task_cancel_->setEnabled(true);
  task_row_->show();
}

QHBoxLayout* RunsPage::buildActions() {
  auto* rerun = new QPushButton(tr("Re-run"));
  rerun->setToolTip(tr("Load this run's config into the Train page"));
  connect(rerun, &QPushButton::clicked, this, [this] {
    if (selected_ <= 0) return;
    try {
      Store store(state_->dbPath().toStdString(), true);
      Q_EMIT rerunRequested(stored_config(store, selected_));
    } catch (const std::exception& e) {
      details_->setPlainText(tr("Cannot read run %1: %2").arg(selected_).arg(e.what()));
    }
  });
  auto* resume = new QPushButton(tr("Resume"));
  resume->setToolTip(tr("Continue a stopped or interrupted run from its last checkpoint"));
  connect(resume, &QPushButton::clicked, this, [this] {
    if (selected_ > 0) Q_EMIT resumeRequested(selected_);
  });
  auto* probe = new QPushButton(tr("Probe…"));
  probe->setToolTip(tr("Run the kNN and/or linear probe again on this run's saved backbone or one of its "
                       "checkpoints; the results are stored with the run"));
  connect(probe, &QPushButton::clicked, this, &RunsPage::probeSelected);
  auto* export_button = new QPushButton(tr("Export"));
  export_button->setToolTip(tr("Save this run's backbone weights, its metrics or its embeddings (the same files as "
                               "pretext-cli export)"));
  auto* export_menu = new QMenu(export_button);
  export_menu->addAction(tr("Backbone weights (safetensors, torchvision names)…"), this,
                         [this] { exportSelected(ExportKind::Weights); });
  export_menu->addAction(tr("Metrics (CSV)…"), this, [this] { exportSelected(ExportKind::Metrics); });
  export_menu->addAction(tr("Embeddings (CSV and TensorBoard projector files)…"), this,
                         [this] { exportSelected(ExportKind::Embeddings); });
  export_button->setMenu(export_menu);
  auto* compare_button = new QPushButton(tr("Compare checked"));
  connect(compare_button, &QPushButton::clicked, this, [this] {
    compare();
    tabs_->setCurrentIndex(1);
  });

  auto* actions = new QHBoxLayout;
  actions->addWidget(rerun);
  actions->addWidget(resume);
  actions->addWidget(probe);
  actions->addWidget(export_button);
  // The run's book-keeping in one menu: nine buttons in a row did not fit a 1280 px screen.
  auto* manage_button = new QPushButton(tr("Manage"));
  manage_button->setToolTip(tr("Rename, tag, annotate or delete this run"));
  auto* manage_menu = new QMenu(manage_button);
  for (const QString& a : {tr("Rename…"), tr("Tag…"), tr("Notes…"), tr("Delete…")})
    manage_menu->addAction(a, this, [this, a] { manage(a); });
  manage_button->setMenu(manage_menu);
  actions->addWidget(manage_button);
  actions->addStretch(1);
  actions->addWidget(compare_button);
  return actions;
}

QWidget* RunsPage::buildComparePage() {
  metric_ = new QComboBox;
  smoothing_ = new QSlider(Qt::Horizontal);
  smoothing_->setRange(0, 99);
  log_ = new QCheckBox(tr("log y"));
  curves_ = new CurvePlot(tr("value"));
  probes_ = new QTableWidget(0, 2);
  probes_->setHorizontalHeaderLabels({tr("Probe"), tr("k")});
  probes_->horizontalHeader()->setStretchLastSection(true);
  diff_ = new QTableWidget(0, 0);
  connect(metric_, &QComboBox::currentTextChanged, this, &RunsPage::compare);
  connect(smoothing_, &QSlider::valueChanged, this, [this](int v) { curves_->setSmoothing(v / 100.0); });
  connect(log_, &QCheckBox::toggled, this, [this](bool on) { curves_->setLogY(on); });

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Metric")));
  bar->addWidget(metric_, 1);
  bar->addWidget(new QLabel(tr("Smoothing")));
  bar->addWidget(smoothing_, 1);
  bar->addWidget(log_);
  auto* lower = new QSplitter(Qt::Horizontal);
  auto* pbox = new QGroupBox(tr("Probes"));
  (new QVBoxLayout(pbox))->addWidget(probes_);
  auto* dbox = new QGroupBox(tr("Config differences"));
  (new QVBoxLayout(dbox))->addWidget(diff_);
  lower->addWidget(pbox);
  lower->addWidget(dbox);
  auto* vs = new QSplitter(Qt::Vertical);
  vs->addWidget(curves_);
  vs->addWidget(lower);
  vs->setStretchFactor(0, 3);
  vs->setStretchFactor(1, 2);
  auto* page = new QWidget;
  auto* cl = new QVBoxLayout(page);
  cl->addLayout(bar);
  cl->addWidget(vs, 1);
  return page;
}

void RunsPage::reload() {
  const QList<qint64> checked = checkedRuns();
  list_->clear();
  if (!QFile::exists(state_->dbPath())) return;
  std::set<std::string> methods;
  try {
    Store store(state_->dbPath().toStdString(), true);
    for (const auto& r : store.runs()) {
      const auto knn = last_probe(store, r.id, "knn");
      auto* item = new QTreeWidgetItem;
      item->setData(kId, Qt::DisplayRole, qint64(r.id));
      item->setData(kId, Qt::UserRole, qint64(r.id));
      item->setCheckState(kId, checked.contains(r.id) ? Qt::Checked : Qt::Unchecked);
      item->setText(kName, QString::fromStdString(r.name));
      item->setText(kMethod, QString::fromStdString(r.method));
      const QString data = QString::fromStdString(r.dataset);
      item->setText(kData, QFileInfo(data).fileName());  // the folder or file name; the path in the tooltip
      item->setToolTip(kData, data);
      item->setText(kStatus, QString::fromStdString(r.status));
      item->setText(kKnn, knn ? QString::number(100 * knn->accuracy, 'f', 1) + " %" : QStringLiteral("–"));
      item->setText(kCreated, QString::fromStdString(r.created_at));
      item->setToolTip(kName, QString::fromStdString(r.dataset));
      list_->addTopLevelItem(item);
      methods.insert(r.method);
    }
  } catch (const std::exception& e) {
    details_->setPlainText(tr("Cannot read %1: %2").arg(state_->dbPath(), e.what()));
  }
  const QString current = method_->currentText();
  method_->blockSignals(true);
  while (method_->count() > 1) method_->removeItem(1);
  for (const auto& m : methods) method_->addItem(QString::fromStdString(m));
  method_->setCurrentText(current);
  method_->blockSignals(false);
  list_->sortByColumn(kId, Qt::DescendingOrder);
  applyFilter();
  // The selected run stays selected across a reload (a probe or an export finishing reloads the list).
  for (int i = 0; i < list_->topLevelItemCount(); ++i)
    if (list_->topLevelItem(i)->data(kId, Qt::UserRole).toLongLong() == selected_) {
      const QSignalBlocker quiet(list_);
      list_->setCurrentItem(list_->topLevelItem(i));
    }
}

void RunsPage::manage(const QString& action) {
  if (selected_ <= 0) return;
  try {
    // Edits go through the engine's store; the page only reads otherwise.
    Store store(state_->dbPath().toStdString());
    const auto r = store.run(selected_);
    if (!r) return;
    bool ok = false;
    if (action == tr("Rename…")) {
      const QString name = QInputDialog::getText(this, tr("Rename run %1").arg(selected_), tr("Name"), QLineEdit::Normal,
                                                 QString::fromStdString(r->name), &ok);
      if (ok && !name.trimmed().isEmpty()) store.rename_run(selected_, name.trimmed().toStdString());
    } else if (action == tr("Tag…")) {
      const QString tag = QInputDialog::getText(this, tr("Tag run %1").arg(selected_),
                                                tr("Tag (prefix with - to remove)"), QLineEdit::Normal, {}, &ok).trimmed();
      if (ok && tag.startsWith('-')) store.remove_tag(selected_, tag.mid(1).toStdString());
      else if (ok && !tag.isEmpty()) store.add_tag(selected_, tag.toStdString());
    } else if (action == tr("Notes…")) {
      const QString notes = QInputDialog::getMultiLineText(this, tr("Notes on run %1").arg(selected_), tr("Notes"),
                                                           QString::fromStdString(r->notes), &ok);
      if (ok) store.set_notes(selected_, notes.toStdString());
    } else if (action == tr("Delete…")) {
      if (QMessageBox::question(this, tr("Delete run %1").arg(selected_),
                                tr("Delete run %1 (%2) with its metrics, checkpoints and exported files? This cannot be undone.")
                                    .arg(selected_).arg(QString::fromStdString(r->name))) == QMessageBox::Yes) {
        store.delete_run(selected_);
        selected_ = 0;
        details_->clear();
      }
    }
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Runs"), QString::fromUtf8(e.what()));
  }
  reload();
  if (selected_ > 0) showDetails(selected_);
}

void RunsPage::applyFilter() {
  const QString text = search_->text();
  for (int i = 0; i < list_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* it = list_->topLevelItem(i);
    bool show = text.isEmpty();
    for (int c = 0; c < kColumns && !show; ++c)
      show = it->text(c).contains(text, Qt::CaseInsensitive) || it->toolTip(c).contains(text, Qt::CaseInsensitive);
    if (status_->currentIndex() > 0) show = show && it->text(kStatus) == status_->currentText();
    if (method_->currentIndex() > 0) show = show && it->text(kMethod) == method_->currentText();
    it->setHidden(!show);
  }
}

QList<qint64> RunsPage::checkedRuns() const {
  QList<qint64> ids;
  for (int i = 0; i < list_->topLevelItemCount(); ++i)
    if (list_->topLevelItem(i)->checkState(kId) == Qt::Checked) ids << list_->topLevelItem(i)->data(kId, Qt::UserRole).toLongLong();
  std::sort(ids.begin(), ids.end());
  return ids;
}

void RunsPage::checkRuns(const QList<qint64>& ids) {
  for (int i = 0; i < list_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* it = list_->topLevelItem(i);
    it->setCheckState(kId, ids.contains(it->data(kId, Qt::UserRole).toLongLong()) ? Qt::Checked : Qt::Unchecked);
  }
  compare();
  tabs_->setCurrentIndex(1);
}

void RunsPage::showDetails(qint64 run) {
  selected_ = run;
  explore_->setRun(run);
  try {
    Store store(state_->dbPath().toStdString(), true);
    const auto r = store.run(run);
    if (!r) return;
    QString text;
    text += tr("Run %1: %2\n").arg(r->id).arg(QString::fromStdString(r->name));
    // The message usually repeats the status ("stopped at step 33"): then it is the whole line.
    const QString status = QString::fromStdString(r->status), message = QString::fromStdString(r->message);
    text += tr("Status: %1\n").arg(message.startsWith(status) ? message
                                   : message.isEmpty() ? status : status + " — " + message);
    text += tr("Method: %1   Backbone: %2   Seed: %3   Device: %4\n")
                .arg(QString::fromStdString(r->method), QString::fromStdString(r->backbone))
                .arg(r->seed)
                .arg(QString::fromStdString(r->device));
    text += tr("Dataset: %1\n").arg(QString::fromStdString(r->dataset));
    QStringList tags;
    for (const auto& t : r->tags) tags << QString::fromStdString(t);
    if (!tags.isEmpty()) text += tr("Tags: %1\n").arg(tags.join(", "));
    if (!r->notes.empty()) text += tr("Notes: %1\n").arg(QString::fromStdString(r->notes));
    text += tr("Created %1, finished %2\n").arg(QString::fromStdString(r->created_at), QString::fromStdString(r->finished_at));
    text += tr("Versions: Pretext %1, LibTorch %2, OpenCV %3, %4\n")
                .arg(QString::fromStdString(r->commit), QString::fromStdString(r->torch_version),
                     QString::fromStdString(r->opencv_version), QString::fromStdString(r->ui_version));
    const nlohmann::json config = nlohmann::json::parse(r->config);
    text += tr("\nProbes\n");
    for (const auto& p : store.probes(run)) text += "  " + QString::fromStdString(describe_probe(p)) + "\n";
    text += tr("Baselines (what the same probes read without learning)\n");
    for (const auto& b : store.baselines(config.value("data_fingerprint", std::string()), r->backbone))
      text += "  " + QString::fromStdString(describe_baseline(baseline_event(b))) + "\n";
    text += "\n" + readable_config(config);
    details_->setPlainText(text);
  } catch (const std::exception& e) {
    details_->setPlainText(tr("Cannot read run %1: %2").arg(run).arg(e.what()));
  }
}

// The probe dialog: which weights, and which probes of the probes table (kNN with which k and T).
// Nothing when cancelled
// or when no probe is chosen.
std::optional<ProbeRequest> RunsPage::askProbeRequest(const TrainConfig& cfg,
                                                      const std::vector<CheckpointRecord>& checkpoints) {
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Probe run %1").arg(selected_));
  auto* form = new QFormLayout(&dialog);
  auto* weights = new QComboBox;
  weights->addItem(tr("saved backbone (end of run)"), qlonglong(-1));
  for (const auto& c : checkpoints) weights->addItem(tr("checkpoint at step %1").arg(c.step), qlonglong(c.step));
  form->addRow(tr("Weights"), weights);
  // A check box per entry of the probes table; the kNN's k and T sit beside its box.
  std::vector<std::pair<std::string, QCheckBox*>> chosen;
  const std::vector<std::string> defaults = ProbeRequest{}.kinds;
  auto* k = new QSpinBox;
  k->setRange(1, 100000);
  k->setValue(cfg.knn_k);
  auto* t = new QDoubleSpinBox;
  t->setDecimals(3);
  t->setRange(0.001, 100);
  t->setValue(cfg.knn_t);
  for (const auto& kind : probe_kinds()) {
    auto* box = new QCheckBox(QString::fromStdString(kind.title));
    box->setToolTip(QString::fromStdString(kind.help));
    box->setChecked(std::find(defaults.begin(), defaults.end(), kind.name) != defaults.end());
    chosen.emplace_back(kind.name, box);
    auto* row = new QHBoxLayout;
    row->addWidget(box);
    if (kind.name == "knn") {
      auto* solo = new QPushButton(tr("k=20, T=0.07"));
      solo->setToolTip(tr("solo-learn's setting"));
      connect(solo, &QPushButton::clicked, &dialog, [k, t] {
        k->setValue(20);
        t->setValue(0.07);
      });
      for (QWidget* w : std::initializer_list<QWidget*>{new QLabel(tr("k")), k, new QLabel(tr("T")), t, solo})
        row->addWidget(w);
    }
    row->addStretch();
    form->addRow(chosen.size() == 1 ? tr("Probes") : QString(), row);
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  form->addRow(buttons);
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;

  ProbeRequest request;
  request.kinds.clear();
  for (const auto& [name, box] : chosen)
    if (box->isChecked()) request.kinds.push_back(name);
  if (request.kinds.empty()) return std::nullopt;
  request.checkpoint = weights->currentData().toLongLong();
  request.k = k->value();
  request.temperature = t->value();
  return request;
}

// Asks where, then writes on a worker thread (embeddings run the network over the images).
void RunsPage::exportSelected(ExportKind kind) {
  if (selected_ <= 0 || task_.running()) return;
  const qint64 run = selected_;
  const QString stem = QDir::home().filePath(QStringLiteral("run%1").arg(run));
  QString out;
  if (kind == ExportKind::Weights)
    out = QFileDialog::getSaveFileName(this, tr("Export backbone weights"), stem + "-backbone.safetensors",
                                       tr("safetensors (*.safetensors)"));
  else if (kind == ExportKind::Metrics)
    out = QFileDialog::getSaveFileName(this, tr("Export metrics"), stem + "-metrics.csv", tr("CSV (*.csv)"));
  else
    out = QFileDialog::getExistingDirectory(this, tr("Export embeddings into a new folder in…"), QDir::homePath());
  if (out.isEmpty()) return;
  if (kind == ExportKind::Embeddings) out = QDir(out).filePath(QStringLiteral("run%1-embeddings").arg(run));
  tabs_->setCurrentIndex(0);  // the Details tab says what was written
  startTask(tr("Exporting run %1").arg(run), [this, db = state_->dbPath().toStdString(), run, kind,
                                             out](const BackgroundTask::Control&) -> BackgroundTask::Finish {
    Store store(db, /*read_only=*/true);
    const std::string path = out.toStdString();
    QString written;
    if (kind == ExportKind::Weights) {
      written = tr("Wrote %1 (%2 tensors)").arg(out).arg(export_run_weights(store, run, path));
    } else if (kind == ExportKind::Metrics) {
      written = tr("Wrote %1 metric rows to %2").arg(write_metrics_csv(store, run, path)).arg(out);
    } else {
      const RunEmbeddings e = export_run_embeddings(store, run, RunDataOptions{}, path);
      written = tr("Wrote %1 embeddings of dimension %2 to %3 (embeddings.csv and TensorBoard projector files)")
                    .arg(e.table.n)
                    .arg(e.table.dim)
                    .arg(out);
    }
    return [this, written] { details_->setPlainText(written + "\n\n" + details_->toPlainText()); };
  });
}

void RunsPage::probeSelected() {
  if (selected_ <= 0 || task_.running()) return;
  TrainConfig cfg;
  std::vector<CheckpointRecord> checkpoints;
  try {
    Store store(state_->dbPath().toStdString(), true);
    cfg = stored_config(store, selected_);
    checkpoints = store.checkpoints(selected_);
  } catch (const std::exception& e) {
    details_->setPlainText(tr("Cannot read run %1: %2").arg(selected_).arg(e.what()));
    return;
  }
  const std::optional<ProbeRequest> request = askProbeRequest(cfg, checkpoints);
  if (!request) return;
  const qint64 run = selected_;
  startTask(tr("Probing run %1").arg(run), [this, db = state_->dbPath().toStdString(), run,
                                            request = *request](const BackgroundTask::Control& c) -> BackgroundTask::Finish {
    Store store(db);
    StoreSink sink(store);  // the results leave as events; the store's sink records them
    QStringList lines;
    for (const ProbeEvent& p : evaluate_run(store, run, RunDataOptions{}, request, &sink, c.progress, c.cancelled))
      lines << QString::fromStdString(describe_probe(p));
    return [this, text = lines.join("\n")] {
      reload();
      if (selected_ > 0) showDetails(selected_);  // the stored probes, the new ones among them
      details_->setPlainText(text + "\n\n" + details_->toPlainText());
    };
  });
}

// Shows what the engine's comparison computes (engine/store/compare.h, also `pretext-cli runs
// compare`): the chosen metric of every checked run, their probes side by side, the config keys
// where they differ.
void RunsPage::compare() {
  const QList<qint64> ids = checkedRuns();
  if (ids.isEmpty()) return;
  try {
    Store store(state_->dbPath().toStdString(), true);
    const std::vector<int64_t> runs(ids.begin(), ids.end());
    const QString wanted = metric_->currentText().isEmpty() ? QString(metric::kLoss) : metric_->currentText();
    metric_->blockSignals(true);
    metric_->clear();
    for (const auto& n : common_metric_names(store, runs)) metric_->addItem(QString::fromStdString(n));
    // The probes over steps, read against what the untrained network and the raw pixels score.
    for (const auto& n : probe_curve_names(store, runs)) metric_->addItem(QString::fromStdString(n));
    metric_->setCurrentText(wanted);
    metric_->blockSignals(false);

    const std::string chosen = metric_->currentText().toStdString();
    const bool probe = chosen.rfind("probe ", 0) == 0;
    curves_->clear();
    for (const auto& s : probe ? probe_curve(store, runs, chosen) : metric_series(store, runs, chosen)) {
      const auto r = store.run(s.run_id);
      const QVector<double> x(s.steps.begin(), s.steps.end()), y(s.values.begin(), s.values.end());
      curves_->setSeries(tr("%1 · %2 · %3").arg(s.run_id).arg(QString::fromStdString(r ? r->method : ""),
                                                              QString::fromStdString(s.run_name)), x, y);
    }
    if (probe)
      for (const auto& line : probe_baselines(store, runs, chosen))
        curves_->setReferenceLine(line.value, QString::fromStdString(line.label));
    curves_->plot()->yAxis->setLabel(probe ? tr("%1: accuracy").arg(metric_->currentText()) : metric_->currentText());
    curves_->replotNow();

    QStringList run_headers;
    for (qint64 id : ids) run_headers << tr("run %1").arg(id);
    const auto probes = probe_table(store, runs);
    probes_->clear();
    probes_->setColumnCount(2 + static_cast<int>(runs.size()));
    probes_->setHorizontalHeaderLabels(QStringList{tr("Probe"), tr("k")} + run_headers);
    probes_->setRowCount(static_cast<int>(probes.size()));
    for (int row = 0; row < static_cast<int>(probes.size()); ++row) {
      const ProbeRow& p = probes[size_t(row)];
      probes_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(p.kind)));
      probes_->setItem(row, 1, new QTableWidgetItem(QString::number(p.k)));
      for (size_t c = 0; c < p.accuracy.size(); ++c)
        probes_->setItem(row, 2 + int(c), new QTableWidgetItem(p.accuracy[c] ? QString::number(100 * *p.accuracy[c], 'f', 2) + " %"
                                                                             : QStringLiteral("—")));
    }
    probes_->resizeColumnsToContents();

    const auto diff = config_diff(store, runs);
    diff_->clear();
    diff_->setColumnCount(1 + static_cast<int>(runs.size()));
    diff_->setHorizontalHeaderLabels(QStringList{tr("Key")} + run_headers);
    diff_->setRowCount(static_cast<int>(diff.size()));
    for (int row = 0; row < static_cast<int>(diff.size()); ++row) {
      diff_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(diff[size_t(row)].key)));
      for (size_t c = 0; c < diff[size_t(row)].values.size(); ++c) {
        const auto& v = diff[size_t(row)].values[c];
        diff_->setItem(row, 1 + int(c), new QTableWidgetItem(v.is_null() ? QStringLiteral("—") : QString::fromStdString(v.dump())));
      }
    }
    diff_->resizeColumnsToContents();
  } catch (const std::exception& e) {
    details_->setPlainText(tr("Cannot compare: %1").arg(e.what()));
  }
}

}  // namespace pretext
