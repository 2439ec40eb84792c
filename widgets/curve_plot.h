#pragma once
// Live line plots for training curves, one or more named series. Points are appended as they arrive
// and drawn at most ~30 times a second; adaptive sampling draws every extreme, so hundreds of
// thousands of points stay smooth without hiding spikes. Optional EMA smoothing (debiased, as
// TensorBoard's: engine/core/smoothing.h) and log y axis. The view follows the data until the user
// drags or zooms; it then stays where the user put it, while points keep arriving, until resetView()
// (right-click > Reset view, or a double click).
#include <QMap>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include "engine/core/smoothing.h"

class QCustomPlot;
class QCPGraph;

namespace pretext {

class CurvePlot : public QWidget {
  Q_OBJECT
 public:
  explicit CurvePlot(const QString& y_label, QWidget* parent = nullptr);

  void clear();
  // The default series is named "" (no legend entry).
  void addPoint(double x, double y) { addPoint(QString(), x, y); }
  void addPoint(const QString& series, double x, double y);
  void setSeries(const QVector<double>& x, const QVector<double>& y) { setSeries(QString(), x, y); }
  void setSeries(const QString& series, const QVector<double>& x, const QVector<double>& y);
  // A dashed horizontal reference line named `label` (the healthy z-std 1/sqrt(d), a probe's
  // baselines), kept in view and listed in the legend; NaN removes it. clear() removes them all.
  void setReferenceLine(double y, const QString& label);
  double referenceLine(const QString& label) const;  // NaN when absent

  int pointCount(const QString& series = QString()) const;
  QStringList seriesNames() const { return series_.keys(); }
  void setLogY(bool log);
  void setSmoothing(double alpha);  // 0 = raw; else EMA weight of the past in (0, 1)
  QCustomPlot* plot() const { return plot_; }
  void resetView();                            // follow the data again
  bool followsData() const { return !user_view_; }
  void replotNow();  // draws pending points now (tests, screenshots)

 private:
  struct Series {
    QCPGraph* graph = nullptr;
    QVector<double> x, y;  // raw values; the graph shows them smoothed when smoothing_ > 0
    EmaSmoother smoother{0};  // the smoothed curve so far, for the next point
  };
  Series& series(const QString& name);
  void rebuild(Series& s);
  void scheduleReplot();

  QCustomPlot* plot_;
  QMap<QString, Series> series_;
  struct Reference {
    QCPGraph* graph = nullptr;
    double y = 0;
  };
  QMap<QString, Reference> references_;
  double smoothing_ = 0;
  QTimer timer_;
  bool dirty_ = false;
  bool user_view_ = false;  // the user dragged or zoomed: live points no longer rescale the axes
};

}  // namespace pretext
