#pragma once
// The running method's objective written out (the classroom's formula panel): its expression, the
// live values of its terms for one row of the current batch, that row's loss beside the batch's, and
// for a contrastive loss the row's view, its positive and its nearest negative.
#include <QWidget>

#include "engine/core/events.h"

class QLabel;

namespace pretext {

class ViewGrid;

class FormulaPanel : public QWidget {
  Q_OBJECT
 public:
  explicit FormulaPanel(QWidget* parent = nullptr);
  void setFormula(const FormulaEvent& e);
  // The terms and the arithmetic as the panel prints them (also what a test reads).
  static QString termsText(const FormulaEvent& e);
  static QString arithmeticText(const FormulaEvent& e);

 private:
  QLabel* expression_;
  QLabel* terms_;
  QLabel* arithmetic_;
  ViewGrid* views_;
};

}  // namespace pretext
