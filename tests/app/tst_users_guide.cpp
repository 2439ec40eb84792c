// Help → User's guide: the repository's guide is found from a build, every picture and every
// in-page link it has resolves, and the window shows it with its headings as link targets.
#include <QApplication>
#include <QDialog>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextBrowser>
#include <QtTest>

#include "app/gui/users_guide.h"

using namespace pretext;

namespace {

QString read_guide() {
  QFile f(users_guide_path(QCoreApplication::applicationDirPath()));
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QStringList heading_anchors_of(const QTextDocument& document) {
  QStringList names;
  for (QTextBlock b = document.begin(); b.isValid(); b = b.next())
    if (b.blockFormat().headingLevel() > 0)
      for (auto it = b.begin(); !it.atEnd(); ++it) names << it.fragment().charFormat().anchorNames();
  return names;
}

}  // namespace

class TstUsersGuide : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void headingsGetGithubsAnchors() {
    QCOMPARE(heading_anchor("Probes: did it learn anything?"), QString("probes-did-it-learn-anything"));
    QCOMPARE(heading_anchor("The studio: what the network will be asked to ignore"),
             QString("the-studio-what-the-network-will-be-asked-to-ignore"));
    QCOMPARE(heading_anchor("Runs: compare, resume, reproduce"), QString("runs-compare-resume-reproduce"));
    QCOMPARE(heading_anchor("kNN top-1 (k=200)"), QString("knn-top-1-k200"));
  }

  void picturesAreFoundInTheMarkdown() {
    QCOMPARE(users_guide_pictures("text ![The studio](guide/02-studio.png) and ![](a b.png) ![x](c.png)"),
             QStringList({"guide/02-studio.png", "c.png"}));
  }

  void theGuideIsFoundAndEveryPictureAndLinkResolves() {
    const QString path = users_guide_path(QCoreApplication::applicationDirPath());
    QVERIFY2(!path.isEmpty(), "docs/guide.md not found from the build");
    const QString text = read_guide();
    const QStringList pictures = users_guide_pictures(text);
    QVERIFY(pictures.size() >= 5);
    for (const QString& p : pictures)
      QVERIFY2(QFileInfo(QFileInfo(path).dir().filePath(p)).isFile(), qPrintable("missing picture " + p));
    QTextDocument document;
    document.setMarkdown(text);
    name_heading_anchors(document);
    const QStringList anchors = heading_anchors_of(document);
    static const QRegularExpression in_page(R"(\]\(#([^)]+)\))");
    int links = 0;
    for (auto it = in_page.globalMatch(text); it.hasNext(); ++links) {
      const QString target = it.next().captured(1);
      QVERIFY2(anchors.contains(target), qPrintable("no heading for the link #" + target));
    }
    QVERIFY(links >= 10);
  }

  void theWindowShowsTheGuide() {
    QWidget parent;
    show_users_guide(&parent);
    auto* window = parent.findChild<QDialog*>();
    QVERIFY(window);
    auto* browser = window->findChild<QTextBrowser*>();
    QVERIFY(browser);
    QVERIFY(browser->toPlainText().contains("Pretext: the user's guide"));
    QVERIFY(heading_anchors_of(*browser->document()).contains("the-explorer"));
    int pictures = 0;  // each drawn at most kPictureWidth wide, in its own proportions
    for (QTextBlock b = browser->document()->begin(); b.isValid(); b = b.next())
      for (auto it = b.begin(); !it.atEnd(); ++it)
        if (it.fragment().charFormat().isImageFormat()) {
          const QTextImageFormat f = it.fragment().charFormat().toImageFormat();
          QVERIFY2(f.width() > 0 && f.width() <= kPictureWidth, qPrintable(f.name()));
          QVERIFY(f.height() > 0 && f.height() < f.width());
          ++pictures;
        }
    QVERIFY(pictures >= 5);
    window->close();
  }
};

QTEST_MAIN(TstUsersGuide)
#include "tst_users_guide.moc"
