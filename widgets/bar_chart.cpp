#include "widgets/bar_chart.h"

#include <algorithm>
#include <cmath>

#include <QFontMetrics>
#include <QVBoxLayout>

#include "widgets/palette.h"
#include "widgets/plot_export.h"
#include "widgets/qcp.h"

namespace pretext {

BarChart::BarChart(const QString& y_label, QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  enable_plot_export(plot_);
  follow_style(plot_);
  plot_->yAxis->setLabel(y_label);
  plot_->setMinimumSize(200, 140);
  legend_below_axes(plot_);  // two runs' legend would cover the tallest bars inside the axes
}

void BarChart::setBars(const QStringList& labels, const QVector<double>& values) {
  setGroupedBars(labels, {{QString(), values}});
}

void BarChart::setGroupedBars(const QStringList& labels, const QVector<QPair<QString, QVector<double>>>& series) {
  plot_->clearPlottables();
  const int groups = int(labels.size());
  QVector<double> values;  // every bar's value, for the axis range
  auto* side_by_side = series.size() > 1 ? new QCPBarsGroup(plot_) : nullptr;
  const double width = 0.75 / std::max<qsizetype>(1, series.size());
  count_ = 0;
  for (int s = 0; s < series.size(); ++s) {
    auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
    QVector<double> ticks, heights;
    for (int i = 0; i < series[s].second.size(); ++i) {
      if (std::isnan(series[s].second[i])) continue;
      ticks << i + 1;
      heights << series[s].second[i];
    }
    bars->setData(ticks, heights, true);
    bars->setWidth(series.size() > 1 ? width : 0.75);
    bars->setBrush(class_color(s));
    bars->setPen(QPen(class_color(s).darker(130)));
    bars->setName(series[s].first);
    if (side_by_side) bars->setBarsGroup(side_by_side);
    count_ += int(heights.size());
    values += heights;
  }
  series_ = int(series.size());
  const int positions = std::max<int>(groups, series.isEmpty() ? 0 : int(series[0].second.size()));
  QSharedPointer<QCPAxisTickerText> text(new QCPAxisTickerText);
  for (int i = 0; i < positions; ++i) text->addTick(i + 1, i < labels.size() ? labels[i] : QString());
  plot_->legend->setVisible(series.size() > 1);
  plot_->xAxis->setTicker(text);
  // Slanted when the labels would run into each other side by side (many classes, long op names).
  int widest = 0;
  for (const auto& l : labels) widest = std::max(widest, QFontMetrics(plot_->xAxis->tickLabelFont()).horizontalAdvance(l));
  const int per_bar = std::max(1, int(this->width() * 0.85) / std::max(1, positions));
  const bool rotated = positions > 6 || widest + 6 > per_bar;
  plot_->xAxis->setTickLabelRotation(rotated ? 45 : 0);
  // A slanted label runs right of its bar, and QCustomPlot drops a label that would cross the
  // widget's edge (the tenth class, "Ankle boot", went missing): room on the right for the last one.
  if (rotated && !labels.isEmpty()) {
    const int run = QFontMetrics(plot_->xAxis->tickLabelFont()).horizontalAdvance(labels.value(positions - 1));
    plot_->axisRect()->setAutoMargins(QCP::msLeft | QCP::msTop | QCP::msBottom);
    plot_->axisRect()->setMargins(QMargins(0, 0, static_cast<int>(run * 0.71) + 8, 0));
  } else {
    plot_->axisRect()->setAutoMargins(QCP::msAll);
  }
  plot_->xAxis->setRange(0.3, positions + 0.7);
  double top = 0;
  for (double v : values) top = std::max(top, v);
  plot_->yAxis->setRange(0, top > 0 ? top * 1.1 : 1);
  plot_->replot();
}

}  // namespace pretext
