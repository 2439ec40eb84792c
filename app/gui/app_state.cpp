#include "app/gui/app_state.h"

#include <QtConcurrent>

namespace pretext {

AppState::AppState(const QString& db_path, QObject* parent) : QObject(parent), db_path_(db_path) {
  connect(&watcher_, &QFutureWatcherBase::finished, this, [this] {
    const Loaded r = watcher_.result();
    if (!r.set) {
      Q_EMIT datasetFailed(r.error);
      return;
    }
    sample_ = r.set;
    Q_EMIT datasetLoaded();
  });
}

void AppState::setPipelineJson(const QString& json) {
  pipeline_json_ = json;
  Q_EMIT pipelineChanged();
}

void AppState::setDbPath(const QString& path) {
  db_path_ = path;
  Q_EMIT workspaceChanged(path);
  Q_EMIT runsChanged();
}

void AppState::openDataset(const QString& path) {
  data_path_ = path;
  Q_EMIT datasetLoading(path);
  const std::string p = path.toStdString();
  // Decoding runs on a worker: the window never waits on the disk.
  watcher_.setFuture(QtConcurrent::run([p]() -> Loaded {
    LoadOptions o;
    o.limit = kSampleSize;
    try {
      return {std::make_shared<const ImageSet>(load_images(p, o)), {}};
    } catch (const std::exception& e) {
      // Carried as a value: QtConcurrent would turn a std::exception into an anonymous one.
      return {nullptr, QString::fromUtf8(e.what())};
    }
  }));
}

}  // namespace pretext
