#include "widgets/view_grid.h"

#include <algorithm>

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>

namespace pretext {

ViewGrid::ViewGrid(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ViewGrid::setRows(const QVector<QVector<QImage>>& rows, const QStringList& titles) {
  rows_ = rows;
  titles_ = titles;
  updateGeometry();
  update();
}

QSize ViewGrid::sizeHint() const { return {3 * 96, 4 * 96}; }

QRect ViewGrid::cellRect(int r, int c) const {
  const int cols = std::max(1, columnCount()), nrows = std::max(1, rowCount());
  const int title_h = titles_.isEmpty() ? 0 : fontMetrics().height() + 4;
  const int gap = 4;
  const int cell = std::max(8, std::min((width() - gap * (cols + 1)) / cols, (height() - title_h - gap * (nrows + 1)) / nrows));
  const int x0 = (width() - (cell * cols + gap * (cols - 1))) / 2;
  return {x0 + c * (cell + gap), title_h + gap + r * (cell + gap), cell, cell};
}

void ViewGrid::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  if (rows_.isEmpty()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect().adjusted(8, 0, -8, 0), Qt::AlignCenter | Qt::TextWordWrap,
               tr("Open a dataset to preview its augmented views"));
    return;
  }
  p.setPen(palette().color(QPalette::Text));
  for (int c = 0; c < columnCount() && c < titles_.size(); ++c) {
    // A title wider than its column is set smaller (down to 60 %), then elided: narrow columns showed
    // the middle of their neighbours' words ("mage iew : iew 2").
    const QRect cell = cellRect(0, c);
    QFont f = font();
    const int wide = QFontMetrics(f).horizontalAdvance(titles_[c]);
    if (wide > cell.width()) f.setPointSizeF(f.pointSizeF() * std::max(0.6, double(cell.width()) / wide));
    p.setFont(f);
    const QString shown = QFontMetrics(f).elidedText(titles_[c], Qt::ElideRight, cell.width());
    p.drawText(QRect(cell.x(), 0, cell.width(), cell.y() - 2), Qt::AlignCenter, shown);
  }
  p.setFont(font());
  p.setRenderHint(QPainter::SmoothPixmapTransform, false);
  for (int r = 0; r < rowCount(); ++r)
    for (int c = 0; c < rows_[r].size(); ++c) p.drawImage(cellRect(r, c), rows_[r][c]);
  if (selected_.x() >= 0 && selected_.y() < rowCount()) {
    p.setPen(QPen(palette().color(QPalette::Highlight), 3));
    p.drawRect(cellRect(selected_.y(), selected_.x()).adjusted(-2, -2, 1, 1));
  }
}

void ViewGrid::mousePressEvent(QMouseEvent* e) {
  for (int r = 0; r < rowCount(); ++r)
    for (int c = 0; c < rows_[r].size(); ++c)
      if (cellRect(r, c).contains(e->pos())) {
        selected_ = {c, r};
        update();
        Q_EMIT cellClicked(r, c);
        return;
      }
}

}  // namespace pretext
