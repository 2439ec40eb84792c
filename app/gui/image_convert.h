#pragma once
#include <QImage>
#include <opencv2/core.hpp>

namespace pretext {
// 8-bit grey or RGB pixels -> a QImage that owns a copy of them.
QImage to_qimage(const cv::Mat& m);
}  // namespace pretext
