#include "widgets/scatter_plot.h"

#include <QMap>
#include <QVBoxLayout>

#include "widgets/palette.h"
#include "widgets/plot_export.h"
#include "widgets/qcp.h"

namespace pretext {

ScatterPlot::ScatterPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  enable_plot_export(plot_);
  follow_style(plot_);
  plot_->xAxis->setLabel(tr("PC 1"));
  plot_->yAxis->setLabel(tr("PC 2"));
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  fit_ticks_to_size(plot_);
  // The legend gets its own column beside the axes so it never hides points.
  plot_->plotLayout()->addElement(0, 1, plot_->legend);
  plot_->plotLayout()->setColumnStretchFactor(1, 0.001);
  plot_->legend->setBorderPen(Qt::NoPen);
  plot_->setMinimumSize(240, 160);
}

void ScatterPlot::clear() {
  plot_->clearGraphs();
  plot_->legend->setVisible(false);
  count_ = 0;
  plot_->replot();
}

void ScatterPlot::setPoints(const QVector<QPointF>& points, const QVector<int>& labels, const QStringList& names) {
  plot_->clearGraphs();
  QMap<int, QPair<QVector<double>, QVector<double>>> by_class;
  for (int i = 0; i < points.size(); ++i) {
    auto& xy = by_class[i < labels.size() ? labels[i] : -1];
    xy.first.push_back(points[i].x());
    xy.second.push_back(points[i].y());
  }
  for (auto it = by_class.begin(); it != by_class.end(); ++it) {
    QCPGraph* g = plot_->addGraph();
    g->setLineStyle(QCPGraph::lsNone);
    QColor c = class_color(it.key());
    c.setAlpha(170);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, c, 4));
    g->setData(it.value().first, it.value().second);
    const int l = it.key();
    g->setName(l < 0 ? tr("unlabelled") : (l < names.size() ? names[l] : QString::number(l)));
  }
  count_ = points.size();
  plot_->legend->setVisible(by_class.size() > 1 || by_class.firstKey() >= 0);
  plot_->rescaleAxes();
  plot_->replot();
}

}  // namespace pretext
