#pragma once
// A pipeline is a JSON document: a list of views, each a list of ops with their probabilities and
// parameters. The run stores the exact document it used; the studio edits the same document.
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "engine/augment/ops.h"

namespace pretext {

struct OpSpec {
  std::string op;
  double p = 1.0;
  bool enabled = true;
  nlohmann::json params = nlohmann::json::object();
};

struct ViewSpec {
  int size = 0;  // output side; 0 = the source image's height
  std::vector<OpSpec> ops;
};

struct View {
  cv::Mat image;  // uint8 HWC
  std::vector<OpTrace> trace;
};

class Pipeline {
 public:
  std::string name;
  std::vector<ViewSpec> views;
  std::vector<double> mean, std;  // empty: use the dataset's own statistics

  static Pipeline from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;

  // A built-in preset by name (see resources/presets), or a JSON file path.
  static Pipeline load(const std::string& name_or_file);
  static std::vector<std::string> preset_names();

  // One view of one image. Deterministic in (seed, image_index, view, epoch); each op draws from its
  // own stream so that toggling one op in the studio leaves the others' samples unchanged.
  View apply(const cv::Mat& image, size_t view, uint64_t seed, int64_t image_index, int64_t epoch) const;
};

// Names of the ops apply() understands.
const std::vector<std::string>& known_ops();

}  // namespace pretext
