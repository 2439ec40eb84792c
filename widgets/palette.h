#pragma once
#include <QColor>

class QCustomPlot;

namespace pretext {
// Ten categorical colours, distinct under the common colour-vision deficiencies (Paul Tol's muted
// scheme); more classes cycle through them.
QColor class_color(int label);

// QCustomPlot draws white backgrounds and black axes whatever the desktop's theme. This paints the
// plot from its widget palette (base, text, mid) now and again whenever the palette changes, so
// plots follow dark mode like every other widget.
void follow_palette(QCustomPlot* plot);

// Moves the legend out of the axes into a row of its own under them, as many entries side by side as
// fit, so it never hides data (in the corner of a 150 px diagnostic it covered half of it).
void legend_below_axes(QCustomPlot* plot);

// Before every replot, gives each axis as many ticks as its length holds (one per 55 px, 2 to 6):
// the labels of a narrow plot never run into each other.
void fit_ticks_to_size(QCustomPlot* plot);
}  // namespace pretext
