#pragma once
#include <QColor>

class QCustomPlot;

namespace pretext {
// Ten categorical colours, distinct under the common colour-vision deficiencies (Paul Tol's muted
// scheme); more classes cycle through them.
QColor class_color(int label);

// QCustomPlot draws white backgrounds, black axes and its own fonts whatever the desktop's theme. This
// paints the plot from its widget's palette (base, text, mid) and writes its text in the widget's font
// (the legend a little smaller), now and again whenever either changes, so plots follow dark mode and
// presentation mode like every other widget; and it draws the plot's lines plot_line_scale() times
// their width.
void follow_style(QCustomPlot* plot);

// How many times their own width every followed plot draws its lines: 1 normally, more on a projector
// (presentation mode). Setting it redraws every plot.
void set_plot_line_scale(double scale);
double plot_line_scale();

// Moves the legend out of the axes into a row of its own under them, as many entries side by side as
// fit, so it never hides data (in the corner of a 150 px diagnostic it covered half of it).
void legend_below_axes(QCustomPlot* plot);

// Before every replot, gives each axis as many ticks as its length holds (one per 55 px, 2 to 6):
// the labels of a narrow plot never run into each other.
void fit_ticks_to_size(QCustomPlot* plot);
}  // namespace pretext
