#include "app/gui/pages/explore_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QMenu>
#include <QToolButton>
#include <QWidgetAction>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QTimer>
#include <QTabWidget>
#include <QVBoxLayout>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

#include "app/gui/app_state.h"
#include "app/gui/image_convert.h"
#include "engine/core/cancel.h"
#include "engine/eval/projections.h"
#include "engine/export/run_model.h"
#include "engine/export/table_groups.h"
#include "engine/store/store_sink.h"
#include "widgets/bar_chart.h"
#include "widgets/embedding_view.h"
#include "widgets/thumbnail_grid.h"

namespace pretext {

// One computed map: the embeddings, their images and where the projection put them.
struct Explored {
  qint64 run = 0;
  qint64 step = -1;  // the checkpoint's; -1: the backbone saved at the end
  int limit = 0;     // the point count asked for
  QString method;
  QString label;  // the method with the parameters that differ from its defaults: how the map is stored
  std::shared_ptr<const RunEmbeddings> embeddings;  // shared by the aligned copies of a frame
  QVector<QPointF> points;
  QVector<int> labels;
  QStringList class_names;
  QString error;  // empty when it worked
  double seconds = 0;
};

// A colouring computed in feature space for one map's embeddings.
struct Grouped {
  std::shared_ptr<const RunEmbeddings> embeddings;
  int colouring = 0;
  QVector<int> groups;  // per row: the kNN's predicted class, or the cluster
  QString error;
};

// One measurement of a run's invariances.
struct Measured {
  qint64 run = 0;
  std::vector<OpSensitivity> ops;
  QString error;
};

namespace {

constexpr int kNeighbours = 12;
constexpr size_t kInvarianceImages = 500;  // a standard error of about 0.01 on the distances seen so far

// As the literature writes them: PCA, t-SNE, UMAP.
QString projection_title(const QString& name) { return name == "tsne" ? QStringLiteral("t-SNE") : name.toUpper(); }

// "t-SNE" at the defaults, "t-SNE (perplexity=50)" otherwise.
QString map_title(const QString& method, const QString& label) {
  const int open = label.indexOf('(');
  return projection_title(method) + (open < 0 ? QString() : " " + label.mid(open));
}

// Embeds the run's images, projects them and stores the projection with the run. Runs as the tab's
// task; cancelled between units of work through the progress callback.
std::shared_ptr<const Explored> explore(const std::string& db, qint64 run, qint64 step, const std::string& method,
                                        const ProjectionParameters& parameters, size_t limit,
                                        const BackgroundTask::Control& task) {
  auto out = std::make_shared<Explored>();
  out->run = run;
  out->step = step;
  out->limit = int(limit);
  out->method = QString::fromStdString(method);
  QElapsedTimer clock;
  clock.start();
  try {
    Store store(db);
    RunDataOptions o;
    o.limit = limit;
    o.checkpoint = step;
    auto progress = [&](double share, double offset) {
      return [&, share, offset](double f, const std::string& what) {
        throw_if_cancelled(task.cancelled);
        task.progress(offset + share * f, what);
      };
    };
    out->embeddings = std::make_shared<const RunEmbeddings>(run_embeddings(store, run, o, progress(0.3, 0.0)));
    out->label = QString::fromStdString(projection_label(method, parameters));
    const ProjectionEvent map = project_embeddings(out->embeddings->table, run, method, step, store.run(run)->seed,
                                                   progress(0.7, 0.3), parameters);
    StoreSink(store).on_event(map);  // the map leaves as an event; the store's sink records it
    for (size_t i = 0; i < map.image_indices.size(); ++i) {
      out->points.push_back({map.xy[2 * i], map.xy[2 * i + 1]});
      out->labels.push_back(map.labels[i]);
    }
    for (const auto& name : out->embeddings->table.class_names) out->class_names << QString::fromStdString(name);
  } catch (const Cancelled&) {
    out->error = QObject::tr("Cancelled.");
  } catch (const std::exception& e) {
    out->error = QString::fromUtf8(e.what());
  }
  out->seconds = clock.elapsed() / 1000.0;
  return out;
}

std::shared_ptr<const Measured> measure(const std::string& db, qint64 run, const BackgroundTask::Control& task) {
  auto out = std::make_shared<Measured>();
  out->run = run;
  try {
    Store store(db, /*read_only=*/true);
    RunDataOptions o;
    o.limit = kInvarianceImages;
    out->ops = run_sensitivity(store, run, o, task.progress, task.cancelled);
  } catch (const Cancelled&) {
    out->error = QObject::tr("Cancelled.");
  } catch (const std::exception& e) {
    out->error = QString::fromUtf8(e.what());
  }
  return out;
}

constexpr int kVoteK = 20;           // the solo-learn kNN setting: a map has thousands of points, not a
constexpr double kVoteT = 0.07;      // training set's tens of thousands
constexpr int kUnlabelledClusters = 10;

std::shared_ptr<const Grouped> group(std::shared_ptr<const RunEmbeddings> embeddings, ExplorePanel::Colouring c,
                                     quint64 seed) {
  auto out = std::make_shared<Grouped>();
  out->embeddings = embeddings;
  out->colouring = int(c);
  try {
    const EmbeddingTable& t = embeddings->table;
    const int classes = int(t.class_names.size());
    const std::vector<int> g = c == ExplorePanel::Colouring::kNeighbourVote
                                   ? neighbour_votes(t, kVoteK, kVoteT)
                                   : feature_clusters(t, classes > 1 ? classes : kUnlabelledClusters, seed);
    out->groups = QVector<int>(g.begin(), g.end());
  } catch (const std::exception& e) {
    out->error = QString::fromUtf8(e.what());
  }
  return out;
}

}  // namespace

ExplorePanel::ExplorePanel(AppState* state, QWidget* parent) : QWidget(parent), state_(state) {
  QLayout* controls = buildControls();
  QWidget* side = buildMapAndSide();
  tabs_ = new QTabWidget;
  tabs_->addTab(view_, tr("Map"));
  tabs_->addTab(buildInvariancePage(), tr("Invariances"));
  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(tabs_);
  split->addWidget(side);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(controls);
  layout->addWidget(split, 1);

  connectControls();
}

// The projection, point count and actions; the checkpoint slider; progress and status.
QLayout* ExplorePanel::buildControls() {
  method_ = new QComboBox;
  for (const auto& p : projection_infos()) {
    method_->addItem(projection_title(QString::fromStdString(p.name)), QString::fromStdString(p.name));
    method_->setItemData(method_->count() - 1, QString::fromStdString(p.summary), Qt::ToolTipRole);
  }
  method_->setCurrentIndex(std::max(0, method_->findData(QStringLiteral("umap"))));
  points_ = new QSpinBox;
  points_->setRange(0, 1000000);
  points_->setSingleStep(1000);
  points_->setValue(5000);
  points_->setSpecialValueText(tr("all"));
  points_->setSuffix(tr(" points"));
  points_->setToolTip(tr("How many of the run's held-out images to embed and map (evenly spread); 0 = all"));
  parameters_ = new QToolButton;
  parameters_->setText(tr("…"));  // narrow: the tab shares a laptop screen with the run list
  parameters_->setPopupMode(QToolButton::InstantPopup);
  parameters_->setToolTip(tr("Parameters of the projection (perplexity, neighbours, …), at the published defaults "
                             "until changed; a map made with other values is stored apart"));
  colouring_ = new QComboBox;
  colouring_->addItem(tr("by class"), int(Colouring::kClass));
  colouring_->addItem(tr("kNN right/wrong"), int(Colouring::kNeighbourVote));
  colouring_->addItem(tr("by cluster"), int(Colouring::kCluster));
  colouring_->setToolTip(tr("What the points' colours say"));
  colouring_->setItemData(1, tr("Whether the %1 most similar other points in the full feature space vote for the "
                                "point's own class (the kNN probe's weighted vote, T = %2)").arg(kVoteK).arg(kVoteT),
                          Qt::ToolTipRole);
  colouring_->setItemData(2, tr("k-means of the full features, k = the number of classes: where the representation "
                                "draws its own groups"), Qt::ToolTipRole);
  compute_ = new QPushButton(tr("Compute"));
  compute_->setObjectName(QStringLiteral("exploreCompute"));
  compute_->setToolTip(tr("Embed the images with the run's saved backbone and project them; stored with the run"));
  measure_ = new QPushButton(tr("Invariances"));
  measure_->setToolTip(tr("How far the run's embedding moves under each op of its own augmentation pipeline, "
                          "applied alone to %1 of its held-out images: which invariances it learned").arg(kInvarianceImages));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setEnabled(false);
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  progress_->setMaximumWidth(120);
  status_ = new QLabel(tr("Pick a finished run on the left, then Compute."));
  status_->setWordWrap(true);
  auto* bar = new QHBoxLayout;
  bar->addWidget(method_);
  bar->addWidget(parameters_);
  bar->addWidget(points_);
  bar->addWidget(compute_);
  bar->addWidget(measure_);
  bar->addWidget(cancel_);
  bar->addStretch(1);
  // How the map formed: one stop per checkpoint, then the end of the run.
  checkpoint_ = new QSlider(Qt::Horizontal);
  checkpoint_->setRange(0, 0);
  checkpoint_->setPageStep(1);
  checkpoint_->setToolTip(tr("The map at each of the run's checkpoints: points keep their places where the "
                             "embedding did not change (each frame is aligned to the one before)"));
  checkpoint_label_ = new QLabel(tr("end of run"));
  play_ = new QPushButton(tr("Play"));
  play_->setToolTip(tr("Step through every checkpoint, computing the frames not yet computed"));
  auto* time_line = new QHBoxLayout;
  time_line->addWidget(new QLabel(tr("Checkpoint")));
  time_line->addWidget(checkpoint_, 1);
  time_line->addWidget(checkpoint_label_);
  time_line->addWidget(play_);
  time_line->addWidget(new QLabel(tr("Colour")));
  time_line->addWidget(colouring_);

  // Progress and what is happening on a line of their own: the tab stays narrow enough to sit
  // beside the run list on a laptop screen.
  auto* state_line = new QHBoxLayout;
  state_line->addWidget(progress_);
  state_line->addWidget(status_, 1);
  auto* rows = new QVBoxLayout;
  rows->addLayout(bar);
  rows->addLayout(time_line);
  rows->addLayout(state_line);
  return rows;

}

// The map, and beside it the picked image, its neighbours and the lasso's images.
QWidget* ExplorePanel::buildMapAndSide() {
  view_ = new EmbeddingView;
  view_->setThumbnailProvider([this](int row) { return thumbnail(row); });

  picked_image_ = new QLabel;
  picked_image_->setFixedSize(112, 112);
  picked_image_->setAlignment(Qt::AlignCenter);
  picked_image_->setFrameShape(QFrame::StyledPanel);
  picked_caption_ = new QLabel(tr("Click a point: its image and its %1 nearest neighbours in the full feature "
                                  "space (not the 2-D map) appear here.").arg(kNeighbours));
  picked_caption_->setWordWrap(true);
  neighbours_ = new ThumbnailGrid;
  selection_caption_ = new QLabel(tr("Shift-drag on the map to lasso a region: its images appear here."));
  selection_caption_->setWordWrap(true);
  selection_ = new ThumbnailGrid;
  auto* side = new QWidget;
  auto* sl = new QVBoxLayout(side);
  sl->setContentsMargins(4, 0, 0, 0);
  sl->addWidget(picked_image_, 0, Qt::AlignHCenter);
  sl->addWidget(picked_caption_);
  sl->addWidget(neighbours_, 1);
  sl->addWidget(selection_caption_);
  sl->addWidget(selection_, 1);
  side->setMinimumWidth(200);
  return side;
}

QWidget* ExplorePanel::buildInvariancePage() {
  invariances_ = new BarChart(tr("cosine distance"));
  invariances_caption_ = new QLabel(tr("Press Invariances: for each op of the run's pipeline, the mean cosine distance "
                                       "between an image's embedding and its embedding after that op alone. Low: the "
                                       "network learned to ignore what the op does; high: it still sees it."));
  invariances_caption_->setWordWrap(true);
  auto* invariance_page = new QWidget;
  auto* il = new QVBoxLayout(invariance_page);
  il->addWidget(invariances_, 1);
  il->addWidget(invariances_caption_);
  return invariance_page;

}

void ExplorePanel::connectControls() {
  connect(compute_, &QPushButton::clicked, this, &ExplorePanel::start);
  connect(cancel_, &QPushButton::clicked, this, [this] {
    task_.cancel();
    status_->setText(tr("Cancelling…"));
  });
  connect(&task_, &BackgroundTask::progressed, this, [this](double fraction, const QString& what) {
    progress_->setValue(int(1000 * fraction));
    status_->setText(what);
  });
  connect(measure_, &QPushButton::clicked, this, &ExplorePanel::measureInvariances);
  connect(checkpoint_, &QSlider::valueChanged, this, &ExplorePanel::showCheckpoint);
  connect(play_, &QPushButton::clicked, this, [this] {
    playing_ = !playing_;
    play_->setText(playing_ ? tr("Stop") : tr("Play"));
    if (playing_) {
      if (checkpoint_->value() == checkpoint_->maximum()) checkpoint_->setValue(0);
      else showCheckpoint(checkpoint_->value());
    }
  });
  connect(view_, &EmbeddingView::clicked, this, &ExplorePanel::pick);
  connect(view_, &EmbeddingView::selected, this, &ExplorePanel::showSelection);
  connect(colouring_, &QComboBox::currentIndexChanged, this, [this] { applyColouring(); });
  connect(method_, &QComboBox::currentIndexChanged, this, &ExplorePanel::rebuildParameterMenu);
  rebuildParameterMenu();
  connect(view_, &EmbeddingView::saveFailed, this,
          [this](const QString& path) { status_->setText(tr("Cannot write the map to %1.").arg(path)); });
}

ProjectionParameters ExplorePanel::chosenParameters() const {
  const auto found = chosen_.find(method_->currentData().toString().toStdString());
  return found == chosen_.end() ? ProjectionParameters{} : found->second;
}

QString ExplorePanel::chosenLabel() const {
  return QString::fromStdString(projection_label(method_->currentData().toString().toStdString(), chosenParameters()));
}

// A box per parameter of the chosen projection, from the projection table; its menu is the form.
void ExplorePanel::rebuildParameterMenu() {
  const std::string method = method_->currentData().toString().toStdString();
  const auto info = std::find_if(projection_infos().begin(), projection_infos().end(),
                                 [&](const ProjectionInfo& p) { return p.name == method; });
  delete parameters_->menu();
  parameters_->setEnabled(info != projection_infos().end() && !info->parameters.empty());
  if (!parameters_->isEnabled()) return;
  auto* menu = new QMenu(parameters_);
  auto* form_widget = new QWidget;
  auto* form = new QFormLayout(form_widget);
  for (const ProjectionParameter& p : info->parameters) {
    auto* box = new QDoubleSpinBox;
    box->setRange(p.min, p.max);
    box->setDecimals(p.integer ? 0 : 2);
    box->setSingleStep(p.integer ? std::max(1.0, std::round(p.value / 10)) : 0.05);
    const auto set = chosen_[method].find(p.name);
    box->setValue(set == chosen_[method].end() ? p.value : set->second);
    box->setToolTip(QString::fromStdString(p.help));
    if (p.value == 0 && p.min == 0) box->setSpecialValueText(tr("auto"));  // 0 lets the method choose
    connect(box, &QDoubleSpinBox::valueChanged, this,
            [this, method, name = p.name](double v) { chosen_[method][name] = v; });
    form->addRow(QString::fromStdString(p.name), box);
  }
  auto* action = new QWidgetAction(menu);
  action->setDefaultWidget(form_widget);
  menu->addAction(action);
  parameters_->setMenu(menu);
}

void ExplorePanel::setColouring(Colouring c) {
  colouring_->setCurrentIndex(std::max(0, colouring_->findData(int(c))));
  applyColouring();
}

// Shows the chosen colouring of the frame on screen, computing it off the UI thread the first time.
void ExplorePanel::applyColouring() {
  if (!current_) return;
  const auto c = Colouring(colouring_->currentData().toInt());
  view_->setCaptionProvider({});
  if (c == Colouring::kClass) {
    view_->setCategories(current_->labels, current_->class_names);
    return;
  }
  const auto key = std::make_pair(current_->embeddings, int(c));
  const auto found = groups_.find(key);
  if (found == groups_.end()) {
    if (busy()) return;  // the task that is running shows the frame, and the colouring with it, when done
    beginWork(c == Colouring::kNeighbourVote ? tr("Voting each point's neighbours…") : tr("Clustering the features…"));
    task_.start([this, embeddings = current_->embeddings, c, seed = quint64(run_)](const BackgroundTask::Control&) {
      const auto result = group(embeddings, c, seed);
      return BackgroundTask::Finish([this, result] { finishGrouping(result); });
    });
    return;
  }
  const QVector<int>& groups = found->second;
  const QVector<int>& labels = current_->labels;
  if (c == Colouring::kNeighbourVote) {
    QVector<int> verdict(groups.size(), -1);
    int right = 0, voted = 0;
    for (int i = 0; i < groups.size(); ++i) {
      if (groups[i] < 0) continue;
      verdict[i] = groups[i] == labels.value(i, -1) ? 0 : 1;
      right += verdict[i] == 0;
      ++voted;
    }
    view_->setCategories(verdict, {tr("kNN right"), tr("kNN wrong")}, {QColor(0x88ccee), QColor(0xcc3311)});
    view_->setCaptionProvider([this, groups](int i) {
      const QString own = current_->class_names.value(current_->labels.value(i, -1));
      const int said = groups.value(i, -1);
      return said < 0 || said == current_->labels.value(i, -1) ? own
                                                               : tr("%1, kNN says %2").arg(own, current_->class_names.value(said));
    });
    status_->setText(voted == 0 ? tr("These images have no labels: there is nothing for the kNN to get right.")
                                : tr("kNN among these %1 points (each voted by its %2 most similar others, T = %3): "
                                     "%4 % right. Red: the points it gets wrong.")
                                      .arg(voted).arg(kVoteK).arg(kVoteT).arg(100.0 * right / voted, 0, 'f', 1));
    return;
  }
  QStringList names;
  int clusters = 0;
  for (int g : groups) clusters = std::max(clusters, g + 1);
  for (int k = 0; k < clusters; ++k) names << tr("cluster %1").arg(k + 1);
  view_->setCategories(groups, names);
  view_->setCaptionProvider([this, groups](int i) {
    return tr("%1, cluster %2").arg(current_->class_names.value(current_->labels.value(i, -1))).arg(groups.value(i) + 1);
  });
  const std::vector<int> g(groups.begin(), groups.end()), l(labels.begin(), labels.end());
  status_->setText(tr("k-means of the full features into %1 clusters: purity %2 % (the share of points whose cluster's "
                      "most common class is their own).").arg(clusters).arg(100 * cluster_purity(g, l), 0, 'f', 1));
}

void ExplorePanel::finishGrouping(const std::shared_ptr<const Grouped>& result) {
  if (!endWork(run_, result->error)) {
    Q_EMIT coloured(false);
    return;
  }
  groups_[{result->embeddings, result->colouring}] = result->groups;
  applyColouring();
  Q_EMIT coloured(true);
  if (playing_) QTimer::singleShot(400, this, &ExplorePanel::playNext);
}

ExplorePanel::~ExplorePanel() = default;  // the task stops at its next unit of work

bool ExplorePanel::busy() const { return task_.running(); }

void ExplorePanel::beginWork(const QString& what) {
  compute_->setEnabled(false);
  measure_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setValue(0);
  status_->setText(what);
}

void ExplorePanel::measureInvariances() {
  if (run_ <= 0 || busy()) return;
  beginWork(tr("Run %1: measuring invariances…").arg(run_));
  tabs_->setCurrentIndex(1);
  task_.start([this, db = state_->dbPath().toStdString(), run = run_](const BackgroundTask::Control& c) {
    const auto result = measure(db, run, c);
    return BackgroundTask::Finish([this, result] { finishMeasuring(result); });
  });
}

bool ExplorePanel::endWork(qint64 run, const QString& error) {
  compute_->setEnabled(true);
  measure_->setEnabled(true);
  cancel_->setEnabled(false);
  progress_->setValue(error.isEmpty() ? 1000 : 0);
  if (!error.isEmpty()) status_->setText(tr("Run %1: %2").arg(run).arg(error));
  return error.isEmpty();
}

void ExplorePanel::finishMeasuring(const std::shared_ptr<const Measured>& result) {
  if (!endWork(result->run, result->error)) {
    Q_EMIT measured(false);
    return;
  }
  if (measured_ && measured_->run != result->run) beside_ = measured_;  // the run measured before stays beside
  measured_ = result;
  // One group per op (this run's, then any only the other run's pipeline has), one bar per run.
  QStringList names;
  for (const auto* m : {result.get(), beside_.get()})
    if (m)
      for (const auto& s : m->ops)
        if (!names.contains(QString::fromStdString(s.op))) names << QString::fromStdString(s.op);
  auto distances = [&names](const Measured& m) {
    QVector<double> v(names.size(), qQNaN());
    for (const auto& s : m.ops)  // float rounding can leave an unchanged image a hair below 0
      v[names.indexOf(QString::fromStdString(s.op))] = std::max(0.0, s.distance);
    return v;
  };
  QVector<QPair<QString, QVector<double>>> series;
  if (beside_) series.push_back({tr("run %1").arg(beside_->run), distances(*beside_)});
  series.push_back({tr("run %1").arg(result->run), distances(*result)});
  invariances_->setGroupedBars(names, series);
  QStringList lines;
  for (const auto& s : result->ops)
    lines << QStringLiteral("%1 %2 ± %3").arg(QString::fromStdString(s.op)).arg(std::max(0.0, s.distance), 0, 'f', 3)
                 .arg(s.standard_error, 0, 'f', 3);
  const size_t images = result->ops.empty() ? 0 : result->ops[0].images;
  invariances_caption_->setText(tr("Run %1, %2 held-out images; mean cosine distance ± standard error: %3. Low: the "
                                   "network learned to ignore what the op does; high: it still sees it.%4")
                                    .arg(result->run)
                                    .arg(images)
                                    .arg(lines.join(", "))
                                    .arg(beside_ ? tr(" Beside it, run %1 as measured before: measure another run to "
                                                      "compare with this one.").arg(beside_->run)
                                                 : tr(" Measure another run to see the two side by side.")));
  status_->setText(tr("Run %1: invariances of %2 ops measured.").arg(result->run).arg(result->ops.size()));
  Q_EMIT measured(true);
}

void ExplorePanel::setRun(qint64 run) {
  if (run != run_) {
    frames_.clear();
    groups_.clear();
  }
  run_ = run;
  steps_.clear();
  try {
    Store store(state_->dbPath().toStdString(), /*read_only=*/true);
    for (const auto& c : store.checkpoints(run)) steps_ << c.step;
  } catch (const std::exception&) {
    // No database or no such run: the slider offers the end alone.
  }
  std::sort(steps_.begin(), steps_.end());
  steps_ << -1;
  const QSignalBlocker quiet(checkpoint_);
  checkpoint_->setRange(0, int(steps_.size()) - 1);
  checkpoint_->setValue(checkpoint_->maximum());
  checkpoint_label_->setText(tr("end of run"));
  if (!busy())
    status_->setText(current_ && current_->run == run ? status_->text()
                                                      : tr("Run %1: choose a projection and press Compute.").arg(run));
}

void ExplorePanel::compute(const QString& method, int points, const ProjectionParameters& parameters) {
  method_->setCurrentIndex(std::max(0, method_->findData(method)));
  chosen_[method.toStdString()] = parameters;
  rebuildParameterMenu();
  points_->setValue(points);
  start();
}

void ExplorePanel::start() {
  if (run_ <= 0 || busy()) return;
  beginWork(tr("Run %1: embedding…").arg(run_));
  tabs_->setCurrentIndex(0);
  task_.start([this, db = state_->dbPath().toStdString(), run = run_, step = selectedStep(),
               method = method_->currentData().toString().toStdString(), parameters = chosenParameters(),
               limit = size_t(points_->value())](const BackgroundTask::Control& c) {
    const auto result = explore(db, run, step, method, parameters, limit, c);
    return BackgroundTask::Finish([this, result] { finish(result); });
  });
}

void ExplorePanel::finish(const std::shared_ptr<const Explored>& result) {
  if (!endWork(result->run, result->error)) {
    playing_ = false;
    play_->setText(tr("Play"));
    Q_EMIT computed(false);
    return;
  }
  showFrame(result);
  Q_EMIT computed(true);
  if (playing_) playNext();
  else if (selectedStep() != result->step && result->run == run_) start();  // the slider moved meanwhile
}

qint64 ExplorePanel::selectedStep() const { return steps_.value(checkpoint_->value(), -1); }

void ExplorePanel::showCheckpoint(int position) {
  if (checkpoint_->value() != position) {  // called directly (scripts): the slider follows
    const QSignalBlocker quiet(checkpoint_);
    checkpoint_->setValue(position);
  }
  const qint64 step = steps_.value(position, -1);
  checkpoint_label_->setText(step < 0 ? tr("end of run") : tr("step %1").arg(step));
  // A frame of this run, projection and point count already computed is shown at once.
  const bool same = current_ && current_->label == chosenLabel() &&
                    current_->limit == points_->value() && current_->run == run_;
  if (!same) {
    frames_.clear();
    groups_.clear();
  }
  if (frames_.contains(step)) {
    showFrame(frames_.value(step));
    if (playing_) QTimer::singleShot(400, this, &ExplorePanel::playNext);
  } else if (current_ || playing_) {
    start();
  }
}

void ExplorePanel::playNext() {
  if (!playing_) return;
  if (checkpoint_->value() >= checkpoint_->maximum()) {
    playing_ = false;
    play_->setText(tr("Play"));
    return;
  }
  checkpoint_->setValue(checkpoint_->value() + 1);  // showCheckpoint shows or computes it
}

void ExplorePanel::showFrame(const std::shared_ptr<const Explored>& frame) {
  auto shown = frame;
  // Aligned to the frame on screen when both map the same images, so that only real change moves.
  const bool continues = current_ && current_->run == frame->run && current_->label == frame->label &&
                         current_->embeddings->table.image_index == frame->embeddings->table.image_index;
  if (continues && current_ != frame && !frame->points.isEmpty()) {
    std::vector<float> reference, layout;
    for (const auto& p : current_->points) reference.insert(reference.end(), {float(p.x()), float(p.y())});
    for (const auto& p : frame->points) layout.insert(layout.end(), {float(p.x()), float(p.y())});
    const std::vector<float> aligned = aligned_to(reference, layout);
    auto copy = std::make_shared<Explored>(*frame);
    for (int i = 0; i < copy->points.size(); ++i) copy->points[i] = QPointF(aligned[2 * i], aligned[2 * i + 1]);
    shown = copy;
  }
  frames_[frame->step] = shown;
  current_ = shown;
  view_->setPoints(shown->points, shown->labels, shown->class_names, /*keep_view=*/continues);
  status_->setText(tr("Run %1 at %2: %3 of %4 images (dimension %5) in %6 s, stored with the run. Hover for an image, "
                      "click for its neighbours, shift-drag to lasso.")
                       .arg(shown->run)
                       .arg(shown->step < 0 ? tr("the end") : tr("step %1").arg(shown->step))
                       .arg(map_title(shown->method, shown->label))
                       .arg(shown->points.size())
                       .arg(shown->embeddings->table.dim)
                       .arg(shown->seconds, 0, 'f', 1));
  neighbours_->thumbnails()->setSource(0, {}, {}, {});
  selection_->thumbnails()->setSource(0, {}, {}, {});
  applyColouring();
}

QImage ExplorePanel::thumbnail(int row) const {
  if (!current_ || !current_->embeddings || row < 0 || size_t(row) >= current_->embeddings->table.n ||
      !current_->embeddings->images)
    return {};
  const ImageSet& images = *current_->embeddings->images;
  const auto index = size_t(current_->embeddings->table.image_index[size_t(row)]);
  if (index >= images.size()) return {};
  const cv::Mat m(images.height, images.width, CV_8UC(images.channels), const_cast<uint8_t*>(images.image(index)));
  return to_qimage(m);
}

void ExplorePanel::pick(int row) {
  if (!current_ || row < 0) return;
  const auto& table = current_->embeddings->table;
  const std::vector<size_t> near = nearest_rows(table, size_t(row), kNeighbours);
  QVector<int> rows(near.begin(), near.end()), labels;
  for (int r : rows) labels.push_back(current_->labels.value(r, -1));
  view_->setRinged(rows);
  picked_image_->setPixmap(QPixmap::fromImage(thumbnail(row)).scaled(picked_image_->size(), Qt::KeepAspectRatio));
  const int label = current_->labels.value(row, -1);
  int same = 0;
  for (int l : labels) same += l >= 0 && l == label;
  picked_caption_->setText(label < 0 ? tr("Image %1; its %2 nearest neighbours in feature space:").arg(row).arg(rows.size())
                                     : tr("Image %1, %2; %3 of its %4 nearest neighbours in feature space share its class:")
                                           .arg(row)
                                           .arg(current_->class_names.value(label, QString::number(label)))
                                           .arg(same)
                                           .arg(rows.size()));
  neighbours_->thumbnails()->setSource(int(rows.size()), [this, rows](int i) { return thumbnail(rows.value(i, -1)); },
                                       labels, current_->class_names);
}

void ExplorePanel::showSelection(const QVector<int>& rows) {
  if (!current_) return;
  QVector<int> labels;
  for (int r : rows) labels.push_back(current_->labels.value(r, -1));
  view_->setRinged(rows);
  selection_caption_->setText(rows.size() == 1 ? tr("1 point in the lasso:") : tr("%1 points in the lasso:").arg(rows.size()));
  selection_->thumbnails()->setSource(int(rows.size()), [this, rows](int i) { return thumbnail(rows.value(i, -1)); },
                                      labels, current_->class_names);
}

}  // namespace pretext
