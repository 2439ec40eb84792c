#include "widgets/palette.h"

#include <QApplication>
#include <QEvent>
#include <algorithm>

#include "widgets/qcp.h"

namespace pretext {
namespace {

void style_axis(QCPAxis* axis, const QColor& text, const QColor& grid, const QFont& font) {
  const QPen line(text, 0);
  axis->setBasePen(line);
  axis->setTickPen(line);
  axis->setSubTickPen(line);
  axis->setTickLabelColor(text);
  axis->setLabelColor(text);
  axis->setTickLabelFont(font);
  axis->setLabelFont(font);
  axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
  axis->grid()->setZeroLinePen(QPen(grid, 0));
}

// Colours from the widget's palette, text in the widget's font (a legend names; a little smaller, it
// does not outweigh the data).
void apply_style(QCustomPlot* plot) {
  const QPalette& pal = plot->palette();
  const QColor base = pal.color(QPalette::Base), text = pal.color(QPalette::Text);
  QColor grid = pal.color(QPalette::Mid);
  grid.setAlpha(160);
  const QFont font = plot->font();
  QFont bold = font, legend = font;
  bold.setBold(true);
  if (font.pointSizeF() > 0) legend.setPointSizeF(font.pointSizeF() * 0.85);  // (a pixel-sized font has none)
  plot->setBackground(base);
  for (QCPLayoutElement* e : plot->plotLayout()->elements(true)) {
    if (auto* rect = qobject_cast<QCPAxisRect*>(e)) {
      rect->setBackground(Qt::NoBrush);
      for (QCPAxis* axis : rect->axes()) style_axis(axis, text, grid, font);
    } else if (auto* scale = qobject_cast<QCPColorScale*>(e)) {
      style_axis(scale->axis(), text, grid, font);
    } else if (auto* title = qobject_cast<QCPTextElement*>(e)) {
      title->setTextColor(text);
      title->setFont(bold);
    }
  }
  if (plot->legend) {
    QColor fill = base;
    fill.setAlpha(200);
    plot->legend->setBrush(fill);
    plot->legend->setBorderPen(QPen(grid));
    plot->legend->setTextColor(text);
    plot->legend->setFont(legend);
  }
}

double g_line_scale = 1.0;

// Each plottable's own pen width is kept beside it the first time it is drawn, so scaling is never
// compounded and returns exactly to 1.
void apply_line_scale(QCustomPlot* plot) {
  constexpr const char* kOwnWidth = "pretext_own_pen_width";
  for (int i = 0; i < plot->plottableCount(); ++i) {
    QCPAbstractPlottable* p = plot->plottable(i);
    QVariant own = p->property(kOwnWidth);
    if (!own.isValid()) p->setProperty(kOwnWidth, own = p->pen().widthF());
    QPen pen = p->pen();
    pen.setWidthF(own.toDouble() * g_line_scale);
    p->setPen(pen);
  }
}

// Re-applies when the widget is polished (after its owner has added colour scales and legends), on
// palette changes (a theme switch at run time, or a parent's new palette) and on font changes (the
// application's font, which presentation mode enlarges).
class StyleFollower : public QObject {
 public:
  explicit StyleFollower(QCustomPlot* plot) : QObject(plot), plot_(plot) {}
  bool eventFilter(QObject* watched, QEvent* event) override {
    const auto type = event->type();
    if (watched == plot_ && (type == QEvent::PaletteChange || type == QEvent::FontChange || type == QEvent::Polish)) {
      apply_style(plot_);
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

void follow_style(QCustomPlot* plot) {
  apply_style(plot);
  plot->installEventFilter(new StyleFollower(plot));
  QObject::connect(plot, &QCustomPlot::beforeReplot, plot, [plot] { apply_line_scale(plot); });
}

void set_plot_line_scale(double scale) {
  g_line_scale = scale;
  for (QWidget* w : QApplication::allWidgets())
    if (auto* plot = qobject_cast<QCustomPlot*>(w)) plot->replot(QCustomPlot::rpQueuedReplot);
}

double plot_line_scale() { return g_line_scale; }

}  // namespace pretext
