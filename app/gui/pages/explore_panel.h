#pragma once
// What a run's network learned, as a map: the run's embeddings projected to 2-D (PCA, t-SNE or UMAP,
// computed off the UI thread with progress and cancel, stored with the run), drawn by EmbeddingView.
// Hovering shows an image; a click shows its nearest neighbours in the full feature space (not the
// 2-D map); a lasso shows the images of a region. A checkpoint slider (and Play) shows how the map
// formed over training, each frame aligned to the one before so points move only where the
// embedding changed. Beside the map, the run's invariances: how far its
// embedding moves under each op of its own pipeline alone. The Runs page's Explore tab.
#include <QMap>
#include <QVector>
#include <QWidget>
#include <map>
#include <memory>

#include "app/gui/background_task.h"
#include "engine/eval/projections.h"

class QComboBox;
class QLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;
class QToolButton;

namespace pretext {

class AppState;
class BarChart;
class EmbeddingView;
class ThumbnailGrid;
struct Explored;
struct Grouped;
struct Measured;
struct RunEmbeddings;

class ExplorePanel : public QWidget {
  Q_OBJECT
 public:
  explicit ExplorePanel(AppState* state, QWidget* parent = nullptr);
  ~ExplorePanel() override;
  void setRun(qint64 run);
  // Scripted use (the GUI walk, tests): choose a projection, its parameters (the rest at their
  // defaults) and a point count, then compute.
  void compute(const QString& method, int points, const ProjectionParameters& parameters = {});
  // The checkpoint slider's stops: each checkpoint's step, then -1 (the end of the run).
  QList<qint64> checkpointSteps() const { return steps_; }
  void showCheckpoint(int position);  // as moving the slider there does (computes the frame if needed)
  // Scripted use: measure the run's invariances (Q_EMIT measured when done).
  void measureInvariances();
  EmbeddingView* view() const { return view_; }
  BarChart* invariances() const { return invariances_; }
  void pick(int row);  // as a click on that point does
  // What the points' colours say: their class, whether the kNN vote of their neighbours in feature
  // space gets their class right, or their k-means cluster in feature space.
  enum class Colouring { kClass, kNeighbourVote, kCluster };
  void setColouring(Colouring c);  // as choosing it in the Colour box does (computes it if needed)

 Q_SIGNALS:
  void computed(bool ok);
  void coloured(bool ok);  // a colouring that needed computing is shown (or failed)
  void measured(bool ok);

 private:
  QLayout* buildControls();
  QWidget* buildMapAndSide();
  QWidget* buildInvariancePage();
  void connectControls();
  void start();
  void finish(const std::shared_ptr<const Explored>& result);
  void finishMeasuring(const std::shared_ptr<const Measured>& result);
  bool busy() const;
  void beginWork(const QString& what);
  // The buttons back and the progress bar full or empty; an error goes to the status line. True
  // when the work succeeded.
  bool endWork(qint64 run, const QString& error);
  void showSelection(const QVector<int>& rows);
  QImage thumbnail(int row) const;
  void showFrame(const std::shared_ptr<const Explored>& frame);
  void playNext();
  void applyColouring();
  // The chosen projection's parameters as its Parameters menu holds them, and the label they make.
  ProjectionParameters chosenParameters() const;
  QString chosenLabel() const;
  void rebuildParameterMenu();
  void finishGrouping(const std::shared_ptr<const Grouped>& result);
  qint64 selectedStep() const;

  AppState* state_;
  qint64 run_ = 0;
  QComboBox* method_;
  QSpinBox* points_;
  QToolButton* parameters_;
  std::map<std::string, ProjectionParameters> chosen_;  // by projection: the values set in its menu
  QComboBox* colouring_;
  // Computed colourings by the embeddings they describe (every aligned frame of a map shares them).
  std::map<std::pair<std::shared_ptr<const RunEmbeddings>, int>, QVector<int>> groups_;
  QPushButton* compute_;
  QPushButton* measure_;
  QSlider* checkpoint_;
  QLabel* checkpoint_label_;
  QPushButton* play_;
  QList<qint64> steps_;
  // Frames of the current run, projection and point count, by step (-1: the end), each aligned to
  // the frame shown before it.
  QMap<qint64, std::shared_ptr<const Explored>> frames_;
  bool playing_ = false;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* status_;
  QTabWidget* tabs_;
  EmbeddingView* view_;
  BarChart* invariances_;
  QLabel* invariances_caption_;
  QLabel* picked_image_;
  QLabel* picked_caption_;
  QLabel* selection_caption_;
  ThumbnailGrid* neighbours_;
  ThumbnailGrid* selection_;
  std::shared_ptr<const Explored> current_;
  // The invariances shown, and the last other run's, drawn beside them (two runs side by side).
  std::shared_ptr<const Measured> measured_, beside_;
  BackgroundTask task_;  // a map or an invariance measurement, one at a time
};

}  // namespace pretext
