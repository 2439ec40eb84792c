#pragma once
// Overlaid histograms over a fixed range (e.g. cosine similarity of positive vs negative pairs).
#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace pretext {

class HistogramPlot : public QWidget {
  Q_OBJECT
 public:
  HistogramPlot(const QString& x_label, double lo, double hi, QWidget* parent = nullptr);

  // Each series: bin heights over equal bins of [lo, hi]. Replaces what was shown.
  void setSeries(const QVector<QPair<QString, QVector<double>>>& series);
  int seriesCount() const;
  QCustomPlot* plot() const { return plot_; }

 private:
  QCustomPlot* plot_;
  double lo_, hi_;
};

}  // namespace pretext
