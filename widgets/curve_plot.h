#pragma once
// Live line plots for training curves, one or more named series. Points are appended as they arrive
// and drawn at most ~30 times a second; adaptive sampling draws every extreme, so hundreds of
// thousands of points stay smooth without hiding spikes. Optional EMA smoothing and log y axis.
#include <QMap>
#include <QTimer>
#include <QVector>
#include <QWidget>

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
  // A dashed horizontal reference line (e.g. the healthy z-std 1/sqrt(d)); NaN removes it.
  void setReferenceLine(double y, const QString& label);

  int pointCount(const QString& series = QString()) const;
  QStringList seriesNames() const { return series_.keys(); }
  void setLogY(bool log);
  void setSmoothing(double alpha);  // 0 = raw; else EMA weight of the past in (0, 1)
  QCustomPlot* plot() const { return plot_; }
  void replotNow();  // draws pending points now (tests, screenshots)

 private:
  struct Series {
    QCPGraph* graph = nullptr;
    QVector<double> x, y;  // raw values; the graph shows them smoothed when smoothing_ > 0
  };
  Series& series(const QString& name);
  void rebuild(Series& s);
  void scheduleReplot();

  QCustomPlot* plot_;
  QMap<QString, Series> series_;
  QCPGraph* reference_ = nullptr;
  double reference_y_;
  double smoothing_ = 0;
  QTimer timer_;
  bool dirty_ = false;
};

}  // namespace pretext
