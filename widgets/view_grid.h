#pragma once
// A grid of images: one row per source image, one column per view (the original first). Small
// images are scaled up without smoothing so single pixels stay visible.
#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

namespace pretext {

class ViewGrid : public QWidget {
  Q_OBJECT
 public:
  explicit ViewGrid(QWidget* parent = nullptr);

  void setRows(const QVector<QVector<QImage>>& rows, const QStringList& column_titles);
  int rowCount() const { return rows_.size(); }
  int columnCount() const { return rows_.isEmpty() ? 0 : rows_.first().size(); }
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return {160, 120}; }
  QRect cellRect(int row, int col) const;

 Q_SIGNALS:
  void cellClicked(int row, int col);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* e) override;

 private:
  QVector<QVector<QImage>> rows_;
  QStringList titles_;
  QPoint selected_{-1, -1};
};

}  // namespace pretext
