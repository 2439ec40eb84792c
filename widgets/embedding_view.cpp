#include "widgets/embedding_view.h"

#include <QContextMenuEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QMap>
#include <QMenu>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "widgets/palette.h"

namespace pretext {
namespace {

constexpr int kMargin = 16;          // pixels kept free around the points when the view is reset
constexpr int kMaxRings = 5000;      // rings past this many would hide the points they mark
constexpr int kThumbnail = 112;      // the hover card's image side

}  // namespace

QColor EmbeddingView::colorOf(int category) const {
  if (category < 0) return palette().color(QPalette::Mid);
  return category < colors_.size() ? colors_[category] : class_color(category);
}

QString EmbeddingView::nameOf(int category) const {
  return category < 0 ? QString() : category < names_.size() ? names_[category] : QString::number(category);
}

EmbeddingView::EmbeddingView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(200, 160);
  setFocusPolicy(Qt::StrongFocus);
}

void EmbeddingView::setPoints(const QVector<QPointF>& points, const QVector<int>& categories, const QStringList& names,
                              bool keep_view) {
  const bool had_points = !points_.isEmpty();
  points_ = points;
  ringed_.clear();
  hover_ = -1;
  setCategories(categories, names);
  buildIndex();
  if (keep_view && had_points) {
    raster_stale_ = true;
    update();
  } else {
    resetView();
  }
}

void EmbeddingView::setCategories(const QVector<int>& categories, const QStringList& names,
                                  const QVector<QColor>& colors) {
  categories_ = categories;
  categories_.resize(points_.size(), -1);
  names_ = names;
  colors_ = colors;
  raster_stale_ = true;
  update();
}

void EmbeddingView::setRinged(const QVector<int>& indices) {
  ringed_ = indices;
  update();
}

void EmbeddingView::clear() { setPoints({}, {}, {}); }

void EmbeddingView::resetView() {
  if (points_.isEmpty()) {
    centre_ = {0, 0};
    scale_ = 1;
  } else {
    centre_ = bounds_.center();
    const double w = std::max(1.0, double(width() - 2 * kMargin)), h = std::max(1.0, double(height() - 2 * kMargin));
    scale_ = std::min(w / std::max(bounds_.width(), 1e-12), h / std::max(bounds_.height(), 1e-12));
  }
  raster_stale_ = true;
  update();
}

QPointF EmbeddingView::toWidget(const QPointF& d) const {
  return {(d.x() - centre_.x()) * scale_ + width() / 2.0, -(d.y() - centre_.y()) * scale_ + height() / 2.0};
}

QPointF EmbeddingView::toData(const QPointF& w) const {
  return {(w.x() - width() / 2.0) / scale_ + centre_.x(), -(w.y() - height() / 2.0) / scale_ + centre_.y()};
}

void EmbeddingView::buildIndex() {
  cells_.clear();
  if (points_.isEmpty()) return;
  double x0 = points_[0].x(), x1 = x0, y0 = points_[0].y(), y1 = y0;
  for (const auto& p : points_) {
    x0 = std::min(x0, p.x()), x1 = std::max(x1, p.x());
    y0 = std::min(y0, p.y()), y1 = std::max(y1, p.y());
  }
  bounds_ = QRectF(QPointF(x0, y0), QPointF(x1, y1));
  // About eight points a cell on average.
  grid_ = std::max(1, int(std::sqrt(points_.size() / 8.0)));
  cells_.resize(grid_ * grid_);
  for (int i = 0; i < points_.size(); ++i) {
    const int cx = std::clamp(int((points_[i].x() - x0) / std::max(x1 - x0, 1e-12) * grid_), 0, grid_ - 1);
    const int cy = std::clamp(int((points_[i].y() - y0) / std::max(y1 - y0, 1e-12) * grid_), 0, grid_ - 1);
    cells_[cy * grid_ + cx].push_back(i);
  }
}

int EmbeddingView::pointAt(const QPointF& pos, double radius) const {
  if (points_.isEmpty()) return -1;
  const QPointF lo = toData(pos + QPointF(-radius, radius)), hi = toData(pos + QPointF(radius, -radius));
  auto cell = [&](double v, double start, double extent) {
    return std::clamp(int((v - start) / std::max(extent, 1e-12) * grid_), 0, grid_ - 1);
  };
  const int cx0 = cell(lo.x(), bounds_.left(), bounds_.width()), cx1 = cell(hi.x(), bounds_.left(), bounds_.width());
  const int cy0 = cell(lo.y(), bounds_.top(), bounds_.height()), cy1 = cell(hi.y(), bounds_.top(), bounds_.height());
  int best = -1;
  double best_d2 = radius * radius;
  for (int cy = cy0; cy <= cy1; ++cy)
    for (int cx = cx0; cx <= cx1; ++cx)
      for (int i : cells_[cy * grid_ + cx]) {
        const QPointF d = toWidget(points_[i]) - pos;
        const double d2 = d.x() * d.x() + d.y() * d.y();
        if (d2 <= best_d2) best_d2 = d2, best = i;
      }
  return best;
}

QVector<int> EmbeddingView::pointsInside(const QPolygonF& polygon) const {
  QVector<int> out;
  const QRectF box = polygon.boundingRect();
  for (int i = 0; i < points_.size(); ++i) {
    const QPointF w = toWidget(points_[i]);
    if (box.contains(w) && polygon.containsPoint(w, Qt::OddEvenFill)) out.push_back(i);
  }
  return out;
}

void EmbeddingView::rasterize() {
  QElapsedTimer timer;
  timer.start();
  raster_ = QImage(size().expandedTo(QSize(1, 1)), QImage::Format_ARGB32_Premultiplied);
  raster_.fill(palette().color(QPalette::Base));
  // One colour per category, looked up once; small sets get bigger dots.
  QVector<QRgb> colours;
  for (int c : categories_)
    if (c >= colours.size()) colours.resize(c + 1);
  for (int c = 0; c < colours.size(); ++c) colours[c] = colorOf(c).rgb();
  const QRgb none = colorOf(-1).rgb();
  const int r = points_.size() > 20000 ? 1 : 2;
  const int w = raster_.width(), h = raster_.height();
  const auto stride = raster_.bytesPerLine() / int(sizeof(QRgb));
  auto* pixels = reinterpret_cast<QRgb*>(raster_.bits());
  const double cx = centre_.x(), cy = centre_.y(), s = scale_, hw = w / 2.0, hh = h / 2.0;
  for (int i = 0; i < points_.size(); ++i) {
    const int px = int(std::lround((points_[i].x() - cx) * s + hw)), py = int(std::lround(-(points_[i].y() - cy) * s + hh));
    if (px < -r || py < -r || px >= w + r || py >= h + r) continue;
    const QRgb colour = categories_[i] >= 0 ? colours[categories_[i]] : none;
    for (int y = std::max(0, py - r); y <= std::min(h - 1, py + r); ++y) {
      QRgb* row = pixels + y * stride;
      for (int x = std::max(0, px - r); x <= std::min(w - 1, px + r); ++x)
        if (r < 2 || std::abs(x - px) + std::abs(y - py) < 2 * r) row[x] = colour;  // r 2: a rounded dot
    }
  }
  raster_stale_ = false;
  raster_ms_ = timer.nsecsElapsed() / 1e6;
}

void EmbeddingView::paintEvent(QPaintEvent*) {
  if (raster_stale_ || raster_.size() != size()) rasterize();
  QPainter p(this);
  p.drawImage(0, 0, raster_);
  if (points_.isEmpty()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap,
               tr("No embedding yet: pick a run and a projection, then Compute."));
    return;
  }
  p.setRenderHint(QPainter::Antialiasing);
  drawRings(p);
  if (lassoing_ && lasso_.size() > 1) {
    p.setPen(QPen(palette().color(QPalette::Highlight), 1.5, Qt::DashLine));
    p.setBrush(QColor(palette().color(QPalette::Highlight).red(), palette().color(QPalette::Highlight).green(),
                      palette().color(QPalette::Highlight).blue(), 40));
    p.drawPolygon(lasso_);
  }
  drawLegend(p);
  drawHoverCard(p);
}

void EmbeddingView::drawPointsAsVectors(QPainter& p) const {
  const double r = points_.size() > 20000 ? 1.0 : 2.0;
  p.setPen(Qt::NoPen);
  const QRectF visible = QRectF(rect()).adjusted(-r, -r, r, r);
  // One colour at a time: an SVG writes one group per brush, not one per point.
  QMap<int, QVector<int>> by_category;
  for (int i = 0; i < points_.size(); ++i) by_category[categories_.value(i, -1)].push_back(i);
  for (auto it = by_category.cbegin(); it != by_category.cend(); ++it) {
    p.setBrush(colorOf(it.key()));
    for (int i : it.value()) {
      const QPointF at = toWidget(points_[i]);
      if (visible.contains(at)) p.drawEllipse(at, r, r);
    }
  }
}

void EmbeddingView::drawForExport(QPainter& p, bool vector) {
  if (vector) {
    p.fillRect(rect(), palette().color(QPalette::Base));
    p.setRenderHint(QPainter::Antialiasing);
    drawPointsAsVectors(p);
  } else {
    if (raster_stale_ || raster_.size() != size()) rasterize();
    p.drawImage(0, 0, raster_);
    p.setRenderHint(QPainter::Antialiasing);
  }
  drawRings(p);
  drawLegend(p);
}

bool EmbeddingView::saveMap(const QString& path) {
  const QString lower = path.toLower();
  if (lower.endsWith(".svg")) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size());
    svg.setViewBox(rect());
    svg.setTitle(QStringLiteral("Pretext embedding map"));
    QPainter p;
    if (!p.begin(&svg)) return false;
    drawForExport(p, true);
    return p.end();
  }
  if (lower.endsWith(".pdf")) {
    QPdfWriter pdf(path);
    pdf.setPageSize(QPageSize(QSizeF(width(), height()), QPageSize::Point));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setResolution(72);  // one widget pixel per point
    QPainter p;
    if (!p.begin(&pdf)) return false;
    drawForExport(p, true);
    return p.end();
  }
  QImage image(size().expandedTo(QSize(1, 1)), QImage::Format_ARGB32_Premultiplied);
  QPainter p(&image);
  drawForExport(p, false);
  p.end();
  return image.save(path);
}

void EmbeddingView::contextMenuEvent(QContextMenuEvent* e) {
  QMenu menu(this);
  menu.addAction(tr("Reset view"), this, &EmbeddingView::resetView);
  menu.addSeparator();
  for (const QString& ext : {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")}) {
    QAction* save = menu.addAction(tr("Save map as %1…").arg(ext.toUpper()), this, [this, ext] {
      const QString f = QFileDialog::getSaveFileName(this, tr("Save map"), "map." + ext,
                                                     QString("%1 (*.%2)").arg(ext.toUpper(), ext));
      if (!f.isEmpty() && !saveMap(f)) Q_EMIT saveFailed(f);
    });
    save->setEnabled(!points_.isEmpty());
  }
  menu.exec(e->globalPos());
}

void EmbeddingView::drawRings(QPainter& p) const {
  p.setBrush(Qt::NoBrush);
  // A few rings (a point's neighbours) stand out; many (a lasso) stay thin and let the colours show.
  QColor ring = palette().color(QPalette::Text);
  if (ringed_.size() > 50) ring.setAlpha(110);
  p.setPen(QPen(ring, ringed_.size() > 50 ? 1.0 : 1.5));
  for (int k = 0; k < std::min<int>(ringed_.size(), kMaxRings); ++k)
    if (ringed_[k] >= 0 && ringed_[k] < points_.size()) p.drawEllipse(toWidget(points_[ringed_[k]]), 4.5, 4.5);
  if (hover_ >= 0) {
    p.setPen(QPen(palette().color(QPalette::Highlight), 2.5));
    p.drawEllipse(toWidget(points_[hover_]), 6, 6);
  }
}

void EmbeddingView::drawLegend(QPainter& p) const {
  QVector<int> present;
  for (int c : categories_)
    if (c >= 0 && !present.contains(c)) {
      present.push_back(c);
      if (present.size() > 20) break;
    }
  if (present.isEmpty()) return;
  std::sort(present.begin(), present.end());
  const QFontMetrics fm = p.fontMetrics();
  int wide = 0;
  for (int c : present) wide = std::max(wide, fm.horizontalAdvance(nameOf(c)));
  const int line = fm.height(), box_w = wide + 28, box_h = line * int(present.size()) + 8;
  const QRect box(width() - box_w - 8, 8, box_w, box_h);
  QColor back = palette().color(QPalette::Base);
  back.setAlpha(215);
  p.setPen(palette().color(QPalette::Mid));
  p.setBrush(back);
  p.drawRoundedRect(box, 4, 4);
  for (int k = 0; k < present.size(); ++k) {
    const int c = present[k], y = box.top() + 4 + k * line;
    p.setPen(Qt::NoPen);
    p.setBrush(colorOf(c));
    p.drawEllipse(QPointF(box.left() + 11, y + line / 2.0), 4, 4);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(box.left() + 20, y, wide + 4, line), Qt::AlignVCenter | Qt::AlignLeft,
               nameOf(c));
  }
}

void EmbeddingView::drawHoverCard(QPainter& p) const {
  if (hover_ < 0) return;
  const int c = categories_.value(hover_, -1);
  const QString caption = QStringLiteral("#%1  %2").arg(hover_).arg(caption_ ? caption_(hover_) : nameOf(c));
  const QImage image = thumbnail_ ? thumbnail_(hover_) : QImage();
  const int line = p.fontMetrics().height();
  const int side = image.isNull() ? 0 : kThumbnail;
  const int w = std::max(side, p.fontMetrics().horizontalAdvance(caption)) + 12, h = side + line + (side ? 14 : 8);
  // Beside the cursor, flipped to the other side near the edges.
  QPointF at = hover_pos_ + QPointF(16, 16);
  if (at.x() + w > width()) at.setX(hover_pos_.x() - 16 - w);
  if (at.y() + h > height()) at.setY(hover_pos_.y() - 16 - h);
  const QRect card(at.toPoint(), QSize(w, h));
  p.setPen(palette().color(QPalette::Mid));
  p.setBrush(palette().color(QPalette::Base));
  p.drawRoundedRect(card, 5, 5);
  if (side) {
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);  // small images: show their pixels
    p.drawImage(QRect(card.left() + 6, card.top() + 6, side, side), image);
  }
  p.setPen(palette().color(QPalette::Text));
  p.drawText(QRect(card.left() + 6, card.bottom() - line - 4, w - 12, line), Qt::AlignLeft | Qt::AlignVCenter, caption);
}

void EmbeddingView::setHover(int index) {
  if (index == hover_) return;
  hover_ = index;
  Q_EMIT hovered(index);
  update();
}

void EmbeddingView::resizeEvent(QResizeEvent*) {
  raster_stale_ = true;
  // The first real size frames every point.
  if (!points_.isEmpty() && raster_.isNull()) resetView();
}

void EmbeddingView::changeEvent(QEvent* e) {
  if (e->type() == QEvent::PaletteChange) raster_stale_ = true;
  QWidget::changeEvent(e);
}

void EmbeddingView::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  press_pos_ = last_pos_ = e->position().toPoint();
  if (e->modifiers() & Qt::ShiftModifier) {
    lassoing_ = true;
    lasso_ = QPolygonF{e->position()};
  } else {
    dragging_ = true;
  }
}

void EmbeddingView::mouseMoveEvent(QMouseEvent* e) {
  const QPoint pos = e->position().toPoint();
  if (lassoing_) {
    lasso_ << e->position();
    update();
  } else if (dragging_) {
    const QPoint d = pos - last_pos_;
    centre_ -= QPointF(d.x() / scale_, -d.y() / scale_);
    raster_stale_ = true;
    update();
  } else {
    hover_pos_ = e->position();
    setHover(pointAt(e->position()));
    if (hover_ >= 0) update();  // the card follows the cursor
  }
  last_pos_ = pos;
}

void EmbeddingView::mouseReleaseEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  if (lassoing_) {
    lassoing_ = false;
    if (lasso_.size() > 2) Q_EMIT selected(pointsInside(lasso_));
    lasso_.clear();
    update();
  } else if (dragging_) {
    dragging_ = false;
    if ((e->position().toPoint() - press_pos_).manhattanLength() < 4) Q_EMIT clicked(pointAt(e->position()));
  }
}

void EmbeddingView::wheelEvent(QWheelEvent* e) {
  // The data point under the cursor stays under it.
  const QPointF pos = e->position(), anchor = toData(pos);
  scale_ *= std::pow(1.0015, e->angleDelta().y());
  centre_ = QPointF(anchor.x() - (pos.x() - width() / 2.0) / scale_, anchor.y() + (pos.y() - height() / 2.0) / scale_);
  raster_stale_ = true;
  update();
  e->accept();
}

void EmbeddingView::leaveEvent(QEvent*) { setHover(-1); }

}  // namespace pretext
