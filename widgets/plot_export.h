#pragma once
#include <QString>

class QCustomPlot;

namespace pretext {
// Adds a right-click menu to a plot: "Save as PNG…", "Save as PDF…" and "Save as SVG…" (vectors).
void enable_plot_export(QCustomPlot* plot);
// Saves by file extension (.png, .pdf, .svg, .jpg); returns false on failure or an unknown extension.
bool save_plot(QCustomPlot* plot, const QString& path);
}  // namespace pretext
