// The explorer's scatter (widgets/embedding_view.h) as a user drives it: every point is drawn in
// its category's colour, hovering finds the point under the cursor, a click picks it, the wheel zooms
// about the cursor (the point under it stays put), dragging pans, and a shift-drag lasso selects
// exactly the points inside it.
#include <QtTest>

#include <random>

#include "widgets/embedding_view.h"
#include "widgets/palette.h"

using namespace pretext;

namespace {

// Two labelled blobs, left (category 0) and right (category 1), and one point at the origin (2).
void two_blobs(EmbeddingView& view, int per_blob) {
  std::mt19937 gen(1);
  std::normal_distribution<double> noise(0, 0.5);
  QVector<QPointF> points;
  QVector<int> categories;
  for (int i = 0; i < 2 * per_blob; ++i) {
    points.push_back({(i < per_blob ? -5 : 5) + noise(gen), noise(gen)});
    categories.push_back(i < per_blob ? 0 : 1);
  }
  points.push_back({0, 0});
  categories.push_back(2);
  view.setPoints(points, categories, {"left", "right", "middle"});
}

bool has_colour(const QImage& image, const QColor& colour) {
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x)
      if (image.pixelColor(x, y) == colour) return true;
  return false;
}

}  // namespace

class TestEmbeddingView : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void drawsEveryCategoryInItsColour() {
    EmbeddingView view;
    view.resize(500, 400);
    two_blobs(view, 200);
    const QImage image = view.grab().toImage();
    for (int c = 0; c < 3; ++c) QVERIFY2(has_colour(image, class_color(c)), qPrintable(QString::number(c)));
    QCOMPARE(view.pointCount(), 401);
  }

  void hoverAndClickFindThePointUnderTheCursor() {
    EmbeddingView view;
    view.resize(500, 400);
    two_blobs(view, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QPointF middle = view.toWidget({0, 0});
    QCOMPARE(view.pointAt(middle), 400);
    QCOMPARE(view.pointAt(middle + QPointF(3, 0)), 400);
    QCOMPARE(view.pointAt(QPointF(2, 2)), -1);  // a corner, nowhere near a point
    QSignalSpy hovered(&view, &EmbeddingView::hovered), clicked(&view, &EmbeddingView::clicked);
    QTest::mouseMove(&view, middle.toPoint());
    QTRY_VERIFY(!hovered.isEmpty());
    QCOMPARE(hovered.last().at(0).toInt(), 400);
    QTest::mouseClick(&view, Qt::LeftButton, {}, middle.toPoint());
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.last().at(0).toInt(), 400);
  }

  void wheelZoomKeepsThePointUnderTheCursorAndDragPans() {
    EmbeddingView view;
    view.resize(500, 400);
    two_blobs(view, 200);
    const QPointF anchor(5, 0), before = view.toWidget(anchor);
    QWheelEvent wheel(before, view.mapToGlobal(before), {}, QPoint(0, 480), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    const QPointF after = view.toWidget(anchor);
    QVERIFY(std::abs(after.x() - before.x()) < 1e-6 && std::abs(after.y() - before.y()) < 1e-6);
    // Zoomed in: the left blob's centre moved away from the anchor on screen.
    QVERIFY(std::abs(view.toWidget({-5, 0}).x() - before.x()) > 10 * 1.5 * 10);
    const QPointF origin = view.toWidget({0, 0});
    QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(250, 200));
    QMouseEvent move(QEvent::MouseMove, QPointF(290, 230), view.mapToGlobal(QPointF(290, 230)), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&view, &move);
    QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(290, 230));
    const QPointF moved = view.toWidget({0, 0});
    QVERIFY(std::abs(moved.x() - origin.x() - 40) < 1e-6 && std::abs(moved.y() - origin.y() - 30) < 1e-6);
  }

  void lassoSelectsExactlyThePointsInside() {
    EmbeddingView view;
    view.resize(500, 400);
    two_blobs(view, 200);
    QSignalSpy selected(&view, &EmbeddingView::selected);
    // A box around the right blob, drawn with shift held.
    const QPointF a = view.toWidget({2, 3}), b = view.toWidget({8, -3});
    const QList<QPointF> corners = {a, {b.x(), a.y()}, b, {a.x(), b.y()}, a};
    QTest::mousePress(&view, Qt::LeftButton, Qt::ShiftModifier, corners[0].toPoint());
    for (const auto& c : corners) {
      QMouseEvent move(QEvent::MouseMove, c, view.mapToGlobal(c), Qt::NoButton, Qt::LeftButton, Qt::ShiftModifier);
      QApplication::sendEvent(&view, &move);
    }
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::ShiftModifier, corners.last().toPoint());
    QCOMPARE(selected.size(), 1);
    const auto indices = selected.last().at(0).value<QVector<int>>();
    QCOMPARE(indices.size(), 200);
    for (int i : indices) QVERIFY(i >= 200 && i < 400);
  }

  void aHundredThousandPointsAreAllDrawn() {
    EmbeddingView view;
    view.resize(800, 600);
    QVector<QPointF> points;
    std::mt19937 gen(2);
    std::uniform_real_distribution<double> u(-1, 1);
    for (int i = 0; i < 100000; ++i) points.push_back({u(gen), u(gen)});
    points[12345] = {3, 3};  // alone in the top-right corner, category 9
    QVector<int> categories(points.size(), 0);
    categories[12345] = 9;
    view.setPoints(points, categories, {});
    const QImage image = view.grab().toImage();
    QVERIFY(has_colour(image, class_color(9)));  // no sampling: the single point is drawn
    QVERIFY(view.lastRasterMs() > 0);
    QCOMPARE(view.pointAt(view.toWidget({3, 3})), 12345);
  }
};

QTEST_MAIN(TestEmbeddingView)
#include "tst_embedding_view.moc"
