#pragma once
#include <QString>
#include <functional>

class QCustomPlot;

namespace pretext {
// Adds a right-click menu to a plot: "Save as PNG…", "Save as PDF…" and "Save as SVG…" (vectors),
// and "Reset view" first when reset_view is given.
void enable_plot_export(QCustomPlot* plot, std::function<void()> reset_view = {});
// Saves by file extension (.png, .pdf, .svg, .jpg); returns false on failure or an unknown extension.
bool save_plot(QCustomPlot* plot, const QString& path);
}  // namespace pretext
