#include "widgets/heatmap_plot.h"

#include <QResizeEvent>
#include <QVBoxLayout>

#include "widgets/palette.h"
#include "widgets/plot_export.h"
#include "widgets/qcp.h"

namespace pretext {

HeatmapPlot::HeatmapPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  enable_plot_export(plot_);
  follow_style(plot_);
  map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
  map_->data()->clear();  // nothing until the first matrix (its default cells drew a black square)
  auto* scale = new QCPColorScale(plot_);
  plot_->plotLayout()->addElement(0, 1, scale);
  map_->setColorScale(scale);
  map_->setGradient(QCPColorGradient::gpPolar);  // diverging: 0 is neutral, +-1 saturated
  map_->setDataRange(QCPRange(-1, 1));
  plot_->yAxis->setRangeReversed(true);  // row 0 at the top, as a matrix is read
  plot_->xAxis->setLabel(tr("view 2 dim"));
  plot_->xAxis->ticker()->setTickCount(4);  // dimension indices crowd a small panel
  plot_->yAxis->ticker()->setTickCount(4);
  plot_->yAxis->setLabel(tr("view 1 dim"));
  plot_->setMinimumSize(150, 140);
}

void HeatmapPlot::setMatrix(int n, const QVector<float>& v) {
  n_ = n;
  map_->data()->setSize(n, n);
  map_->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) map_->data()->setCell(c, r, r * n + c < v.size() ? v[r * n + c] : 0);
  fit();
}

void HeatmapPlot::clear() {
  n_ = 0;
  map_->data()->clear();
  plot_->replot();
}

void HeatmapPlot::fit() {
  if (n_ <= 0) return;
  plot_->xAxis->setRange(-0.5, n_ - 0.5);
  plot_->yAxis->setRange(-0.5, n_ - 0.5);
  plot_->replot();
  // Square cells: the longer side of the plot area gets the margin, so every dimension stays visible.
  const QRect r = plot_->axisRect()->rect();
  if (r.width() >= r.height()) plot_->xAxis->setScaleRatio(plot_->yAxis, 1.0);
  else plot_->yAxis->setScaleRatio(plot_->xAxis, 1.0);
  plot_->replot();
}

void HeatmapPlot::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  fit();
}

double HeatmapPlot::value(int row, int col) const { return map_->data()->cell(col, row); }

}  // namespace pretext
