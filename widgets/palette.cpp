#include "widgets/palette.h"

#include <QEvent>
#include <algorithm>

#include "widgets/qcp.h"

namespace pretext {
namespace {

void style_axis(QCPAxis* axis, const QColor& text, const QColor& grid) {
  const QPen line(text, 0);
  axis->setBasePen(line);
  axis->setTickPen(line);
  axis->setSubTickPen(line);
  axis->setTickLabelColor(text);
  axis->setLabelColor(text);
  axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
  axis->grid()->setZeroLinePen(QPen(grid, 0));
}

void apply_palette(QCustomPlot* plot) {
  const QPalette& pal = plot->palette();
  const QColor base = pal.color(QPalette::Base), text = pal.color(QPalette::Text);
  QColor grid = pal.color(QPalette::Mid);
  grid.setAlpha(160);
  plot->setBackground(base);
  for (QCPLayoutElement* e : plot->plotLayout()->elements(true)) {
    if (auto* rect = qobject_cast<QCPAxisRect*>(e)) {
      rect->setBackground(Qt::NoBrush);
      for (QCPAxis* axis : rect->axes()) style_axis(axis, text, grid);
    } else if (auto* scale = qobject_cast<QCPColorScale*>(e)) {
      style_axis(scale->axis(), text, grid);
    } else if (auto* title = qobject_cast<QCPTextElement*>(e)) {
      title->setTextColor(text);
    }
  }
  if (plot->legend) {
    QColor fill = base;
    fill.setAlpha(200);
    plot->legend->setBrush(fill);
    plot->legend->setBorderPen(QPen(grid));
    plot->legend->setTextColor(text);
  }
}

// Re-applies when the widget is polished (after its owner has added colour scales and legends) and on
// palette changes (a theme switch at run time, or a parent's new palette).
class PaletteFollower : public QObject {
 public:
  explicit PaletteFollower(QCustomPlot* plot) : QObject(plot), plot_(plot) {}
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (watched == plot_ && (event->type() == QEvent::PaletteChange || event->type() == QEvent::Polish)) {
      apply_palette(plot_);
      plot_->replot(QCustomPlot::rpQueuedReplot);
    }
    return false;
  }

 private:
  QCustomPlot* plot_;
};

}  // namespace

QColor class_color(int label) {
  // Paul Tol's "muted" scheme (SRON/EPS/TN/09-002, 2021): categorical, distinct under the common
  // colour-vision deficiencies; its pale grey, which vanishes on a light background, is replaced by a
  // mid grey. (Tableau 10 before: T-shirt/Shirt and Pullover/Bag were hard to tell apart.)
  static const QRgb kColors[] = {0x332288, 0x88ccee, 0x44aa99, 0x117733, 0x999933,
                                 0xddcc77, 0xcc6677, 0x882255, 0xaa4499, 0x777777};
  if (label < 0) return QColor(0x80, 0x80, 0x80);
  return QColor(kColors[label % 10]);
}

void legend_below_axes(QCustomPlot* plot) {
  // The legend shares its row with an empty cell of any width: a layout column is as narrow as the
  // narrowest maximum in it, and a hidden, empty legend's would have squeezed the axes to 50 px.
  auto* row = new QCPLayoutGrid;
  plot->plotLayout()->addElement(1, 0, row);
  plot->plotLayout()->setRowStretchFactor(1, 0.001);
  row->addElement(0, 0, plot->legend);
  row->addElement(0, 1, new QCPLayoutElement(plot));
  row->setColumnStretchFactor(1, 0.001);
  // As many entries side by side as the width holds (one per 110 px), so names are not cut.
  QObject::connect(plot, &QCustomPlot::beforeReplot, plot,
                   [plot] { plot->legend->setWrap(std::clamp(plot->axisRect()->width() / 110, 1, 4)); });
  plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot->legend->setWrap(2);
  plot->legend->setBorderPen(Qt::NoPen);
  plot->legend->setBrush(Qt::NoBrush);
  plot->legend->setMargins(QMargins(2, 0, 2, 2));
}

void fit_ticks_to_size(QCustomPlot* plot) {
  QObject::connect(plot, &QCustomPlot::beforeReplot, plot, [plot] {
    const QRect r = plot->axisRect()->rect();
    plot->xAxis->ticker()->setTickCount(std::clamp(r.width() / 55, 2, 6));
    plot->yAxis->ticker()->setTickCount(std::clamp(r.height() / 55, 2, 6));
  });
}

void follow_palette(QCustomPlot* plot) {
  apply_palette(plot);
  plot->installEventFilter(new PaletteFollower(plot));
}

}  // namespace pretext
