#include "app/gui/lesson.h"

#include <QCoreApplication>
#include <algorithm>

namespace pretext {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("Lesson", text); }

}  // namespace

const std::vector<LessonStep>& lesson_steps() {
  static const std::vector<LessonStep> steps = {
      {tr("Open images without labels"),
       tr("Self-supervised learning starts from images nobody has labelled. Open the Fashion-MNIST demo "
          "(File > Open IDX file, or drop it on the window): 60,000 small grey pictures of clothes, shown "
          "on the Data page."),
       "data", "", [](const LessonFacts& f) { return f.data_loaded; }},
      {tr("See the pretext transformations"),
       tr("The network is never told what a picture shows. Each image is cropped, flipped and its "
          "brightness changed, twice: two views. Open the Studio to see them: the network will learn to "
          "match the two views of one image and to tell them from the views of the others."),
       "studio", "", [](const LessonFacts& f) { return f.studio_seen; }},
      {tr("Choose the classroom recipe"),
       tr("On the Train page, pick the preset 'Classroom (CPU, 3 min)': SimCLR on a small ConvNet, "
          "measured to learn in three minutes on a laptop's CPU."),
       "train", "preset", [](const LessonFacts& f) { return f.classroom_chosen; }},
      {tr("Start training"),
       tr("Press Start. The images load, the untrained network and the raw pixels are measured first as "
          "the baselines, then the network trains."),
       "train", "startButton", [](const LessonFacts& f) { return f.run_started; }},
      {tr("Watch it learn"),
       tr("The loss falls as the two views of each image move together. Below it, the diagnostics: z-std "
          "and RankMe drop if every image collapses to one point, and the online kNN accuracy climbs above "
          "the dashed line of the untrained network as the network learns."),
       "train", "diagnosticsBox", [](const LessonFacts& f) { return f.run_ended; }},
      {tr("Read the probe"),
       tr("At the end, held-out images are classified by their nearest neighbours among the training "
          "images, in the network's features. No label was used to train: the points above the untrained "
          "network are what it learned by itself. Then open the Runs page."),
       "train", "probeSummary", [](const LessonFacts& f) { return f.runs_seen; }},
      {tr("Explore the embedding"),
       tr("On the Runs page, select the run, open its Explore tab and press Compute: every image becomes a "
          "point placed by its features. Hover a point to see its image: clothes of one kind gather, "
          "although no label was given."),
       "runs", "exploreCompute", [](const LessonFacts& f) { return f.map_shown; }},
  };
  return steps;
}

Lesson::Lesson(int step) : step_(std::clamp(step, 0, int(lesson_steps().size()))) {}

bool Lesson::finished() const { return step_ >= int(lesson_steps().size()); }

const LessonStep* Lesson::current() const { return finished() ? nullptr : &lesson_steps()[size_t(step_)]; }

bool Lesson::advance(const LessonFacts& facts) {
  if (finished() || !current()->done(facts)) return false;
  ++step_;
  return true;
}

void Lesson::next() {
  if (!finished()) ++step_;
}

void Lesson::back() { step_ = std::max(0, step_ - 1); }

}  // namespace pretext
