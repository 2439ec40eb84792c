#pragma once
// The guided lesson (Help > Lesson): seven steps from the demo images to the embedding, each saying
// what is on screen, naming the control to use, and done when the user has done it. The steps and
// their order live here, apart from any widget, so a test can walk them.
#include <QString>
#include <vector>

namespace pretext {

// What the window has seen happen, as far as the lesson cares.
struct LessonFacts {
  bool data_loaded = false;
  bool studio_seen = false;
  bool classroom_chosen = false;  // the Train page's preset is the classroom recipe
  bool run_started = false;
  bool run_ended = false;
  bool runs_seen = false;
  bool map_shown = false;  // the explorer drew a map
};

struct LessonStep {
  QString title;
  QString text;    // two or three sentences: what is on screen and what to do
  QString page;    // the page the step happens on (data, studio, train, runs)
  QString target;  // objectName of the control to use; "" for the page's tab
  bool (*done)(const LessonFacts&);
};

const std::vector<LessonStep>& lesson_steps();

// Where the user is in the lesson: steps advance as their condition holds, or by Next; Back, Restart.
class Lesson {
 public:
  explicit Lesson(int step = 0);
  int step() const { return step_; }  // == lesson_steps().size() once finished
  bool finished() const;
  const LessonStep* current() const;  // nullptr once finished
  // Moves past the current step if the facts meet its condition; true if it moved.
  bool advance(const LessonFacts& facts);
  void next();
  void back();
  void restart() { step_ = 0; }

 private:
  int step_;
};

}  // namespace pretext
