#pragma once
// The dataset browser: every image as a thumbnail (virtualised), a class filter, class counts, and
// the files that could not be read with the reason.
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace pretext {

class AppState;
class BarChart;
class ThumbnailGrid;

class DataPage : public QWidget {
  Q_OBJECT
 public:
  explicit DataPage(AppState* state, QWidget* parent = nullptr);

 private:
  void showDataset();
  void showSummary();
  AppState* state_;
  QLineEdit* path_;
  QLabel* summary_;
  QComboBox* class_filter_;
  ThumbnailGrid* grid_;
  BarChart* counts_;
  BarChart* sizes_;
  QTableWidget* bad_;
};

}  // namespace pretext
