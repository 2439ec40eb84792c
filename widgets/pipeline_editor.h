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
  // What the editor shows of each op kind, by name; set before setPipeline.
  struct OpKindInfo {
    QString help;             // the tooltip: what it does, its published setting
    bool takesProbability = true;  // false: the op always fires (a crop, a mask), so no slider
  };
  void setOpKinds(const QMap<QString, OpKindInfo>& kinds) { kinds_ = kinds; }
  QJsonObject pipeline() const { return doc_; }

 Q_SIGNALS:
  void changed(const QJsonObject& pipeline);

 private:
  QWidget* buildView(int view);
  void setOpValue(int view, int op, const QString& key, const QJsonValue& value);
  QTabWidget* tabs_;
  QJsonObject doc_;
  QMap<QString, OpKindInfo> kinds_;
};

}  // namespace pretext
