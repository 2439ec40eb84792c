#pragma once
#include <opencv2/core.hpp>

#include "engine/data/image_set.h"

namespace pretext {
// A view (no copy) of image i as an OpenCV matrix.
inline cv::Mat image_mat(const ImageSet& set, size_t i) {
  return cv::Mat(set.height, set.width, CV_8UC(set.channels), const_cast<uint8_t*>(set.image(i)));
}
}  // namespace pretext
