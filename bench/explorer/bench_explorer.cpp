// Frame times of a 2-D embedding map while a user pans and zooms: the explorer's raster scatter
// (EmbeddingView) and, as the peer, a QCustomPlot scatter of the same points (ScatterPlot, what the
// app drew before). Each frame is one pan or zoom step followed by a full repaint into an image.
//   bench_explorer POINTS.csv [FRAMES]      (index,x,y,label per line, as pretext-cli project --out)
// Prints one JSON line per implementation: points, frames, median and 95th-percentile ms.
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QTextStream>
#include <QWheelEvent>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "widgets/embedding_view.h"
#include "widgets/qcp.h"
#include "widgets/scatter_plot.h"

namespace {

struct Timing {
  double median = 0, p95 = 0;
};

Timing summarise(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)]};
}

void print(const char* what, int points, int frames, const Timing& t) {
  std::printf("{\"implementation\": \"%s\", \"points\": %d, \"frames\": %d, \"median_ms\": %.2f, \"p95_ms\": %.2f}\n",
              what, points, frames, t.median, t.p95);
}

// Alternating zoom-in, pan, zoom-out steps about the centre, the way a user explores.
template <typename Step, typename Draw>
std::vector<double> frames(int count, Step step, Draw draw) {
  std::vector<double> ms;
  QElapsedTimer clock;
  for (int f = 0; f < count; ++f) {
    clock.start();
    step(f);
    draw();
    ms.push_back(clock.nsecsElapsed() / 1e6);
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_explorer POINTS.csv [FRAMES]\n");
    return 2;
  }
  const int count = argc > 2 ? std::atoi(argv[2]) : 100;
  QFile file(argv[1]);
  if (!file.open(QIODevice::ReadOnly)) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  QVector<QPointF> points;
  QVector<int> labels;
  QTextStream in(&file);
  in.readLine();  // header
  while (!in.atEnd()) {
    const QStringList f = in.readLine().split(',');
    if (f.size() < 4) continue;
    points.push_back({f[1].toDouble(), f[2].toDouble()});
    labels.push_back(f[3].toInt());
  }
  const QSize size(1000, 700);

  pretext::EmbeddingView view;
  view.resize(size);
  view.setPoints(points, labels, {});
  QImage canvas(size, QImage::Format_ARGB32_Premultiplied);
  const QPointF centre(size.width() / 2.0, size.height() / 2.0);
  std::vector<double> raster_ms;
  auto view_step = [&](int f) {
    if (f % 3 == 1) {  // pan: a drag of 40 px
      QMouseEvent press(QEvent::MouseButtonPress, centre, centre, Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
      QMouseEvent move(QEvent::MouseMove, centre + QPointF(40, 25), centre + QPointF(40, 25), Qt::NoButton,
                       Qt::LeftButton, Qt::NoModifier);
      QMouseEvent release(QEvent::MouseButtonRelease, centre + QPointF(40, 25), centre + QPointF(40, 25),
                          Qt::LeftButton, Qt::NoButton, Qt::NoModifier);
      QApplication::sendEvent(&view, &press);
      QApplication::sendEvent(&view, &move);
      QApplication::sendEvent(&view, &release);
    } else {
      QWheelEvent wheel(centre, centre, {}, QPoint(0, f % 3 == 0 ? 120 : -120), Qt::NoButton, Qt::NoModifier,
                        Qt::NoScrollPhase, false);
      QApplication::sendEvent(&view, &wheel);
    }
  };
  auto view_draw = [&] {
    canvas.fill(Qt::white);
    view.render(&canvas);
    raster_ms.push_back(view.lastRasterMs());
  };
  const auto view_ms = frames(count, view_step, view_draw);
  print("EmbeddingView (raster)", int(points.size()), count, summarise(view_ms));
  print("EmbeddingView, drawing the points alone", int(points.size()), count, summarise(raster_ms));

  pretext::ScatterPlot scatter;
  scatter.resize(size);
  scatter.setPoints(points, labels, {});
  QCustomPlot* plot = scatter.plot();
  auto plot_step = [&](int f) {
    if (f % 3 == 1) {
      plot->xAxis->moveRange(plot->xAxis->range().size() * 0.04);
      plot->yAxis->moveRange(plot->yAxis->range().size() * 0.04);
    } else {
      const double factor = f % 3 == 0 ? 0.85 : 1 / 0.85;
      plot->xAxis->scaleRange(factor);
      plot->yAxis->scaleRange(factor);
    }
  };
  auto plot_draw = [&] {
    canvas.fill(Qt::white);
    plot->replot(QCustomPlot::rpImmediateRefresh);
    scatter.render(&canvas);
  };
  print("QCustomPlot scatter", int(points.size()), count, summarise(frames(count, plot_step, plot_draw)));
  return 0;
}
