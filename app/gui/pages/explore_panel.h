#pragma once
// What a run's network learned, as a map: the run's embeddings projected to 2-D (PCA, t-SNE or UMAP,
// computed off the UI thread with progress and cancel, stored with the run), drawn by EmbeddingView.
// Hovering shows an image; a click shows its nearest neighbours in the full feature space (not the
// 2-D map); a lasso shows the images of a region. The Runs page's Explore tab.
#include <QFutureWatcher>
#include <QWidget>
#include <atomic>
#include <memory>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace pretext {

class AppState;
class EmbeddingView;
class ThumbnailGrid;
struct Explored;

class ExplorePanel : public QWidget {
  Q_OBJECT
 public:
  explicit ExplorePanel(AppState* state, QWidget* parent = nullptr);
  ~ExplorePanel() override;
  void setRun(qint64 run);
  // Scripted use (the GUI walk, tests): choose a projection and point count, then compute.
  void compute(const QString& method, int points);
  EmbeddingView* view() const { return view_; }
  void pick(int row);  // as a click on that point does

 Q_SIGNALS:
  void computed(bool ok);

 private:
  void start();
  void finish();
  void showSelection(const QVector<int>& rows);
  QImage thumbnail(int row) const;

  AppState* state_;
  qint64 run_ = 0;
  QComboBox* method_;
  QSpinBox* points_;
  QPushButton* compute_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* status_;
  EmbeddingView* view_;
  QLabel* picked_image_;
  QLabel* picked_caption_;
  QLabel* selection_caption_;
  ThumbnailGrid* neighbours_;
  ThumbnailGrid* selection_;
  std::shared_ptr<const Explored> current_;
  QFutureWatcher<std::shared_ptr<const Explored>> watcher_;
  std::shared_ptr<std::atomic<bool>> cancelled_;
};

}  // namespace pretext
