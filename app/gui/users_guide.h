#pragma once
// The user's guide (docs/guide.md) inside the app: Help → User's guide renders the local copy, its
// pictures included, in a window of its own, so it reads the same without a network or a Markdown
// viewer, and always matches the build.
#include <QString>
#include <QStringList>

class QDir;
class QTextDocument;
class QWidget;

namespace pretext {

// Where the guide is looked for, in order: installed beside the binary (../share/doc/pretext) and
// the source tree the binary was built from.
QStringList users_guide_candidates(const QString& binary_dir);
// The first candidate that exists; empty when none does.
QString users_guide_path(const QString& binary_dir);

// The pictures the guide shows (its ![...](path) links), as written.
QStringList users_guide_pictures(const QString& markdown);

// The anchor GitHub gives a heading ("Probes: did it learn anything?" -> "probes-did-it-learn-anything"),
// so the guide's table of contents works in the app as it does on the web.
QString heading_anchor(const QString& heading);
// Names every heading of a document with its anchor (Qt's Markdown reader names none).
void name_heading_anchors(QTextDocument& document);

// Draws the document's pictures (files in `folder`) at most `width` pixels wide, keeping their shape: the
// guide's screenshots are a whole screen wide.
void fit_pictures(QTextDocument& document, const QDir& folder, int width);
constexpr int kPictureWidth = 900;

// Opens the guide's window (one per call's parent); says where it looked when there is no guide.
void show_users_guide(QWidget* parent);

}  // namespace pretext
