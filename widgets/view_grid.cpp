#include "widgets/view_grid.h"

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

void ViewGrid::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  if (rows_.isEmpty()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignCenter, tr("Open a dataset to preview its augmented views"));
    return;
  }
  const int cols = columnCount(), nrows = rows_.size();
  const int title_h = titles_.isEmpty() ? 0 : fontMetrics().height() + 4;
  const int gap = 4;
  const int cell = std::max(8, std::min((width() - gap * (cols + 1)) / cols, (height() - title_h - gap * (nrows + 1)) / nrows));
  const int x0 = (width() - (cell * cols + gap * (cols - 1))) / 2;
  p.setPen(palette().color(QPalette::Text));
  for (int c = 0; c < cols && c < titles_.size(); ++c)
    p.drawText(QRect(x0 + c * (cell + gap), 0, cell, title_h), Qt::AlignCenter, titles_[c]);
  p.setRenderHint(QPainter::SmoothPixmapTransform, false);
  for (int r = 0; r < nrows; ++r)
    for (int c = 0; c < rows_[r].size(); ++c) {
      const QRect target(x0 + c * (cell + gap), title_h + gap + r * (cell + gap), cell, cell);
      p.drawImage(target, rows_[r][c]);
    }
}

}  // namespace pretext
