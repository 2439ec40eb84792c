#include "app/gui/image_convert.h"

namespace pretext {

QImage to_qimage(const cv::Mat& m) {
  const auto fmt = m.channels() == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
  return QImage(m.data, m.cols, m.rows, static_cast<qsizetype>(m.step), fmt).copy();
}

}  // namespace pretext
