#pragma once
#include <QColor>

class QCustomPlot;

namespace pretext {
// Ten well-separated colours (Tableau 10) for classes; more classes cycle through them.
QColor class_color(int label);

// QCustomPlot draws white backgrounds and black axes whatever the desktop's theme. This paints the
// plot from its widget palette (base, text, mid) now and again whenever the palette changes, so
// plots follow dark mode like every other widget.
void follow_palette(QCustomPlot* plot);
}  // namespace pretext
