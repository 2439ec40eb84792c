#include <QtTest>

#include <cmath>

#include "engine/core/smoothing.h"
#include "widgets/curve_plot.h"
#include "widgets/palette.h"
#include "widgets/plot_export.h"
#include "widgets/qcp.h"
#include "widgets/scatter_plot.h"
#include "widgets/view_grid.h"

using namespace pretext;

namespace {
// A 300 x 200 loss curve through two points.
void two_point_curve(CurvePlot& plot) {
  plot.resize(300, 200);
  plot.addPoint(1, 2);
  plot.addPoint(2, 1);
}
}  // namespace

class TestPlots : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void curveAppendsAndRescales() {
    CurvePlot plot("loss");
    plot.resize(400, 300);
    for (int i = 1; i <= 1000; ++i) plot.addPoint(i, 5.0 / i);
    QCOMPARE(plot.pointCount(), 1000);
    plot.replotNow();
    QVERIFY(plot.plot()->xAxis->range().upper >= 1000);
    QVERIFY(plot.plot()->yAxis->range().lower <= 0.005 + 1e-9);
    const QImage img = plot.grab().toImage();
    QVERIFY(!img.isNull());
    // The curve is drawn in its colour (the first of the categorical palette) somewhere on the widget.
    bool found = false;
    for (int y = 0; y < img.height() && !found; ++y)
      for (int x = 0; x < img.width() && !found; ++x) found = img.pixelColor(x, y) == class_color(0);
    QVERIFY(found);
    plot.clear();
    QCOMPARE(plot.pointCount(), 0);
  }

  // During a run points arrive every second; a user who zoomed in must find the view where they
  // left it (it used to snap back at the next replot) until they reset it.
  void zoomSurvivesLivePointsUntilReset() {
    CurvePlot plot("loss");
    plot.resize(400, 300);
    plot.show();
    for (int i = 1; i <= 100; ++i) plot.addPoint(i, 1.0 / i);
    plot.replotNow();
    QVERIFY(plot.followsData());
    QWidget* canvas = plot.plot();
    const QPointF centre(canvas->width() / 2.0, canvas->height() / 2.0);
    QWheelEvent wheel(centre, canvas->mapToGlobal(centre), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(canvas, &wheel);
    const QCPRange zoomed = plot.plot()->xAxis->range();
    QVERIFY(zoomed.size() < 99);  // the wheel zoomed in
    QVERIFY(!plot.followsData());
    for (int i = 101; i <= 400; ++i) plot.addPoint(i, 1.0 / i);
    plot.replotNow();
    QCOMPARE(plot.plot()->xAxis->range().lower, zoomed.lower);
    QCOMPARE(plot.plot()->xAxis->range().upper, zoomed.upper);
    plot.resetView();
    QVERIFY(plot.followsData());
    QVERIFY(plot.plot()->xAxis->range().upper >= 400);
    QVERIFY(plot.plot()->xAxis->range().lower <= 1);
  }

  // Smoothing is the engine's (debiased, as TensorBoard's): the first point is not pulled to zero
  // and appending a point continues the same curve a full rebuild draws.
  void smoothingIsTheDebiasedEmaWhetherAppendedOrRebuilt() {
    CurvePlot plot("loss");
    plot.setSmoothing(0.9);
    const QVector<double> y = {4, 2, 3, 1, 5};
    for (int i = 0; i < y.size(); ++i) plot.addPoint(i, y[i]);
    const auto expected = smooth_ema(std::vector<double>(y.begin(), y.end()), 0.9);
    auto* graph = plot.plot()->graph(0);
    QCOMPARE(graph->dataCount(), y.size());
    for (int i = 0; i < y.size(); ++i) QCOMPARE((graph->data()->constBegin() + i)->value, expected[size_t(i)]);
    QCOMPARE(graph->data()->constBegin()->value, 4.0);
    plot.setSmoothing(0.9);  // rebuilds from the raw values
    for (int i = 0; i < y.size(); ++i) QCOMPARE((graph->data()->constBegin() + i)->value, expected[size_t(i)]);
  }

  // A probe's baselines: several named reference lines, listed in the legend even when the curve
  // itself is unnamed, kept in view, and gone with clear().
  void namedReferenceLinesStayInViewAndInTheLegend() {
    CurvePlot plot("accuracy %");
    plot.resize(400, 300);
    plot.setReferenceLine(67.0, "untrained network");
    plot.setReferenceLine(75.6, "raw pixels");
    plot.addPoint(20, 60);
    plot.addPoint(40, 62);
    plot.replotNow();
    QCOMPARE(plot.referenceLine("raw pixels"), 75.6);
    QVERIFY(plot.plot()->legend->visible());
    QVERIFY(plot.plot()->yAxis->range().upper >= 75.6);
    QVERIFY(plot.plot()->yAxis->range().lower <= 60);
    plot.setReferenceLine(std::nan(""), "raw pixels");
    QVERIFY(std::isnan(plot.referenceLine("raw pixels")));
    plot.clear();
    QVERIFY(std::isnan(plot.referenceLine("untrained network")));
  }

  void scatterGroupsByClass() {
    ScatterPlot s;
    s.resize(300, 300);
    QVector<QPointF> pts{{0, 0}, {1, 1}, {2, 2}, {3, 3}};
    s.setPoints(pts, {0, 1, 1, -1}, {"cat", "dog"});
    QCOMPARE(s.pointCount(), 4);
    QCOMPARE(s.plot()->graphCount(), 3);  // unlabelled, cat, dog
    QStringList names;
    for (int i = 0; i < s.plot()->graphCount(); ++i) names << s.plot()->graph(i)->name();
    QVERIFY(names.contains("cat"));
    QVERIFY(names.contains("dog"));
    QVERIFY(names.contains("unlabelled"));
    QCOMPARE(s.plot()->graph(names.indexOf("dog"))->dataCount(), 2);
  }

  void viewGridPaintsImagesUnsmoothed() {
    ViewGrid g;
    g.resize(300, 100);
    QImage red(2, 2, QImage::Format_RGB888);
    red.fill(Qt::red);
    QImage blue(2, 2, QImage::Format_RGB888);
    blue.fill(Qt::blue);
    g.setRows({{red, blue, red}}, {"original", "view 1", "view 2"});
    QCOMPARE(g.rowCount(), 1);
    QCOMPARE(g.columnCount(), 3);
    const QImage shot = g.grab().toImage();
    int reds = 0, blues = 0;
    for (int y = 0; y < shot.height(); ++y)
      for (int x = 0; x < shot.width(); ++x) {
        const QColor c = shot.pixelColor(x, y);
        reds += c == QColor(Qt::red);
        blues += c == QColor(Qt::blue);
      }
    QVERIFY(reds > 0);
    QVERIFY(blues > 0);
    QVERIFY(reds > blues);  // two red cells, one blue
  }

  void curveSeriesSmoothingAndReference() {
    CurvePlot plot("v");
    plot.addPoint("a", 1, 1);
    plot.addPoint("a", 2, 3);
    plot.addPoint("b", 1, 5);
    QCOMPARE(plot.pointCount("a"), 2);
    QCOMPARE(plot.pointCount(), 3);
    QCOMPARE(plot.seriesNames(), (QStringList{"a", "b"}));
    plot.setSmoothing(0.5);  // debiased EMA: (0.5*0.5*1 + 0.5*3) / (1 - 0.5^2) = 7/3
    QCOMPARE(plot.plot()->graph(0)->data()->at(1)->value, 7.0 / 3.0);
    plot.setSmoothing(0);
    QCOMPARE(plot.plot()->graph(0)->data()->at(1)->value, 3.0);
    plot.setReferenceLine(10, "ref");
    plot.replotNow();
    QVERIFY(plot.plot()->yAxis->range().upper >= 10);
  }

  void plotsSaveAsPngPdfAndSvg() {
    CurvePlot plot("loss");
    two_point_curve(plot);
    plot.replotNow();
    QTemporaryDir dir;
    QVERIFY(save_plot(plot.plot(), dir.filePath("a.png")));
    QVERIFY(save_plot(plot.plot(), dir.filePath("a.pdf")));
    QVERIFY(QImage(dir.filePath("a.png")).width() >= 300);
    QFile pdf(dir.filePath("a.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.read(4) == "%PDF");
    QVERIFY(save_plot(plot.plot(), dir.filePath("a.svg")));
    QFile svg(dir.filePath("a.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray text = svg.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("loss"));  // the axis label is drawn as text, not pixels
    QVERIFY(!save_plot(plot.plot(), dir.filePath("a.xyz")));
  }

  void sparseCurvesAreMarked() {
    CurvePlot plot("z-std");
    plot.addPoint(20, 0.1);  // one diagnostic so far: no line to draw, so a marker shows it
    QCOMPARE(plot.plot()->graph(0)->scatterStyle().shape(), QCPScatterStyle::ssDisc);
    for (int i = 0; i < 100; ++i) plot.addPoint(21 + i, 0.1);
    QCOMPARE(plot.plot()->graph(0)->scatterStyle().shape(), QCPScatterStyle::ssNone);  // a line reads
  }

  void plotsFollowADarkPalette() {
    CurvePlot plot("loss");
    two_point_curve(plot);
    QPalette dark = plot.palette();
    dark.setColor(QPalette::Base, QColor(30, 30, 30));
    dark.setColor(QPalette::Text, QColor(230, 230, 230));
    plot.setPalette(dark);  // reaches the inner plot as a palette change
    plot.replotNow();
    QCOMPARE(plot.plot()->xAxis->tickLabelColor(), QColor(230, 230, 230));
    QCOMPARE(plot.plot()->yAxis->labelColor(), QColor(230, 230, 230));
    const QImage img = plot.plot()->toPixmap(300, 200).toImage();
    QCOMPARE(QColor(img.pixel(2, 2)), QColor(30, 30, 30));  // the background, not QCustomPlot's white
  }

  void plotsFollowTheFontAndTheLineScale() {
    CurvePlot plot("loss");
    two_point_curve(plot);
    plot.replotNow();
    const double own_width = plot.plot()->graph(0)->pen().widthF();
    QFont big = plot.font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    plot.setFont(big);  // reaches the inner plot as a font change, as the application's font does
    set_plot_line_scale(2.5);
    plot.plot()->replot();
    QCOMPARE(plot.plot()->xAxis->tickLabelFont().pointSizeF(), big.pointSizeF());
    QCOMPARE(plot.plot()->yAxis->labelFont().pointSizeF(), big.pointSizeF());
    QVERIFY(plot.plot()->legend->font().pointSizeF() < big.pointSizeF());
    QCOMPARE(plot.plot()->graph(0)->pen().widthF(), own_width * 2.5);
    set_plot_line_scale(1.0);  // back exactly, however often it was drawn scaled
    plot.plot()->replot();
    plot.plot()->replot();
    QCOMPARE(plot.plot()->graph(0)->pen().widthF(), own_width);
    QCOMPARE(plot_line_scale(), 1.0);
  }

  void paletteIsStable() {
    QCOMPARE(class_color(0), class_color(10));
    QVERIFY(class_color(0) != class_color(1));
    QCOMPARE(class_color(-1), QColor(0x80, 0x80, 0x80));
  }
};

QTEST_MAIN(TestPlots)
#include "tst_plots.moc"
