// A folder of three small images and the input as its labels.csv (`path,label` lines).
#include <opencv2/imgcodecs.hpp>

#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pretext;
  static const auto images = [] {
    const auto dir = fuzz::fresh_folder("labels");
    for (const char* name : {"a.png", "b.png", "sub/c.png"}) {
      std::filesystem::create_directories((dir / name).parent_path());
      cv::imwrite((dir / name).string(), cv::Mat(4, 4, CV_8UC3, cv::Scalar(10, 20, 30)));
    }
    return dir;
  }();
  fuzz::write_file(images / "labels.csv", data, size);
  fuzz::expect_load_or_refusal([&] { return load_folder(images.string(), fuzz::small_load()); });
  return 0;
}
