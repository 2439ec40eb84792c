#include "app/gui/lesson_panel.h"

#include <algorithm>

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "app/gui/app_state.h"
#include "app/gui/pages/explore_panel.h"
#include "app/gui/training_controller.h"
#include "engine/train/presets.h"

namespace pretext {

// A ring around the control the step asks for, drawn over the window; clicks go through it.
class LessonRing : public QWidget {
 public:
  explicit LessonRing(QWidget* window) : QWidget(window) {
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
  }
  void point_at(const QRect& r) {
    if (r == ring_) return;
    ring_ = r;
    update();
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    if (ring_.isNull()) return;
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(QColor(228, 87, 46), 3));
    p.drawRoundedRect(QRectF(ring_).adjusted(-4, -4, 4, 4), 6, 6);
  }

 private:
  QRect ring_;
};

namespace {

const QStringList kPages{"data", "studio", "train", "runs", "log"};
constexpr int kCardWidth = 380;

}  // namespace

LessonPanel::LessonPanel(QWidget* window, QTabWidget* pages, AppState* state, TrainingController* controller)
    : QFrame(window), window_(window), pages_(pages),
      lesson_(QSettings().value("lesson/step", 0).toInt()), ring_(new LessonRing(window)), follow_(new QTimer(this)) {
  setObjectName(QStringLiteral("lessonPanel"));
  setFrameShape(QFrame::StyledPanel);
  setAutoFillBackground(true);
  setFixedWidth(kCardWidth);
  counter_ = new QLabel;
  title_ = new QLabel;
  title_->setObjectName(QStringLiteral("lessonTitle"));
  QFont bold = title_->font();
  bold.setBold(true);
  bold.setPointSizeF(bold.pointSizeF() * 1.15);
  title_->setFont(bold);
  text_ = new QLabel;
  text_->setWordWrap(true);
  back_ = new QPushButton(tr("Back"));
  next_ = new QPushButton(tr("Next"));
  next_->setObjectName(QStringLiteral("lessonNext"));
  auto* restart_button = new QPushButton(tr("Restart"));
  auto* close = new QPushButton(tr("Close"));
  close->setToolTip(tr("Hide the lesson (Help > Lesson brings it back where it was)"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(back_);
  buttons->addWidget(next_);
  buttons->addStretch(1);
  buttons->addWidget(restart_button);
  buttons->addWidget(close);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(counter_);
  layout->addWidget(title_);
  layout->addWidget(text_);
  layout->addLayout(buttons);

  connect(back_, &QPushButton::clicked, this, [this] {
    lesson_.back();
    facts_.studio_seen = facts_.runs_seen = false;
    step_changed();
  });
  connect(next_, &QPushButton::clicked, this, [this] {
    lesson_.next();
    facts_.studio_seen = facts_.runs_seen = false;
    step_changed();
  });
  connect(restart_button, &QPushButton::clicked, this, &LessonPanel::restart);
  connect(close, &QPushButton::clicked, this, [this] { setShown(false); });
  connect(follow_, &QTimer::timeout, this, &LessonPanel::place);
  follow_->setInterval(250);
  window_->installEventFilter(this);
  observe(state, controller);
  hide();
  progress();
  step_changed();
}

void LessonPanel::setShown(bool on) {
  QSettings().setValue("lesson/shown", on);
  setVisible(on);
  Q_EMIT shownChanged(on);
}

void LessonPanel::restart() {
  lesson_.restart();
  const bool data = facts_.data_loaded;  // what happened before is done again; the images stay open
  facts_ = LessonFacts{};
  facts_.data_loaded = data;
  step_changed();
  progress();
}

// The window's signals that complete steps.
void LessonPanel::observe(AppState* state, TrainingController* controller) {
  const auto learn = [this](bool LessonFacts::*fact) {
    return [this, fact] {
      facts_.*fact = true;
      progress();
    };
  };
  connect(state, &AppState::datasetLoaded, this, learn(&LessonFacts::data_loaded));
  connect(controller, &TrainingController::runStarted, this, learn(&LessonFacts::run_started));
  connect(controller, &TrainingController::runFinished, this, learn(&LessonFacts::run_ended));
  if (auto* explore = window_->findChild<ExplorePanel*>())
    connect(explore, &ExplorePanel::computed, this, [this](bool ok) {
      facts_.map_shown = facts_.map_shown || ok;
      progress();
    });
  connect(pages_, &QTabWidget::currentChanged, this, &LessonPanel::progress);
  if (auto* preset = window_->findChild<QComboBox*>(QStringLiteral("preset")))
    connect(preset, &QComboBox::currentTextChanged, this, &LessonPanel::progress);
  facts_.data_loaded = state->sample() != nullptr;
}

// Past every step whose condition holds. A page counts as seen for the step that asks for it: a
// visit during an earlier step does not skip it.
void LessonPanel::progress() {
  update_facts();
  bool moved = false;
  while (lesson_.advance(facts_)) {
    moved = true;
    facts_.studio_seen = facts_.runs_seen = false;
    update_facts();
  }
  if (moved) step_changed();
}

void LessonPanel::update_facts() {
  const QString page = kPages.value(pages_->currentIndex());
  facts_.studio_seen = facts_.studio_seen || page == "studio";
  facts_.runs_seen = facts_.runs_seen || page == "runs";
  if (auto* preset = window_->findChild<QComboBox*>(QStringLiteral("preset")))
    facts_.classroom_chosen = preset->currentText() == QString::fromStdString(run_preset("classroom").title);
}

void LessonPanel::step_changed() {
  QSettings().setValue("lesson/step", lesson_.step());
  const int total = int(lesson_steps().size());
  back_->setEnabled(lesson_.step() > 0);
  next_->setEnabled(!lesson_.finished());
  if (const LessonStep* s = lesson_.current()) {
    counter_->setText(tr("Lesson: step %1 of %2").arg(lesson_.step() + 1).arg(total));
    title_->setText(s->title);
    text_->setText(s->text);
  } else {
    counter_->setText(tr("Lesson: done"));
    title_->setText(tr("That is self-supervised learning"));
    text_->setText(tr("Labels were used only to measure what the network learned, never to train it. Try "
                      "another method or pipeline on the Train page and compare the runs on the Runs page; "
                      "Restart takes the lesson from the top."));
  }
  // The wrapped text's height at the card's width (adjustSize would size it for one long line).
  resize(kCardWidth, layout()->totalHeightForWidth(kCardWidth));
  place();
}

QWidget* LessonPanel::target() const {
  const LessonStep* s = lesson_.current();
  if (!s) return nullptr;
  const int page = kPages.indexOf(s->page);
  QWidget* control = s->target.isEmpty() ? nullptr : window_->findChild<QWidget*>(s->target);
  // The control while its page is shown; else the tab of the page to go to.
  if (control && control->isVisible() && pages_->currentIndex() == page) return control;
  return pages_->tabBar();
}

// The tab to open on the way to the step's control: its page's tab, or on its page the tab of the
// inner tab widget that holds it (the Runs page's Explore tab). In window coordinates.
QRect LessonPanel::tab_on_the_way() const {
  const LessonStep* s = lesson_.current();
  if (!s) return {};
  const auto tab_rect = [this](QTabWidget* tabs, int index) {
    const QRect r = tabs->tabBar()->tabRect(index);
    return QRect(tabs->tabBar()->mapTo(window_, r.topLeft()), r.size());
  };
  const int page = kPages.indexOf(s->page);
  QWidget* control = s->target.isEmpty() ? nullptr : window_->findChild<QWidget*>(s->target);
  if (control && pages_->currentIndex() == page)
    for (QWidget* w = control; w && w != pages_; w = w->parentWidget()) {
      // A tab's page sits in the tab widget's stack: its parent's parent is the tab widget.
      QWidget* stack = w->parentWidget();
      auto* tabs = qobject_cast<QTabWidget*>(stack ? stack->parentWidget() : nullptr);
      if (tabs && tabs != pages_ && tabs->indexOf(w) >= 0 && tabs->currentWidget() != w)
        return tab_rect(tabs, tabs->indexOf(w));
    }
  return page >= 0 ? tab_rect(pages_, page) : QRect();
}

// A control below the fold of its page (the launcher's Start under the parameter table on a laptop
// screen) is scrolled to, once, when the step comes to point at it.
void LessonPanel::scroll_into_view(QWidget* control) {
  for (QWidget* p = control->parentWidget(); p; p = p->parentWidget())
    if (auto* area = qobject_cast<QScrollArea*>(p)) {
      area->ensureWidgetVisible(control);
      return;
    }
}

void LessonPanel::place() {
  if (!isVisible()) return;
  QWidget* t = target();
  QRect ring;
  if (t == pages_->tabBar()) {
    ring = tab_on_the_way();
  } else if (t) {
    if (t != scrolled_to_) scroll_into_view(t);
    ring = QRect(t->mapTo(window_, QPoint(0, 0)), t->size());
  }
  scrolled_to_ = t;
  ring_->setGeometry(window_->rect());
  ring_->point_at(ring);
  ring_->raise();
  // The card sits in the bottom corner farther from the ring, above the status bar.
  const int margin = 12, bottom = window_->height() - 40;
  const bool ring_on_left = !ring.isNull() && ring.center().x() < window_->width() / 2;
  const int x = ring_on_left ? window_->width() - width() - margin : margin;
  move(x, std::max(margin, bottom - height()));
  raise();
}

bool LessonPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == window_ && event->type() == QEvent::Resize) place();
  return QFrame::eventFilter(watched, event);
}

void LessonPanel::showEvent(QShowEvent* e) {
  QFrame::showEvent(e);
  ring_->show();
  follow_->start();
  place();
}

void LessonPanel::hideEvent(QHideEvent* e) {
  QFrame::hideEvent(e);
  ring_->hide();
  follow_->stop();
}

}  // namespace pretext
