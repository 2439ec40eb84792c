#pragma once
// Edits an augmentation pipeline document (the same JSON the engine runs): per view, each op gets an
// enable toggle, a probability and a control per numeric parameter. Every edit emits changed().
#include <QJsonObject>
#include <QMap>
#include <QWidget>

class QTabWidget;

namespace pretext {

class PipelineEditor : public QWidget {
  Q_OBJECT
 public:
  explicit PipelineEditor(QWidget* parent = nullptr);

  void setPipeline(const QJsonObject& pipeline);
  // Tooltips per op name (what it does, its published setting); set before setPipeline.
  void setOpHelp(const QMap<QString, QString>& help) { help_ = help; }
  QJsonObject pipeline() const { return doc_; }

 Q_SIGNALS:
  void changed(const QJsonObject& pipeline);

 private:
  QWidget* buildView(int view);
  void setOpValue(int view, int op, const QString& key, const QJsonValue& value);
  QTabWidget* tabs_;
  QJsonObject doc_;
  QMap<QString, QString> help_;
};

}  // namespace pretext
