#include "widgets/histogram_plot.h"

#include <QVBoxLayout>

#include "widgets/palette.h"
#include "widgets/plot_export.h"
#include "widgets/qcp.h"

namespace pretext {

HistogramPlot::HistogramPlot(const QString& x_label, double lo, double hi, QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)), lo_(lo), hi_(hi) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  enable_plot_export(plot_);
  follow_style(plot_);
  plot_->xAxis->setLabel(x_label);
  plot_->yAxis->setLabel(tr("fraction"));
  plot_->xAxis->setRange(lo, hi);
  plot_->legend->setVisible(true);
  legend_below_axes(plot_);
  fit_ticks_to_size(plot_);
  plot_->setMinimumSize(150, 120);  // four side by side fit a 1366 px screen with the launcher
}

void HistogramPlot::setSeries(const QVector<QPair<QString, QVector<double>>>& series) {
  plot_->clearPlottables();
  double top = 0;
  for (int s = 0; s < series.size(); ++s) {
    const auto& bins = series[s].second;
    if (bins.isEmpty()) continue;
    auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
    const double width = (hi_ - lo_) / bins.size();
    QVector<double> centers;
    for (int i = 0; i < bins.size(); ++i) centers.push_back(lo_ + (i + 0.5) * width);
    bars->setData(centers, bins, true);
    bars->setWidth(width);
    QColor c = class_color(s);
    bars->setPen(QPen(c.darker(130)));
    c.setAlpha(120);  // overlaid: both distributions stay visible where they overlap
    bars->setBrush(c);
    bars->setName(series[s].first);
    for (double v : bins) top = std::max(top, v);
  }
  plot_->yAxis->setRange(0, top > 0 ? top * 1.1 : 1);
  plot_->replot();
}

int HistogramPlot::seriesCount() const { return plot_->plottableCount(); }

}  // namespace pretext
