// The main window's workspace and theme handling, driven through the real window.
#include <QApplication>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include "app/gui/app_state.h"
#include "app/gui/main_window.h"
#include "app/gui/theme.h"
#include "engine/store/store.h"
#include "widgets/curve_plot.h"
#include "widgets/qcp.h"

using namespace pretext;

namespace {

QMenu* menu_titled(QWidget* w, const QString& title) {
  for (QMenu* m : w->findChildren<QMenu*>())
    if (m->title().remove('&') == title) return m;
  return nullptr;
}

}  // namespace

class TstMainWindow : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QApplication::setOrganizationName("PretextTest");
    QApplication::setApplicationName("tst_main_window");
    QSettings().clear();
  }

  void workspacesSwitchAndAreRemembered() {
    QTemporaryDir dir;
    const QString a = dir.filePath("alpha.db"), b = dir.filePath("beta.db");
    {
      Store store(b.toStdString());  // beta holds one run, alpha none
      RunRecord r;
      r.name = "in beta";
      r.method = "simclr";
      r.config = "{}";
      store.create_run(r);
    }
    WindowOptions o;
    o.db = a;
    MainWindow w(o);
    QCOMPARE(w.state()->dbPath(), a);
    QVERIFY(w.windowTitle().contains("alpha"));

    QSignalSpy runs_changed(w.state(), &AppState::runsChanged);
    w.openWorkspace(b);
    QCOMPARE(w.state()->dbPath(), b);
    QVERIFY(w.windowTitle().contains("beta"));
    QCOMPARE(runs_changed.count(), 1);  // the runs page reloads from the new database

    const QStringList recent = QSettings().value("workspace/recent").toStringList();
    QCOMPARE(recent.value(0), b);
    QCOMPARE(recent.value(1), a);
    QCOMPARE(QSettings().value("workspace/last").toString(), b);
    QMenu* menu = menu_titled(&w, "Recent workspaces");
    QVERIFY(menu);
    QCOMPARE(menu->actions().size(), 2);
    QCOMPARE(menu->actions()[0]->text(), b);

    menu->actions()[1]->trigger();  // back to alpha from the menu
    QCOMPARE(w.state()->dbPath(), a);
    QCOMPARE(QSettings().value("workspace/recent").toStringList().value(0), a);
  }

  void darkThemeReachesPlotsAndSystemRestores() {
    const QColor base_before = QApplication::palette().color(QPalette::Base);
    CurvePlot plot("loss");
    plot.show();
    apply_theme("dark");
    QApplication::processEvents();
    const QColor base = QApplication::palette().color(QPalette::Base);
    QVERIFY(base.lightness() < 80);
    QCOMPARE(plot.plot()->xAxis->tickLabelColor(), QApplication::palette().color(QPalette::Text));
    QVERIFY(plot.plot()->xAxis->tickLabelColor().lightness() > 160);  // light text on the dark base
    apply_theme("system");
    QApplication::processEvents();
    QCOMPARE(QApplication::palette().color(QPalette::Base), base_before);
    QCOMPARE(plot.plot()->xAxis->tickLabelColor(), QApplication::palette().color(QPalette::Text));
  }
};

QTEST_MAIN(TstMainWindow)
#include "tst_main_window.moc"
