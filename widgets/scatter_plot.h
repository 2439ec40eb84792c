#pragma once
// A 2-D embedding scatter coloured by class, with a legend of class names.
#include <QPointF>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace pretext {

class ScatterPlot : public QWidget {
  Q_OBJECT
 public:
  explicit ScatterPlot(QWidget* parent = nullptr);

  // labels: one per point, -1 = unlabelled; class_names may be shorter than the largest label.
  void setPoints(const QVector<QPointF>& points, const QVector<int>& labels, const QStringList& class_names);
  void clear();
  int pointCount() const { return count_; }
  QCustomPlot* plot() const { return plot_; }

 private:
  QCustomPlot* plot_;
  int count_ = 0;
};

}  // namespace pretext
