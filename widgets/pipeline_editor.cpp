#include "widgets/pipeline_editor.h"

#include <cmath>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QScrollArea>
#include <QSlider>
#include <QTabWidget>
#include <QVBoxLayout>

namespace pretext {
namespace {

// Parameter ranges for the controls; the engine validates the document itself.
QPair<double, double> range_for(const QString& key) {
  if (key == "threshold") return {0, 256};
  if (key == "size" || key == "patch" || key == "grid") return {0, 1024};
  if (key == "sigma") return {0, 10};
  if (key == "angle" || key == "degrees") return {-180, 180};
  if (key == "ratio" || key.endsWith("aspect")) return {0.1, 10};
  if (key == "targets" || key == "min_context") return {1, 1024};
  if (key == "permutations" || key == "repeat") return {1, 100000};
  return {0, 1};
}

QDoubleSpinBox* spin(double value, const QString& key) {
  auto* s = new QDoubleSpinBox;
  auto r = range_for(key);
  // Never clamp what the document says: a count such as `permutations` (1000) widens the range.
  if (value > r.second) r = {0, std::max(1000.0, value * 10)};
  s->setRange(r.first, r.second);
  s->setDecimals(r.second > 10 && value == std::floor(value) ? 0 : 3);
  s->setSingleStep(r.second > 10 ? 1 : 0.05);
  s->setValue(value);
  s->setKeyboardTracking(false);
  return s;
}

}  // namespace

PipelineEditor::PipelineEditor(QWidget* parent) : QWidget(parent), tabs_(new QTabWidget) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(tabs_);
}

void PipelineEditor::setPipeline(const QJsonObject& pipeline) {
  doc_ = pipeline;
  const int current = tabs_->currentIndex();
  while (tabs_->count()) {
    QWidget* w = tabs_->widget(0);
    tabs_->removeTab(0);
    w->deleteLater();
  }
  const QJsonArray views = doc_.value("views").toArray();
  for (int v = 0; v < views.size(); ++v) tabs_->addTab(buildView(v), tr("View %1").arg(v + 1));
  if (current >= 0 && current < tabs_->count()) tabs_->setCurrentIndex(current);
}

void PipelineEditor::setOpValue(int view, int op, const QString& key, const QJsonValue& value) {
  QJsonArray views = doc_["views"].toArray();
  QJsonObject v = views[view].toObject();
  QJsonArray ops = v["ops"].toArray();
  QJsonObject o = ops[op].toObject();
  o[key] = value;
  ops[op] = o;
  v["ops"] = ops;
  views[view] = v;
  doc_["views"] = views;
  Q_EMIT changed(doc_);
}

QWidget* PipelineEditor::buildView(int view) {
  auto* host = new QWidget;
  auto* col = new QVBoxLayout(host);
  const QJsonArray ops = doc_["views"].toArray()[view].toObject()["ops"].toArray();
  for (int k = 0; k < ops.size(); ++k) {
    const QJsonObject o = ops[k].toObject();
    const QString name = o.value("op").toString();
    auto* box = new QGroupBox;
    auto* grid = new QGridLayout(box);
    auto* enabled = new QCheckBox(name);
    enabled->setChecked(o.value("enabled").toBool(true));
    QFont bold = enabled->font();
    bold.setBold(true);
    enabled->setFont(bold);
    const OpKindInfo kind = kinds_.value(name);
    enabled->setToolTip(kind.help);
    grid->addWidget(enabled, 0, 0, 1, 3);
    // A disabled op's settings are greyed out: they do nothing until it is switched back on.
    const auto grey_settings = [box, enabled](bool on) {
      for (QWidget* w : box->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly))
        if (w != enabled) w->setEnabled(on);
    };
    connect(enabled, &QCheckBox::toggled, this, [this, view, k, grey_settings](bool on) {
      grey_settings(on);
      setOpValue(view, k, "enabled", on);
    });
    int row = 1;
    if (kind.takesProbability) {
      auto* p = new QSlider(Qt::Horizontal);
      p->setRange(0, 100);
      p->setValue(qRound(o.value("p").toDouble(1.0) * 100));
      auto* label = new QLabel(QString::number(p->value() / 100.0, 'f', 2));
      grid->addWidget(new QLabel(tr("probability")), row, 0);
      grid->addWidget(p, row, 1);
      grid->addWidget(label, row, 2);
      connect(p, &QSlider::valueChanged, this, [this, view, k, label](int v) {
        label->setText(QString::number(v / 100.0, 'f', 2));
        setOpValue(view, k, "p", v / 100.0);
      });
      ++row;
    }
    for (auto it = o.begin(); it != o.end(); ++it) {
      const QString key = it.key();
      if (key == "op" || key == "p" || key == "enabled") continue;
      if (it->isDouble()) {
        auto* s = spin(it->toDouble(), key);
        grid->addWidget(new QLabel(key), row, 0);
        grid->addWidget(s, row, 1, 1, 2);
        connect(s, &QDoubleSpinBox::valueChanged, this, [this, view, k, key](double v) { setOpValue(view, k, key, v); });
        ++row;
      } else if (it->isArray() && it->toArray().size() == 2 && it->toArray()[0].isDouble()) {
        // A [lo, hi] range: two spin boxes.
        auto* lo = spin(it->toArray()[0].toDouble(), key);
        auto* hi = spin(it->toArray()[1].toDouble(), key);
        auto* pair = new QHBoxLayout;
        pair->addWidget(lo);
        pair->addWidget(hi);
        grid->addWidget(new QLabel(key), row, 0);
        grid->addLayout(pair, row, 1, 1, 2);
        auto update = [this, view, k, key, lo, hi] { setOpValue(view, k, key, QJsonArray{lo->value(), hi->value()}); };
        connect(lo, &QDoubleSpinBox::valueChanged, this, update);
        connect(hi, &QDoubleSpinBox::valueChanged, this, update);
        ++row;
      }
    }
    grey_settings(enabled->isChecked());
    col->addWidget(box);
  }
  col->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(host);
  scroll->setWidgetResizable(true);
  return scroll;
}

}  // namespace pretext
