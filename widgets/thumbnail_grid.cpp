#include "widgets/thumbnail_grid.h"

#include <QPixmap>

namespace pretext {

ThumbnailModel::ThumbnailModel(QObject* parent) : QAbstractListModel(parent), cache_(4000) {}

void ThumbnailModel::setSource(int count, Provider provider, const QVector<int>& labels, const QStringList& names) {
  beginResetModel();
  count_ = count;
  provider_ = std::move(provider);
  labels_ = labels;
  names_ = names;
  cache_.clear();
  rows_.resize(count);
  for (int i = 0; i < count; ++i) rows_[i] = i;
  endResetModel();
}

void ThumbnailModel::setClassFilter(int label) {
  beginResetModel();
  rows_.clear();
  for (int i = 0; i < count_; ++i)
    if (label < 0 || (i < labels_.size() && labels_[i] == label)) rows_.push_back(i);
  endResetModel();
}

int ThumbnailModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }

QVariant ThumbnailModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const int i = rows_[index.row()];
  if (role == Qt::DecorationRole) {
    if (QPixmap* p = cache_.object(i)) return *p;
    const QImage img = provider_ ? provider_(i) : QImage();
    const int side = ThumbnailGrid::kCell - 8;
    // Small images are enlarged without smoothing so their pixels stay honest.
    auto* pm = new QPixmap(QPixmap::fromImage(img.scaled(side, side, Qt::KeepAspectRatio,
                                                         img.width() < side ? Qt::FastTransformation : Qt::SmoothTransformation)));
    cache_.insert(i, pm);
    return *pm;
  }
  if (role == Qt::ToolTipRole) {
    const int l = i < labels_.size() ? labels_[i] : -1;
    return tr("#%1 %2").arg(i).arg(l >= 0 ? (l < names_.size() ? names_[l] : QString::number(l)) : QString());
  }
  return {};
}

ThumbnailGrid::ThumbnailGrid(QWidget* parent) : QListView(parent), model_(new ThumbnailModel(this)) {
  setModel(model_);
  setViewMode(QListView::IconMode);
  setUniformItemSizes(true);  // the view then lays out 100k items without asking each one
  setLayoutMode(QListView::Batched);
  setBatchSize(500);
  setMovement(QListView::Static);
  setResizeMode(QListView::Adjust);
  setGridSize(QSize(kCell, kCell));
  setIconSize(QSize(kCell - 8, kCell - 8));
  setSpacing(0);
  setSelectionMode(QAbstractItemView::ExtendedSelection);
}

}  // namespace pretext
