#include "widgets/curve_plot.h"

#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "widgets/palette.h"
#include "widgets/plot_export.h"
#include "widgets/qcp.h"

namespace pretext {

CurvePlot::CurvePlot(const QString& y_label, QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  enable_plot_export(plot_, [this] { resetView(); });
  follow_style(plot_);
  plot_->xAxis->setLabel(tr("step"));
  plot_->yAxis->setLabel(y_label);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  legend_below_axes(plot_);
  fit_ticks_to_size(plot_);
  plot_->setMinimumSize(150, 120);  // four side by side fit a 1366 px screen with the launcher
  timer_.setInterval(33);
  timer_.setSingleShot(true);
  connect(&timer_, &QTimer::timeout, this, [this] { replotNow(); });
  // A drag or a wheel turn is the user taking the view; a double click gives it back to the data.
  connect(plot_, &QCustomPlot::mouseWheel, this, [this] { user_view_ = true; });
  connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
    if (e->buttons() & Qt::LeftButton) user_view_ = true;
  });
  connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] { resetView(); });
}

void CurvePlot::resetView() {
  user_view_ = false;
  dirty_ = true;
  replotNow();
}

CurvePlot::Series& CurvePlot::series(const QString& name) {
  auto it = series_.find(name);
  if (it != series_.end()) return *it;
  Series s;
  s.smoother = EmaSmoother(smoothing_);
  s.graph = plot_->addGraph();
  s.graph->setPen(QPen(class_color(series_.size()), 1.5));
  s.graph->setAdaptiveSampling(true);
  s.graph->setName(name);
  if (name.isEmpty()) s.graph->removeFromLegend();
  plot_->legend->setVisible(!name.isEmpty() || series_.size() > 1 || !references_.isEmpty());
  return *series_.insert(name, s);
}

void CurvePlot::clear() {
  for (auto& s : series_) plot_->removeGraph(s.graph);
  series_.clear();
  for (auto& r : references_) plot_->removeGraph(r.graph);
  references_.clear();
  user_view_ = false;  // a new run's curves start in view
  plot_->legend->setVisible(false);
  dirty_ = true;
  scheduleReplot();
}

namespace {
// A curve of a few points (diagnostics every K steps of a short run) would be invisible as a line
// alone: mark its points until there are enough for the line to read.
void mark_sparse(QCPGraph* g, int points) {
  constexpr int kMarked = 64;
  g->setScatterStyle(points <= kMarked ? QCPScatterStyle(QCPScatterStyle::ssDisc, 4) : QCPScatterStyle());
}
}  // namespace

void CurvePlot::addPoint(const QString& name, double x, double y) {
  Series& s = series(name);
  s.x.push_back(x);
  s.y.push_back(y);
  mark_sparse(s.graph, s.x.size());
  s.graph->addData(x, s.smoother.push(y));
  scheduleReplot();
}

void CurvePlot::setSeries(const QString& name, const QVector<double>& x, const QVector<double>& y) {
  Series& s = series(name);
  s.x = x;
  s.y = y;
  rebuild(s);
  scheduleReplot();
}

void CurvePlot::rebuild(Series& s) {
  s.smoother = EmaSmoother(smoothing_);
  QVector<double> shown;
  shown.reserve(s.y.size());
  for (double v : s.y) shown.push_back(s.smoother.push(v));
  s.graph->setData(s.x, shown, /*alreadySorted=*/true);
  mark_sparse(s.graph, s.x.size());
}

void CurvePlot::setReferenceLine(double y, const QString& label) {
  auto it = references_.find(label);
  if (std::isnan(y)) {
    if (it != references_.end()) {
      plot_->removeGraph(it->graph);
      references_.erase(it);
    }
  } else {
    if (it == references_.end()) {
      // Told apart by their dash pattern, in grey so they never pass for a series.
      static const Qt::PenStyle kStyles[] = {Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};
      Reference r;
      r.graph = plot_->addGraph();
      r.graph->setPen(QPen(QColor(110, 110, 110), 1.5, kStyles[references_.size() % 4]));
      r.graph->setName(label);
      it = references_.insert(label, r);
    }
    it->y = y;
    plot_->legend->setVisible(true);
  }
  scheduleReplot();
}

double CurvePlot::referenceLine(const QString& label) const {
  auto it = references_.find(label);
  return it == references_.end() ? std::nan("") : it->y;
}

int CurvePlot::pointCount(const QString& name) const {
  if (!name.isNull()) {
    auto it = series_.find(name);
    return it == series_.end() ? 0 : it->x.size();
  }
  int n = 0;
  for (const auto& s : series_) n += s.x.size();
  return n;
}

void CurvePlot::setLogY(bool log) {
  plot_->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  plot_->yAxis->setTicker(log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                              : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  scheduleReplot();
}

void CurvePlot::setSmoothing(double alpha) {
  smoothing_ = std::clamp(alpha, 0.0, 0.999);
  for (auto& s : series_) rebuild(s);
  scheduleReplot();
}

void CurvePlot::scheduleReplot() {
  dirty_ = true;
  if (!timer_.isActive()) timer_.start();
}

namespace {

// A range with room around the data: single points and flat curves sit inside the plot, not on its
// edges (a lone z-std of 0.07 used to land on the frame of a -2..2.5 axis).
QCPRange with_margin(QCPRange r, double fraction) {
  if (r.size() <= 0) {
    const double pad = std::max(std::abs(r.center()) * 0.1, 1e-3);
    return QCPRange(r.lower - pad, r.upper + pad);
  }
  const double pad = r.size() * fraction;
  return QCPRange(r.lower - pad, r.upper + pad);
}

}  // namespace

void CurvePlot::replotNow() {
  if (!dirty_) return;
  dirty_ = false;
  if (!user_view_) plot_->rescaleAxes();
  if (!references_.isEmpty() && !user_view_) {
    // The references span the data's x range and are kept in view.
    const QCPRange xr = pointCount() > 0 ? plot_->xAxis->range() : QCPRange(0, 1);
    plot_->xAxis->setRange(xr);
    QCPRange yr = plot_->yAxis->range();
    bool first = pointCount() == 0;
    for (const auto& r : references_) {
      r.graph->setData(QVector<double>{xr.lower, xr.upper}, QVector<double>{r.y, r.y});
      if (first) yr = QCPRange(r.y, r.y);
      first = false;
      yr.expand(r.y);
    }
    plot_->yAxis->setRange(yr);
  }
  if (!user_view_) {
    plot_->xAxis->setRange(with_margin(plot_->xAxis->range(), 0.0));  // steps start at the frame
    plot_->yAxis->setRange(with_margin(plot_->yAxis->range(), 0.08));
  }
  plot_->replot(QCustomPlot::rpImmediateRefresh);
}

}  // namespace pretext
