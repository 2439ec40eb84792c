#include "app/gui/pages/data_page.h"

#include <QComboBox>
#include <algorithm>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "app/gui/app_state.h"
#include "app/gui/image_convert.h"
#include "engine/data/image_mat.h"
#include "engine/data/summary.h"
#include "widgets/bar_chart.h"
#include "widgets/thumbnail_grid.h"

namespace pretext {

DataPage::DataPage(AppState* state, QWidget* parent) : QWidget(parent), state_(state) {
  path_ = new QLineEdit;
  path_->setPlaceholderText(tr("folder of images, or an IDX file — or drop a folder on the window"));
  auto* folder = new QPushButton(tr("Open folder…"));
  auto* file = new QPushButton(tr("Open file…"));
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Dataset")));
  bar->addWidget(path_, 1);
  bar->addWidget(folder);
  bar->addWidget(file);
  summary_ = new QLabel(tr("<b>No dataset open.</b> Open a folder of images (one sub-folder per class, if labelled) "
                           "or an IDX/CIFAR binary file with the buttons above, or drop one on the window. Then look "
                           "at its augmented views on the Studio page and train on the Train page."));
  summary_->setWordWrap(true);
  class_filter_ = new QComboBox;
  class_filter_->addItem(tr("all classes"), -1);
  grid_ = new ThumbnailGrid;
  auto* grid_box = new QGroupBox(tr("Images"));
  auto* gl = new QVBoxLayout(grid_box);
  auto* filter_row = new QHBoxLayout;
  filter_row->addWidget(new QLabel(tr("Show")));
  filter_row->addWidget(class_filter_);
  filter_row->addStretch(1);
  gl->addLayout(filter_row);
  gl->addWidget(grid_, 1);

  counts_ = new BarChart(tr("images"));
  bad_ = new QTableWidget(0, 2);
  bad_->setHorizontalHeaderLabels({tr("File"), tr("Reason")});
  bad_->horizontalHeader()->setStretchLastSection(true);
  bad_->verticalHeader()->hide();
  auto* counts_box = new QGroupBox(tr("Images per class"));
  (new QVBoxLayout(counts_box))->addWidget(counts_);
  sizes_ = new BarChart(tr("images"));
  auto* sizes_box = new QGroupBox(tr("Original image sizes (H×W)"));
  (new QVBoxLayout(sizes_box))->addWidget(sizes_);
  auto* bad_box = new QGroupBox(tr("Skipped files"));
  (new QVBoxLayout(bad_box))->addWidget(bad_);
  auto* side = new QSplitter(Qt::Vertical);
  side->addWidget(counts_box);
  side->addWidget(sizes_box);
  side->addWidget(bad_box);
  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(grid_box);
  split->addWidget(side);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(bar);
  layout->addWidget(summary_);
  layout->addWidget(split, 1);

  connect(path_, &QLineEdit::returnPressed, this, [this] { state_->openDataset(path_->text()); });
  connect(folder, &QPushButton::clicked, this, [this] {
    const QString d = QFileDialog::getExistingDirectory(this, tr("Open a folder of images"), path_->text());
    if (!d.isEmpty()) state_->openDataset(d);
  });
  connect(file, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Open an image file set"), path_->text(),
                                                   tr("IDX files (*-ubyte *.gz);;All files (*)"));
    if (!f.isEmpty()) state_->openDataset(f);
  });
  connect(class_filter_, &QComboBox::currentIndexChanged, this, [this] {
    grid_->thumbnails()->setClassFilter(class_filter_->currentData().toInt());
    showSummary();
  });
  connect(state_, &AppState::datasetLoading, this, [this](const QString& p) {
    path_->setText(p);
    summary_->setText(tr("Loading %1…").arg(p));
  });
  connect(state_, &AppState::datasetFailed, this,
          [this](const QString& m) { summary_->setText(tr("Cannot open: %1").arg(m)); });
  connect(state_, &AppState::datasetLoaded, this, &DataPage::showDataset);
}

// What is open and what the grid shows: the whole set, or the images of the class filtered to. (A run's
// image limit is the Train page's: the data page shows the set as it is.)
void DataPage::showSummary() {
  const auto set = state_->sample();
  if (!set) return;
  const int cls = class_filter_->currentData().toInt();
  QString shown;
  if (cls >= 0) {
    const auto n = std::count(set->labels.begin(), set->labels.end(), cls);
    shown = tr(" — showing the %1 of class %2").arg(n).arg(class_filter_->currentText().toHtmlEscaped());
  }
  summary_->setText(tr("<b>%1</b> — %2 images, %3×%4, %5 channel(s), %6 classes, %7 files skipped%8")
                        .arg(QString::fromStdString(set->origin).toHtmlEscaped())
                        .arg(set->size())
                        .arg(set->width)
                        .arg(set->height)
                        .arg(set->channels)
                        .arg(set->class_names.size())
                        .arg(set->bad.size())
                        .arg(shown));
}

void DataPage::showDataset() {
  const auto set = state_->sample();
  if (!set) return;
  showSummary();
  QStringList names;
  for (const auto& n : set->class_names) names << QString::fromStdString(n);
  QVector<int> labels(set->labels.begin(), set->labels.end());
  // The provider keeps the set alive and converts only the thumbnails the view asks for.
  grid_->thumbnails()->setSource(static_cast<int>(set->size()), [set](int i) { return to_qimage(image_mat(*set, size_t(i))); },
                                 labels, names);
  class_filter_->blockSignals(true);
  class_filter_->clear();
  class_filter_->addItem(tr("all classes"), -1);
  for (int c = 0; c < names.size(); ++c) class_filter_->addItem(names[c], c);
  class_filter_->blockSignals(false);
  showSummary();

  QVector<double> counts(names.size(), 0);
  for (int l : set->labels)
    if (l >= 0 && l < counts.size()) counts[l] += 1;
  counts_->setBars(names, counts);
  // The most common original sizes (files are resized to one size in the cache).
  const DatasetSummary summary = summarize(*set, 2000);
  std::vector<std::pair<size_t, std::string>> by_count;
  for (const auto& [size, n] : summary.original_sizes) by_count.emplace_back(n, size);
  std::sort(by_count.rbegin(), by_count.rend());
  QStringList size_names;
  QVector<double> size_counts;
  for (size_t i = 0; i < by_count.size() && i < 12; ++i) {
    size_names << QString::fromStdString(by_count[i].second);
    size_counts << double(by_count[i].first);
  }
  sizes_->setBars(size_names, size_counts);
  bad_->setRowCount(static_cast<int>(set->bad.size()));
  for (int i = 0; i < static_cast<int>(set->bad.size()); ++i) {
    // Long paths are cut by the column: the whole text is in the tooltip.
    for (int c = 0; c < 2; ++c) {
      const QString text = QString::fromStdString(c == 0 ? set->bad[i].path : set->bad[i].reason);
      auto* item = new QTableWidgetItem(text);
      item->setToolTip(text);
      bad_->setItem(i, c, item);
    }
  }
}

}  // namespace pretext
