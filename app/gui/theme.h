#pragma once
// Light, dark or the desktop's own look. Many Linux desktops never tell Qt that they are dark, so
// the choice is the user's (View > Theme, remembered) and not only the platform's.
#include <QString>
#include <QStringList>

namespace pretext {

QStringList theme_names();  // "system", "light", "dark"
// Applies a theme to the whole application; unknown names mean "system". Safe to call repeatedly.
void apply_theme(const QString& name);

// Presentation mode, for a projector at the back of a lecture room: the whole application's text at
// kPresentationFontScale times the desktop's size and every plot's lines kPresentationLineScale times
// thicker. Off returns exactly to the desktop's font. Safe to call repeatedly.
constexpr double kPresentationFontScale = 1.25;
constexpr double kPresentationLineScale = 2.5;
void apply_presentation(bool on);
bool presentation_on();

}  // namespace pretext
