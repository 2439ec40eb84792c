#include "app/gui/formula_panel.h"

#include <cmath>

#include <QLabel>
#include <QVBoxLayout>

#include "widgets/view_grid.h"

namespace pretext {

namespace {
// Counts as whole numbers, everything else to three decimals.
QString number(double v) {
  return v == std::round(v) && std::abs(v) >= 1 && std::abs(v) < 1e9 ? QString::number(qint64(v)) : QString::number(v, 'f', 3);
}
}  // namespace

FormulaPanel::FormulaPanel(QWidget* parent) : QWidget(parent) {
  expression_ = new QLabel;
  expression_->setObjectName(QStringLiteral("formulaExpression"));
  QFont big = expression_->font();
  big.setPointSizeF(big.pointSizeF() * 1.3);
  expression_->setFont(big);
  expression_->setWordWrap(true);
  expression_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  terms_ = new QLabel;
  terms_->setWordWrap(true);
  arithmetic_ = new QLabel;
  arithmetic_->setWordWrap(true);
  views_ = new ViewGrid;
  views_->setMinimumHeight(72);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(expression_);
  layout->addWidget(terms_);
  layout->addWidget(arithmetic_);
  layout->addWidget(views_, 1);
}

QString FormulaPanel::termsText(const FormulaEvent& e) {
  QStringList parts;
  for (const auto& [name, value] : e.terms) parts << QStringLiteral("%1 = %2").arg(QString::fromStdString(name), number(value));
  return parts.join(QLatin1Char('\n'));  // one term a line: read from the back of a room
}

QString FormulaPanel::arithmeticText(const FormulaEvent& e) {
  const QString where = tr("step %1").arg(e.step);
  if (!e.has_row_loss) return tr("%1: L = %2 (terms of the whole batch)").arg(where, number(e.loss));
  return tr("%1, row %2 of %3: ℓᵢ = %4;  L = mean of the %3 rows = %5")
      .arg(where)
      .arg(e.row + 1)
      .arg(e.rows)
      .arg(number(e.row_loss), number(e.loss));
}

void FormulaPanel::setFormula(const FormulaEvent& e) {
  expression_->setText(QString::fromStdString(e.expression));
  terms_->setText(termsText(e));
  arithmetic_->setText(arithmeticText(e));
  QVector<QImage> row;
  QStringList titles;
  for (const auto& [title, rgb] : e.images) {
    row.push_back(QImage(rgb.data(), e.width, e.height, 3 * e.width, QImage::Format_RGB888).copy());
    titles << QString::fromStdString(title);
  }
  views_->setRows(row.isEmpty() ? QVector<QVector<QImage>>{} : QVector<QVector<QImage>>{row}, titles);
  views_->setVisible(!row.isEmpty());
}

}  // namespace pretext
