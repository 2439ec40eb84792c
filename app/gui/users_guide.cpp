#include "app/gui/users_guide.h"

#include <algorithm>

#include <QCoreApplication>
#include <QDialog>
#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QMessageBox>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QUrl>
#include <QVBoxLayout>

namespace pretext {

QStringList users_guide_candidates(const QString& binary_dir) {
  return {QDir(binary_dir).absoluteFilePath("../share/doc/pretext/guide.md"),
          QStringLiteral(PRETEXT_SOURCE_DIR "/docs/guide.md")};
}

QString users_guide_path(const QString& binary_dir) {
  for (const QString& path : users_guide_candidates(binary_dir))
    if (QFileInfo(path).isFile()) return QFileInfo(path).absoluteFilePath();
  return {};
}

QStringList users_guide_pictures(const QString& markdown) {
  static const QRegularExpression picture(R"(!\[[^\]]*\]\(([^)\s]+)\))");
  QStringList out;
  for (auto it = picture.globalMatch(markdown); it.hasNext();) out << it.next().captured(1);
  return out;
}

QString heading_anchor(const QString& heading) {
  QString out;
  for (const QChar c : heading.toLower()) {
    if (c.isLetterOrNumber() || c == '-' || c == '_') out += c;
    else if (c == ' ') out += '-';
  }
  return out;
}

void name_heading_anchors(QTextDocument& document) {
  for (QTextBlock block = document.begin(); block.isValid(); block = block.next()) {
    if (block.blockFormat().headingLevel() == 0) continue;
    QTextCursor cursor(block);
    cursor.select(QTextCursor::BlockUnderCursor);
    QTextCharFormat anchor;
    anchor.setAnchor(true);
    anchor.setAnchorNames({heading_anchor(block.text())});
    cursor.mergeCharFormat(anchor);
  }
}

void fit_pictures(QTextDocument& document, const QDir& folder, int width) {
  for (QTextBlock block = document.begin(); block.isValid(); block = block.next())
    for (auto it = block.begin(); !it.atEnd(); ++it) {
      const QTextFragment fragment = it.fragment();
      if (!fragment.charFormat().isImageFormat()) continue;
      QTextImageFormat picture = fragment.charFormat().toImageFormat();
      const QSize size = QImageReader(folder.filePath(picture.name())).size();
      if (!size.isValid()) continue;
      const int drawn = std::min(width, size.width());
      picture.setWidth(drawn);
      picture.setHeight(double(size.height()) * drawn / size.width());
      QTextCursor cursor(&document);
      cursor.setPosition(fragment.position());
      cursor.setPosition(fragment.position() + fragment.length(), QTextCursor::KeepAnchor);
      cursor.setCharFormat(picture);
    }
}

void show_users_guide(QWidget* parent) {
  const QString path = users_guide_path(QCoreApplication::applicationDirPath());
  if (path.isEmpty()) {
    QMessageBox::information(parent, QObject::tr("User's guide"),
                             QObject::tr("The user's guide is not on this machine. It was looked for at:\n%1\n\n"
                                         "It is docs/guide.md in Pretext's source repository.")
                                 .arg(users_guide_candidates(QCoreApplication::applicationDirPath()).join("\n")));
    return;
  }
  auto* window = new QDialog(parent);
  window->setAttribute(Qt::WA_DeleteOnClose);
  window->setWindowTitle(QObject::tr("Pretext: the user's guide"));
  auto* browser = new QTextBrowser;
  browser->setOpenExternalLinks(true);
  browser->setSource(QUrl::fromLocalFile(path), QTextDocument::MarkdownResource);
  name_heading_anchors(*browser->document());
  fit_pictures(*browser->document(), QFileInfo(path).dir(), kPictureWidth);
  auto* layout = new QVBoxLayout(window);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(browser);
  window->resize(kPictureWidth + 60, 720);
  window->show();
}

}  // namespace pretext
