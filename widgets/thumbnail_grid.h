#pragma once
// A virtualised grid of image thumbnails: only visible items are ever rendered, and rendered
// thumbnails are cached, so 100k-image datasets scroll smoothly. Images come from a provider
// function (index -> QImage), so the widget never holds the dataset itself.
#include <QAbstractListModel>
#include <QCache>
#include <QListView>
#include <functional>

namespace pretext {

class ThumbnailModel : public QAbstractListModel {
  Q_OBJECT
 public:
  using Provider = std::function<QImage(int)>;
  explicit ThumbnailModel(QObject* parent = nullptr);

  // count images; labels (may be empty) and class names are used for tooltips and filtering.
  void setSource(int count, Provider provider, const QVector<int>& labels, const QStringList& class_names);
  void setClassFilter(int label);  // -1 = all classes
  int sourceIndex(int row) const { return rows_.value(row, -1); }

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

 private:
  Provider provider_;
  QVector<int> labels_, rows_;
  QStringList names_;
  int count_ = 0;
  mutable QCache<int, QPixmap> cache_;
};

class ThumbnailGrid : public QListView {
  Q_OBJECT
 public:
  explicit ThumbnailGrid(QWidget* parent = nullptr);
  ThumbnailModel* thumbnails() const { return model_; }
  static constexpr int kCell = 72;

 private:
  ThumbnailModel* model_;
};

}  // namespace pretext
