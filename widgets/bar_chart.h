#pragma once
// A labelled bar chart (class counts, image-size histogram), or groups of bars side by side: one
// series per run, one group per label (two runs' invariances, op by op).
#include <QStringList>
#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace pretext {

class BarChart : public QWidget {
  Q_OBJECT
 public:
  BarChart(const QString& y_label, QWidget* parent = nullptr);
  void setBars(const QStringList& labels, const QVector<double>& values);
  // Each series: its legend name and one value per label (NaN or missing: no bar there).
  void setGroupedBars(const QStringList& labels, const QVector<QPair<QString, QVector<double>>>& series);
  int barCount() const { return count_; }  // bars drawn, over all series
  int seriesCount() const { return series_; }
  QCustomPlot* plot() const { return plot_; }

 private:
  QCustomPlot* plot_;
  int count_ = 0;
  int series_ = 0;
};

}  // namespace pretext
