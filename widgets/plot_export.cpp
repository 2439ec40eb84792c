#include "widgets/plot_export.h"

#include <QFileDialog>
#include <QMenu>
#include <QSvgGenerator>

#include "widgets/qcp.h"

namespace pretext {

bool save_plot(QCustomPlot* plot, const QString& path) {
  const QString lower = path.toLower();
  if (lower.endsWith(".png")) return plot->savePng(path, 0, 0, 2.0);  // twice the screen resolution
  if (lower.endsWith(".pdf")) return plot->savePdf(path);
  if (lower.endsWith(".svg")) {
    // QCustomPlot has no SVG writer of its own; it paints onto any QPaintDevice.
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(plot->size());
    svg.setViewBox(plot->rect());
    svg.setTitle(QStringLiteral("Pretext plot"));
    QCPPainter painter;
    if (!painter.begin(&svg)) return false;
    plot->toPainter(&painter, plot->width(), plot->height());
    return painter.end();
  }
  if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) return plot->saveJpg(path, 0, 0, 2.0);
  return false;
}

void enable_plot_export(QCustomPlot* plot, std::function<void()> reset_view) {
  plot->setContextMenuPolicy(Qt::CustomContextMenu);
  QObject::connect(plot, &QWidget::customContextMenuRequested, plot, [plot, reset_view](const QPoint& pos) {
    QMenu menu(plot);
    if (reset_view) {
      menu.addAction(QObject::tr("Reset view"), plot, reset_view);
      menu.addSeparator();
    }
    for (const QString& ext : {QStringLiteral("png"), QStringLiteral("pdf"), QStringLiteral("svg")}) {
      menu.addAction(QObject::tr("Save as %1…").arg(ext.toUpper()), plot, [plot, ext] {
        const QString f = QFileDialog::getSaveFileName(plot, QObject::tr("Save plot"), "plot." + ext,
                                                       QString("%1 (*.%2)").arg(ext.toUpper(), ext));
        if (!f.isEmpty()) save_plot(plot, f);
      });
    }
    menu.exec(plot->mapToGlobal(pos));
  });
}

}  // namespace pretext
