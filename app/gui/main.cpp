#include <QApplication>
#include <cstdlib>
#include <QIcon>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include "app/gui/main_window.h"
#include "app/gui/training_controller.h"
#include "app/gui/theme.h"
#include "engine/core/runtime.h"

namespace {

// ~/.local/share/pretext/pretext.db. (AppDataLocation, with the organisation and the application
// both "Pretext", read ".../Pretext/Pretext/pretext.db"; a workspace left there by earlier builds
// is still opened.)
QString default_workspace() {
  const QString earlier = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/pretext.db";
  if (QFileInfo::exists(earlier)) return earlier;
  const QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/pretext";
  QDir().mkpath(dir);
  return dir + "/pretext.db";
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("Pretext");
  QApplication::setOrganizationName("Pretext");
  QApplication::setWindowIcon(QIcon(":/icons/pretext.svg"));
  QApplication::setApplicationVersion(QString::fromStdString(pretext::versions().pretext));

  QCommandLineParser parser;
  parser.setApplicationDescription("Pretext: a workbench for self-supervised learning on images");
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption data({"d", "data"}, "Folder of images or IDX file to open.", "path");
  QCommandLineOption db("db", "Experiment database (default: in the user's data folder).", "file");
  QCommandLineOption method("method", "SSL method.", "name", "simclr");
  QCommandLineOption epochs("epochs", "Epochs.", "n", "3");
  QCommandLineOption steps("steps", "Optimiser steps (overrides epochs).", "n", "0");
  QCommandLineOption limit("limit", "Use at most this many training images.", "n", "0");
  QCommandLineOption backbone("backbone", "Backbone.", "name");
  QCommandLineOption page("page", "Page to show: data, studio, train, runs, log.", "name");
  QCommandLineOption compare("compare", "Run ids to compare on the runs page, e.g. 1,2,3.", "ids");
  QCommandLineOption pipeline("pipeline", "Augmentation preset or JSON file for the studio and training.", "name");
  QCommandLineOption autostart("autostart", "Start training as soon as the data is open.");
  QCommandLineOption screenshot("screenshot", "Save a PNG of the window when the run ends, then quit.", "file");
  QCommandLineOption preset("preset", "Run preset for the Train page (as pretext-cli train --preset); the options "
                            "given here override its fields.", "name");
  QCommandLineOption presentation("presentation", "Start in presentation mode: large text, thick plot lines, full "
                                                  "screen (View > Presentation mode, F5).");
  QCommandLineOption lesson("lesson", "Open the guided lesson (Help > Lesson), from the top.");
  QCommandLineOption theme("theme", "Look: system, light or dark (default: the last choice in View > Theme).", "name");
  parser.addOptions({presentation, lesson, theme, data, db, method, backbone, epochs, steps, limit, preset, page, compare, pipeline, autostart,
                     screenshot});
  parser.process(app);

  if (parser.isSet(theme)) QSettings().setValue("view/theme", parser.value(theme));
  pretext::apply_theme(QSettings().value("view/theme", "system").toString());

  pretext::WindowOptions o;
  o.data = parser.value(data);
  o.db = parser.value(db);
  if (o.db.isEmpty()) o.db = QSettings().value("workspace/last").toString();  // the workspace used last
  if (!o.db.isEmpty() && !QFileInfo::exists(o.db) && parser.value(db).isEmpty()) o.db.clear();
  if (o.db.isEmpty()) o.db = default_workspace();
  o.method = parser.value(method);
  o.epochs = parser.value(epochs).toInt();
  o.steps = parser.value(steps).toInt();
  o.limit = parser.value(limit).toInt();
  o.backbone = parser.value(backbone);
  o.preset = parser.value(preset);
  for (const auto& [option, field] : {std::pair{&method, "method"}, {&backbone, "backbone"}, {&epochs, "epochs"},
                                      {&steps, "steps"}, {&limit, "limit"}})
    if (parser.isSet(*option)) o.given << field;
  o.page = parser.value(page);
  o.compare = parser.value(compare);
  o.pipeline = parser.value(pipeline);
  o.autostart = parser.isSet(autostart);
  o.screenshot = parser.value(screenshot);

  pretext::MainWindow w(o);
  w.show();
  if (parser.isSet(presentation)) w.setPresentationMode(true);
  if (parser.isSet(lesson)) w.startLesson();
  const int rc = app.exec();
  // A run whose step outlasted the quit wait is not joined: the process ends now, as a kill would
  // end it, which the database is built to survive.
  if (pretext::TrainingController::leftRunning()) std::_Exit(rc);
  return rc;
}
