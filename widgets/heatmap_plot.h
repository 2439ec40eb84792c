#pragma once
// A square matrix as a colour map over [-1, 1] (e.g. the Barlow Twins cross-correlation).
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPColorMap;

namespace pretext {

class HeatmapPlot : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapPlot(QWidget* parent = nullptr);
  void setMatrix(int n, const QVector<float>& row_major);
  void clear();  // nothing shown until the next matrix (a new run's first diagnostic)
  double value(int row, int col) const;
  int size() const { return n_; }
  QCustomPlot* plot() const { return plot_; }

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  void fit();
  QCustomPlot* plot_;
  QCPColorMap* map_;
  int n_ = 0;
};

}  // namespace pretext
