#include "app/gui/theme.h"

#include "widgets/palette.h"

#include <QApplication>
#include <QFont>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace pretext {
namespace {

struct Original {
  QString style;
  QPalette palette;
  QFont font;
};

// The desktop's style, palette and font as they were before any theme or presentation mode was
// applied, to return to.
const Original& original() {
  static const Original o{QApplication::style()->name(), QApplication::palette(), QApplication::font()};
  return o;
}

bool g_presentation = false;

QPalette dark_palette() {
  QPalette p;
  const QColor window(45, 45, 48), base(30, 30, 32), text(225, 225, 225), disabled(127, 127, 127);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, window);
  p.setColor(QPalette::ToolTipBase, base);
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, disabled);
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, window);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, Qt::red);
  p.setColor(QPalette::Light, QColor(70, 70, 74));
  p.setColor(QPalette::Midlight, QColor(60, 60, 64));
  p.setColor(QPalette::Mid, QColor(90, 90, 96));
  p.setColor(QPalette::Dark, QColor(25, 25, 27));
  p.setColor(QPalette::Shadow, Qt::black);
  p.setColor(QPalette::Highlight, QColor(42, 130, 218));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Link, QColor(90, 160, 255));
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
    p.setColor(QPalette::Disabled, role, disabled);
  return p;
}

}  // namespace

QStringList theme_names() { return {"system", "light", "dark"}; }

void apply_theme(const QString& name) {
  const Original& o = original();
  if (name == "dark" || name == "light") {
    // Fusion draws every control from the palette; native styles may ignore parts of it.
    QApplication::setStyle(QStyleFactory::create("Fusion"));
    QApplication::setPalette(name == "dark" ? dark_palette() : QApplication::style()->standardPalette());
  } else {
    QApplication::setStyle(QStyleFactory::create(o.style));
    QApplication::setPalette(o.palette);
  }
}

void apply_presentation(bool on) {
  const Original& o = original();
  QFont font = o.font;
  if (on) {
    // A font sized in pixels (some desktops) has no point size to scale.
    if (font.pointSizeF() > 0) font.setPointSizeF(font.pointSizeF() * kPresentationFontScale);
    else font.setPixelSize(int(font.pixelSize() * kPresentationFontScale));
  }
  g_presentation = on;
  QApplication::setFont(font);
  set_plot_line_scale(on ? kPresentationLineScale : 1.0);
}

bool presentation_on() { return g_presentation; }

}  // namespace pretext
