#pragma once
// The guided lesson on screen: a card floating over the window's bottom corner (it takes no width from
// the pages, which a 1366 px screen holds exactly) with the step's title and text, Back / Next /
// Restart, and a ring drawn around the control the step asks for. Steps advance on the window's own
// signals; the step reached is kept in the settings, so a lesson left resumes where it was.
#include <QFrame>

#include "app/gui/lesson.h"

class QLabel;
class QPushButton;
class QTabWidget;
class QTimer;

namespace pretext {

class AppState;
class TrainingController;
class LessonRing;

class LessonPanel : public QFrame {
  Q_OBJECT
 public:
  // window: the main window the card floats in; pages: its tabs (data, studio, train, runs, log).
  LessonPanel(QWidget* window, QTabWidget* pages, AppState* state, TrainingController* controller);

  int step() const { return lesson_.step(); }
  void restart();
  // Shows or hides the card and remembers it for the next start (Help > Lesson).
  void setShown(bool on);

 Q_SIGNALS:
  void shownChanged(bool on);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void showEvent(QShowEvent* e) override;
  void hideEvent(QHideEvent* e) override;

 private:
  void observe(AppState* state, TrainingController* controller);
  void progress();       // past every step whose condition now holds
  void update_facts();   // what can be read from the window now (page, preset)
  void step_changed();   // the card's text, the buttons, the ring, the saved step
  void place();          // the card in the corner away from the control it points at
  QWidget* target() const;  // the control of the current step, or its page's tab bar
  QRect tab_on_the_way() const;
  static void scroll_into_view(QWidget* control);

  QWidget* window_;
  QTabWidget* pages_;
  Lesson lesson_;
  LessonFacts facts_;
  QLabel* counter_;
  QLabel* title_;
  QLabel* text_;
  QPushButton* back_;
  QPushButton* next_;
  LessonRing* ring_;
  QTimer* follow_;  // the ring follows its control as pages scroll and resize
  QWidget* scrolled_to_ = nullptr;
};

}  // namespace pretext
