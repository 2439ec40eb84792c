#pragma once
// Light, dark or the desktop's own look. Many Linux desktops never tell Qt that they are dark, so
// the choice is the user's (View > Theme, remembered) and not only the platform's.
#include <QString>
#include <QStringList>

namespace pretext {

QStringList theme_names();  // "system", "light", "dark"
// Applies a theme to the whole application; unknown names mean "system". Safe to call repeatedly.
void apply_theme(const QString& name);

}  // namespace pretext
