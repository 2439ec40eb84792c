#pragma once
// A labelled bar chart (class counts, image-size histogram).
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
  int barCount() const { return count_; }
  QCustomPlot* plot() const { return plot_; }

 private:
  QCustomPlot* plot_;
  int count_ = 0;
};

}  // namespace pretext
