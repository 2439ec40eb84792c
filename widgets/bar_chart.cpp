#include "widgets/bar_chart.h"

#include <algorithm>

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
  follow_palette(plot_);
  plot_->yAxis->setLabel(y_label);
  plot_->setMinimumSize(200, 140);
}

void BarChart::setBars(const QStringList& labels, const QVector<double>& values) {
  plot_->clearPlottables();
  auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
  QVector<double> ticks;
  QSharedPointer<QCPAxisTickerText> text(new QCPAxisTickerText);
  for (int i = 0; i < values.size(); ++i) {
    ticks << i + 1;
    text->addTick(i + 1, i < labels.size() ? labels[i] : QString());
  }
  bars->setData(ticks, values, true);
  bars->setBrush(class_color(0));
  bars->setPen(QPen(class_color(0).darker(130)));
  plot_->xAxis->setTicker(text);
  // Slanted when the labels would run into each other side by side (many classes, long op names).
  int widest = 0;
  for (const auto& l : labels) widest = std::max(widest, QFontMetrics(plot_->xAxis->tickLabelFont()).horizontalAdvance(l));
  const int per_bar = std::max(1, int(width() * 0.85) / std::max<int>(1, int(values.size())));
  const bool rotated = values.size() > 6 || widest + 6 > per_bar;
  plot_->xAxis->setTickLabelRotation(rotated ? 45 : 0);
  // A slanted label runs right of its bar, and QCustomPlot drops a label that would cross the
  // widget's edge (the tenth class, "Ankle boot", went missing): room on the right for the last one.
  if (rotated && !labels.isEmpty()) {
    const int run = QFontMetrics(plot_->xAxis->tickLabelFont()).horizontalAdvance(labels.value(values.size() - 1));
    plot_->axisRect()->setAutoMargins(QCP::msLeft | QCP::msTop | QCP::msBottom);
    plot_->axisRect()->setMargins(QMargins(0, 0, static_cast<int>(run * 0.71) + 8, 0));
  } else {
    plot_->axisRect()->setAutoMargins(QCP::msAll);
  }
  plot_->xAxis->setRange(0.3, values.size() + 0.7);
  double top = 0;
  for (double v : values) top = std::max(top, v);
  plot_->yAxis->setRange(0, top > 0 ? top * 1.1 : 1);
  count_ = values.size();
  plot_->replot();
}

}  // namespace pretext
