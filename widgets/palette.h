#pragma once
#include <QColor>

namespace pretext {
// Ten well-separated colours (Tableau 10) for classes; more classes cycle through them.
QColor class_color(int label);
}  // namespace pretext
