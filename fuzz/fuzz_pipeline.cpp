// Pipeline JSON (the studio's Load…, `train --pipeline FILE`, a stored run's config): parsed, checked,
// compiled, then run on a small image for each of its views. A document is either refused with a
// message (std::runtime_error or std::invalid_argument, naming the view, op and field) or yields views
// (or says the image is too small for it).
#include <opencv2/core.hpp>

#include "engine/augment/pipeline.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pretext;
  const auto document = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return 0;
  Pipeline pipeline;
  try {
    pipeline = Pipeline::from_json(document);
  } catch (const std::runtime_error&) {
    return 0;
  } catch (const std::invalid_argument&) {
    return 0;
  }
  static const cv::Mat image = [] {
    cv::Mat m(24, 20, CV_8UC3);
    cv::randu(m, 0, 255);
    return m;
  }();
  for (size_t v = 0; v < std::min<size_t>(pipeline.view_count(), 4); ++v) {
    try {
      const View view = pipeline.apply(image, v, /*seed=*/1, /*image_index=*/0, /*epoch=*/0);
      (void)view;
    } catch (const std::runtime_error&) {  // an image too small for the pipeline, said as such
    }
  }
  return 0;
}
