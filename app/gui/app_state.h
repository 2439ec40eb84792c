#pragma once
// What the pages share: the open dataset (a decoded sample for previews), the pipeline the studio
// hands to training, and the workspace database. Pages observe it through signals.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <memory>

#include "engine/data/image_set.h"

namespace pretext {

class AppState : public QObject {
  Q_OBJECT
 public:
  explicit AppState(const QString& db_path, QObject* parent = nullptr);

  const QString& dbPath() const { return db_path_; }
  const QString& dataPath() const { return data_path_; }
  // The decoded dataset (at most kSampleSize images, evenly spread) for browsing and previews.
  std::shared_ptr<const ImageSet> sample() const { return sample_; }
  static constexpr size_t kSampleSize = 200000;

  // The pipeline document (JSON text) training should use; empty = the method's default preset.
  const QString& pipelineJson() const { return pipeline_json_; }
  void setPipelineJson(const QString& json);

  void openDataset(const QString& path);  // decodes on a worker; emits datasetLoaded or datasetFailed
  void notifyRunsChanged() { Q_EMIT runsChanged(); }
  // Switches the workspace (experiment database); the runs page reloads from it.
  void setDbPath(const QString& path);

 Q_SIGNALS:
  void datasetLoading(const QString& path);
  void datasetLoaded();
  void datasetFailed(const QString& message);
  void pipelineChanged();
  void runsChanged();
  void workspaceChanged(const QString& db_path);

 private:
  struct Loaded {
    std::shared_ptr<const ImageSet> set;
    QString error;
  };
  QString db_path_, data_path_, pipeline_json_;
  std::shared_ptr<const ImageSet> sample_;
  QFutureWatcher<Loaded> watcher_;
};

}  // namespace pretext
