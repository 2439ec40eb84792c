#include "app/gui/pages/studio_page.h"

#include <algorithm>

#include <QComboBox>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "app/gui/app_state.h"
#include "app/gui/empty_state.h"
#include "app/gui/image_convert.h"
#include "engine/augment/crop_geometry.h"
#include "engine/augment/op_table.h"
#include "engine/augment/pipeline.h"
#include "engine/augment/preview.h"
#include "engine/data/image_mat.h"
#include "widgets/histogram_plot.h"
#include "widgets/pipeline_editor.h"
#include "widgets/view_grid.h"

namespace pretext {
namespace {

QJsonObject to_qjson(const nlohmann::json& j) { return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object(); }
nlohmann::json from_qjson(const QJsonObject& o) {
  return nlohmann::json::parse(QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString());
}

QString describe(const OpTrace& t) {
  QString s = QString::fromStdString(t.op) + (t.applied ? "  ✓" : "  –");
  for (const auto& [k, v] : t.values) s += QString("  %1=%2").arg(QString::fromStdString(k)).arg(v, 0, 'g', 4);
  return s;
}

// Box colours that stand out on photographs; the number says which view.
QColor crop_color(size_t view) {
  static const QColor colors[] = {QColor(255, 214, 0), QColor(255, 40, 200), QColor(0, 230, 255), QColor(120, 255, 60)};
  return colors[view % 4];
}

// The original with each view's crop drawn on it in the view's colour and numbered, enlarged so a
// 32-pixel image still shows thin outlines.
QImage draw_crop_boxes(const cv::Mat& original, const std::vector<View>& views) {
  const double f = std::max(1.0, 128.0 / std::max(1, std::min(original.rows, original.cols)));
  QImage out = to_qimage(original).scaled(int(original.cols * f), int(original.rows * f), Qt::IgnoreAspectRatio,
                                          Qt::FastTransformation).convertToFormat(QImage::Format_RGB32);
  QPainter p(&out);
  QFont font = p.font();
  font.setPixelSize(std::max(12, out.height() / 6));
  font.setBold(true);
  p.setFont(font);
  for (size_t v = 0; v < views.size(); ++v) {
    const auto box = crop_of(views[v]);
    if (!box) continue;
    const QRectF r(box->left * f, box->top * f, box->width * f, box->height * f);
    p.setPen(QPen(crop_color(v), std::max(2.0, out.height() / 64.0)));
    p.drawRect(r.adjusted(1, 1, -1, -1));
    p.drawText(r.adjusted(4, 2, 0, 0), Qt::AlignLeft | Qt::AlignTop, QString::number(v + 1));
  }
  return out;
}

StudioGrid render_grid(std::shared_ptr<const ImageSet> set, const std::vector<size_t>& picked, const nlohmann::json& doc,
                  int views, quint64 seed) {
  StudioGrid g;
  try {
    const Pipeline pipeline = Pipeline::from_json(doc);
    for (size_t i : picked) {
      const cv::Mat img = image_mat(*set, i);
      std::vector<View> drawn;
      for (int v = 0; v < std::max<int>(views, 1); ++v)
        drawn.push_back(pipeline.apply(img, static_cast<size_t>(v), seed, int64_t(i), 0));
      QVector<QImage> row{draw_crop_boxes(img, drawn)};
      const int label = set->labels.empty() ? -1 : set->labels[i];
      QVector<QString> traces{QObject::tr("image #%1 %2").arg(i).arg(
          label >= 0 && label < int(set->class_names.size()) ? QString::fromStdString(set->class_names[label]) : QString())};
      for (const View& view : drawn) {
        // Masks and jigsaw tiles are drawn over the view (enlarged so patch borders stay visible).
        const bool overlay = !view.tiles.empty() || view.mask.rows > 0;
        row.push_back(to_qimage(overlay ? render_view(view, std::max(128, view.image.rows * 4)) : view.image));
        QStringList lines;
        for (const auto& t : view.trace) lines << describe(t);
        traces.push_back(lines.join('\n'));
      }
      g.images.push_back(row);
      g.traces.push_back(traces);
    }
  } catch (const std::exception& e) {
    g.error = QString::fromUtf8(e.what());
  }
  return g;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

QVector<double> to_qvector(const std::vector<double>& v) { return QVector<double>(v.begin(), v.end()); }

// Crop scale per view and the two views' IoU over `draws` draws, binned, with the sentence under them.
CropSpread spread_crops(std::shared_ptr<const ImageSet> set, const nlohmann::json& doc, size_t draws, quint64 seed) {
  CropSpread out;
  try {
    const CropDistribution d = sample_crop_distribution(*set, Pipeline::from_json(doc), draws, seed);
    QStringList kept;
    for (size_t v = 0; v < d.scale.size(); ++v) {
      if (d.scale[v].empty()) continue;
      out.scale.push_back({QObject::tr("view %1").arg(v + 1), to_qvector(share_histogram(d.scale[v], 0, 1, 20))});
      kept << QObject::tr("%1 %").arg(100 * median(d.scale[v]), 0, 'f', 0);
    }
    if (kept.isEmpty()) {
      out.summary = QObject::tr("No random crop: every view sees its whole image.");
      return out;
    }
    out.summary = QObject::tr("%1 draws of views 1 and 2: a crop keeps a median %2 of its image").arg(d.draws).arg(kept.join(" / "));
    if (!d.iou.empty()) {
      out.iou.push_back({QObject::tr("views 1 and 2"), to_qvector(share_histogram(d.iou, 0, 1, 20))});
      const double apart = std::count(d.iou.begin(), d.iou.end(), 0.0) / double(d.iou.size());
      out.summary += QObject::tr("; the two views overlap by a median IoU of %1, and %2 % of pairs share no pixel.")
                         .arg(median(d.iou), 0, 'f', 2)
                         .arg(100 * apart, 0, 'f', 0);
    }
  } catch (const std::exception& e) {
    out.summary = QString::fromUtf8(e.what());
  }
  return out;
}

}  // namespace

// The studio: a hint until data opens, the toolbar, the ops beside the views and the zoom, a status line.
StudioPage::StudioPage(AppState* state, QWidget* parent) : QWidget(parent), state_(state) {
  status_ = new QLabel;
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(hint_until_data_opens(
      state_, tr("<b>The augmentation studio.</b> Open a dataset on the Data page: its images appear here beside "
                 "the views a method trains on. Switch ops on and off and move their settings on the left (the "
                 "views redraw at once), compare with another pipeline, then press <i>Use for training</i>.")));
  layout->addLayout(buildToolbar());
  layout->addWidget(buildWorkArea(), 1);
  layout->addWidget(status_);
  connectRefresh();
  loadPreset("simclr-cifar");
}

// Preset, load, save; images, views, pinned images, reseed; the comparison and "Use for training".
QHBoxLayout* StudioPage::buildToolbar() {
  preset_ = new QComboBox;
  compare_ = new QComboBox;
  compare_->addItem(tr("(no comparison)"));
  for (const auto& n : Pipeline::preset_names()) {
    preset_->addItem(QString::fromStdString(n));
    compare_->addItem(QString::fromStdString(n));
  }
  images_ = new QSpinBox;
  images_->setRange(1, 16);
  images_->setValue(5);
  views_ = new QSpinBox;
  views_->setRange(1, 8);
  views_->setValue(2);
  pinned_ = new QLineEdit;
  pinned_->setPlaceholderText(tr("pin images: e.g. 3, 17, 42"));
  auto* reseed = new QPushButton(tr("Reseed"));
  auto* load = new QPushButton(tr("Load…"));
  auto* save = new QPushButton(tr("Save…"));
  auto* use = new QPushButton(tr("Use for training"));
  use->setToolTip(tr("The Train page will run exactly this pipeline document"));

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Preset")));
  bar->addWidget(preset_);
  bar->addWidget(load);
  bar->addWidget(save);
  bar->addSpacing(12);
  bar->addWidget(new QLabel(tr("Images")));
  bar->addWidget(images_);
  bar->addWidget(new QLabel(tr("Views")));
  bar->addWidget(views_);
  bar->addWidget(pinned_, 1);
  bar->addWidget(reseed);
  bar->addSpacing(12);
  bar->addWidget(new QLabel(tr("Compare with")));
  bar->addWidget(compare_);
  bar->addWidget(use);

  connect(preset_, &QComboBox::currentTextChanged, this, &StudioPage::loadPreset);
  connect(compare_, &QComboBox::currentIndexChanged, this, [this] { scheduleRefresh(); });
  connect(images_, &QSpinBox::valueChanged, this, [this] { scheduleRefresh(); });
  connect(views_, &QSpinBox::valueChanged, this, [this] { scheduleRefresh(); });
  connect(pinned_, &QLineEdit::editingFinished, this, [this] { scheduleRefresh(); });
  connect(reseed, &QPushButton::clicked, this, [this] {
    ++seed_;
    scheduleRefresh();
  });
  connect(use, &QPushButton::clicked, this, [this] {
    state_->setPipelineJson(QJsonDocument(editor_->pipeline()).toJson(QJsonDocument::Compact));
    status_->setText(tr("The Train page now uses this pipeline."));
  });
  connect(save, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, tr("Save pipeline"), "pipeline.json", tr("JSON (*.json)"));
    if (f.isEmpty()) return;
    QFile out(f);
    if (out.open(QIODevice::WriteOnly)) out.write(QJsonDocument(editor_->pipeline()).toJson());
    else status_->setText(tr("Cannot write %1").arg(f));
  });
  connect(load, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Load pipeline"), QString(), tr("JSON (*.json)"));
    if (!f.isEmpty()) loadPreset(f);
  });
  return bar;
}

// The pipeline's ops, the views of this pipeline (and of the one compared), the zoomed view.
QSplitter* StudioPage::buildWorkArea() {
  editor_ = new PipelineEditor;
  editor_->setMinimumWidth(300);
  QMap<QString, PipelineEditor::OpKindInfo> kinds;
  for (const auto& kind : op_kinds())
    kinds[QString::fromStdString(kind.name)] = {QString::fromStdString(kind.help), kind.firing == OpFiring::kWithProbability};
  editor_->setOpKinds(kinds);
  grid_ = new ViewGrid;
  compare_grid_ = new ViewGrid;
  compare_grid_->hide();
  auto* grids = new QSplitter(Qt::Horizontal);
  auto* a_box = new QGroupBox(tr("This pipeline"));
  (new QVBoxLayout(a_box))->addWidget(grid_);
  compare_box_ = new QGroupBox(tr("Comparison"));
  (new QVBoxLayout(compare_box_))->addWidget(compare_grid_);
  compare_box_->setVisible(false);
  grids->addWidget(a_box);
  grids->addWidget(compare_box_);
  auto* views_and_crops = new QSplitter(Qt::Vertical);
  views_and_crops->addWidget(grids);
  views_and_crops->addWidget(buildCropPanel());
  views_and_crops->setStretchFactor(0, 3);
  views_and_crops->setStretchFactor(1, 1);

  zoom_image_ = new QLabel;
  zoom_image_->setMinimumSize(220, 220);
  zoom_image_->setAlignment(Qt::AlignCenter);
  zoom_trace_ = new QPlainTextEdit;
  zoom_trace_->setReadOnly(true);
  zoom_trace_->setFont(QFont("monospace", 9));
  auto* zoom_box = new QGroupBox(tr("Zoomed view and its op trace (click a view)"));
  auto* zl = new QVBoxLayout(zoom_box);
  zl->addWidget(zoom_image_, 0, Qt::AlignHCenter);
  zl->addWidget(zoom_trace_, 1);
  zoom_box->setMaximumWidth(320);
  auto* split = new QSplitter(Qt::Horizontal);
  auto* editor_box = new QGroupBox(tr("Ops"));
  (new QVBoxLayout(editor_box))->addWidget(editor_);
  split->addWidget(editor_box);
  split->addWidget(views_and_crops);
  split->addWidget(zoom_box);
  split->setStretchFactor(1, 3);
  return split;
}

// What the network will be asked to be invariant to, before training: the crops' scale and overlap.
QGroupBox* StudioPage::buildCropPanel() {
  crop_scale_ = new HistogramPlot(tr("share of the image a crop keeps"), 0, 1);
  crop_iou_ = new HistogramPlot(tr("IoU of the two views' crops"), 0, 1);
  crop_summary_ = new QLabel;
  crop_summary_->setWordWrap(true);
  auto* box = new QGroupBox(tr("Crops over many draws of this pipeline"));
  auto* layout = new QVBoxLayout(box);
  auto* plots = new QHBoxLayout;
  plots->addWidget(crop_scale_);
  plots->addWidget(crop_iou_);
  layout->addLayout(plots, 1);
  layout->addWidget(crop_summary_);
  box->setMinimumHeight(240);  // the legends below the axes stay visible
  connect(&crops_watcher_, &QFutureWatcherBase::finished, this, [this] {
    const CropSpread s = crops_watcher_.result();
    crop_scale_->setSeries(s.scale);
    crop_iou_->setSeries(s.iou);
    crop_summary_->setText(s.summary);
  });
  return box;
}

// Any change redraws the views on a worker, coalesced; the result lands in the grids.
void StudioPage::connectRefresh() {
  debounce_.setSingleShot(true);
  debounce_.setInterval(40);  // coalesces a slider drag into a few redraws
  connect(&debounce_, &QTimer::timeout, this, &StudioPage::refresh);
  connect(&watcher_, &QFutureWatcherBase::finished, this, [this] {
    const auto [a, b] = watcher_.result();
    QStringList titles{tr("original")};
    for (int v = 0; v < views_->value(); ++v) titles << tr("view %1").arg(v + 1);
    if (!a.error.isEmpty()) status_->setText(tr("Pipeline error: %1").arg(a.error));
    else status_->setText(tr("seed %1 · %2 images × %3 views").arg(seed_).arg(a.images.size()).arg(views_->value()));
    shown_ = a;
    grid_->setRows(a.images, titles);
    const bool comparing = compare_->currentIndex() > 0;
    compare_box_->setVisible(comparing);
    compare_grid_->setVisible(comparing);
    if (comparing) compare_grid_->setRows(b.images, titles);
    if (zoom_row_ >= 0) showZoom(zoom_row_, zoom_col_);  // the zoomed view follows parameter changes
  });
  connect(editor_, &PipelineEditor::changed, this, [this] { scheduleRefresh(); });
  connect(grid_, &ViewGrid::cellClicked, this, &StudioPage::showZoom);
  connect(state_, &AppState::datasetLoaded, this, [this] { scheduleRefresh(); });
}

void StudioPage::loadPreset(const QString& name) {
  try {
    showPipeline(Pipeline::load(name.toStdString()).to_json(), name);
  } catch (const std::exception& e) {
    status_->setText(tr("Cannot load %1: %2").arg(name, e.what()));
  }
}

void StudioPage::showPipeline(const nlohmann::json& document, const QString& name) {
  try {
    const Pipeline pipeline = Pipeline::from_json(document);
    editor_->setPipeline(to_qjson(pipeline.to_json()));
    // As many views as the pipeline defines (RotNet's four rotations), at least the usual pair.
    views_->setValue(std::clamp(static_cast<int>(pipeline.view_count()), 2, views_->maximum()));
    // A file loaded from disk joins the list so the combo always names what is shown.
    if (preset_->findText(name) < 0) preset_->addItem(name);
    preset_->blockSignals(true);
    preset_->setCurrentText(name);
    preset_->blockSignals(false);
    scheduleRefresh();
  } catch (const std::exception& e) {
    status_->setText(tr("Cannot load %1: %2").arg(name, e.what()));
  }
}

std::vector<size_t> StudioPage::chosenImages() const {
  auto set = state_->sample();
  std::vector<size_t> picked;
  for (const QString& part : pinned_->text().split(',', Qt::SkipEmptyParts)) {
    bool ok = false;
    const qulonglong i = part.trimmed().toULongLong(&ok);
    if (ok && i < set->size()) picked.push_back(i);
  }
  for (size_t i : spread_indices(set->size(), static_cast<size_t>(images_->value()))) {
    if (picked.size() >= static_cast<size_t>(images_->value())) break;
    if (std::find(picked.begin(), picked.end(), i) == picked.end()) picked.push_back(i);
  }
  return picked;
}

void StudioPage::refresh() {
  auto set = state_->sample();
  if (!set) return;
  const auto picked = chosenImages();
  const nlohmann::json a = from_qjson(editor_->pipeline());
  nlohmann::json b;
  if (compare_->currentIndex() > 0) {
    try {
      b = Pipeline::load(compare_->currentText().toStdString()).to_json();
    } catch (const std::exception&) {
    }
  }
  const int views = views_->value();
  const quint64 seed = seed_;
  crops_watcher_.setFuture(QtConcurrent::run([set, a, seed] { return spread_crops(set, a, 500, seed); }));
  // Augmentation runs on a worker; the grids update together when it is done.
  watcher_.setFuture(QtConcurrent::run([set, picked, a, b, views, seed] {
    return qMakePair(render_grid(set, picked, a, views, seed), b.is_null() ? StudioGrid{} : render_grid(set, picked, b, views, seed));
  }));
}

void StudioPage::showZoom(int row, int col) {
  if (row >= shown_.images.size() || col >= shown_.images[row].size()) return;
  zoom_row_ = row;
  zoom_col_ = col;
  const QImage img = shown_.images[row][col];
  zoom_image_->setPixmap(QPixmap::fromImage(img.scaled(216, 216, Qt::KeepAspectRatio, Qt::FastTransformation)));
  QString text = shown_.traces[row][0];
  if (col > 0) text += "\n" + tr("view %1:").arg(col) + "\n" + shown_.traces[row][col];
  zoom_trace_->setPlainText(text);
}

}  // namespace pretext
