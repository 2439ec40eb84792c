#pragma once
// A live line plot for training curves. Points are appended as they arrive and drawn at most
// ~30 times a second, so per-step updates stay cheap with hundreds of thousands of points.
#include <QTimer>
#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace pretext {

class CurvePlot : public QWidget {
  Q_OBJECT
 public:
  explicit CurvePlot(const QString& y_label, QWidget* parent = nullptr);

  void clear();
  void addPoint(double x, double y);
  void setSeries(const QVector<double>& x, const QVector<double>& y);
  int pointCount() const;
  QCustomPlot* plot() const { return plot_; }
  // Draws pending points now (tests, screenshots).
  void replotNow();

 private:
  void scheduleReplot();
  QCustomPlot* plot_;
  QCPGraph* graph_;
  QTimer timer_;
  bool dirty_ = false;
};

}  // namespace pretext
