#pragma once
// The explorer's scatter of a 2-D embedding. Every point is drawn straight into a raster (no item per
// point, no sampling cap: 100,000 points redraw in milliseconds), so it stays fluid where a plotting
// library's scatter does not. Drag pans, the wheel zooms about the cursor, hovering shows the point's
// thumbnail and class, a click picks a point, and a shift-drag lasso selects a region. Points are
// coloured by a category (the class, or any per-point grouping the host gives) with a legend; the
// host rings a set of points (a picked point's neighbours, a selection).
#include <QImage>
#include <QPointF>
#include <QPolygonF>
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <functional>

namespace pretext {

class EmbeddingView : public QWidget {
  Q_OBJECT
 public:
  using ThumbnailProvider = std::function<QImage(int index)>;
  explicit EmbeddingView(QWidget* parent = nullptr);

  // categories: one per point (-1 = none); names label the legend (shorter lists show numbers).
  // keep_view: stay where the user panned and zoomed (frames of one map over time); else frame them.
  void setPoints(const QVector<QPointF>& points, const QVector<int>& categories, const QStringList& names,
                 bool keep_view = false);
  // colors: one per category, replacing the class palette (a right/wrong colouring wants its own).
  void setCategories(const QVector<int>& categories, const QStringList& names, const QVector<QColor>& colors = {});
  // What the hover card says under the image (default: the point's category name).
  void setCaptionProvider(std::function<QString(int index)> caption) { caption_ = std::move(caption); }
  void setThumbnailProvider(ThumbnailProvider provider) { thumbnail_ = std::move(provider); }
  void setRinged(const QVector<int>& indices);
  void clear();
  void resetView();  // every point in view

  int pointCount() const { return int(points_.size()); }
  const QVector<int>& categories() const { return categories_; }
  // The point drawn nearest to a widget position, within radius pixels; -1 if none.
  int pointAt(const QPointF& pos, double radius = 6) const;
  QVector<int> pointsInside(const QPolygonF& widget_polygon) const;
  QPointF toWidget(const QPointF& data) const;
  QPointF toData(const QPointF& widget) const;
  // The map as shown (points in view, rings, legend; no hover card): PNG or JPEG at screen
  // resolution, SVG or PDF with every point a vector dot. False when the file cannot be written.
  bool saveMap(const QString& path);
  double lastRasterMs() const { return raster_ms_; }  // time of the last full redraw of the points

 Q_SIGNALS:
  void hovered(int index);  // -1 when the cursor leaves every point
  void clicked(int index);
  void selected(const QVector<int>& indices);
  void saveFailed(const QString& path);  // a map the user asked to save could not be written

 protected:
  void paintEvent(QPaintEvent*) override;
  void resizeEvent(QResizeEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void wheelEvent(QWheelEvent*) override;
  void leaveEvent(QEvent*) override;
  void changeEvent(QEvent*) override;
  void contextMenuEvent(QContextMenuEvent*) override;

 private:
  void rasterize();
  void buildIndex();
  void drawRings(class QPainter& p) const;
  void drawPointsAsVectors(class QPainter& p) const;
  void drawForExport(class QPainter& p, bool vector);
  void drawLegend(class QPainter& p) const;
  void drawHoverCard(class QPainter& p) const;
  void setHover(int index);
  QColor colorOf(int category) const;
  QString nameOf(int category) const;

  QVector<QPointF> points_;
  QVector<int> categories_, ringed_;
  QStringList names_;
  QVector<QColor> colors_;
  ThumbnailProvider thumbnail_;
  std::function<QString(int)> caption_;
  // View: widget = (data - centre_) * scale_ (y flipped) + widget centre.
  QPointF centre_;
  double scale_ = 1;
  QImage raster_;
  bool raster_stale_ = true;
  double raster_ms_ = 0;
  // A uniform grid over the data: the points in each cell, for hover and click.
  QRectF bounds_;
  int grid_ = 1;
  QVector<QVector<int>> cells_;
  int hover_ = -1;
  QPointF hover_pos_;
  QPoint press_pos_, last_pos_;
  bool dragging_ = false, lassoing_ = false;
  QPolygonF lasso_;
};

}  // namespace pretext
