#include "widgets/curve_plot.h"

#include <QVBoxLayout>

#include "widgets/qcp.h"

namespace pretext {

CurvePlot::CurvePlot(const QString& y_label, QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  graph_ = plot_->addGraph();
  graph_->setPen(QPen(QColor(0x4e79a7), 1.5));
  graph_->setAdaptiveSampling(true);  // draws every extreme, so spikes are never hidden
  plot_->xAxis->setLabel(tr("step"));
  plot_->yAxis->setLabel(y_label);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setMinimumSize(240, 160);
  timer_.setInterval(33);
  timer_.setSingleShot(true);
  connect(&timer_, &QTimer::timeout, this, [this] { replotNow(); });
}

void CurvePlot::clear() {
  graph_->data()->clear();
  scheduleReplot();
}

void CurvePlot::addPoint(double x, double y) {
  graph_->addData(x, y);
  scheduleReplot();
}

void CurvePlot::setSeries(const QVector<double>& x, const QVector<double>& y) {
  graph_->setData(x, y, /*alreadySorted=*/true);
  scheduleReplot();
}

int CurvePlot::pointCount() const { return graph_->dataCount(); }

void CurvePlot::scheduleReplot() {
  dirty_ = true;
  if (!timer_.isActive()) timer_.start();
}

void CurvePlot::replotNow() {
  if (!dirty_) return;
  dirty_ = false;
  plot_->rescaleAxes();
  plot_->replot(QCustomPlot::rpImmediateRefresh);
}

}  // namespace pretext
