#pragma once
// A pipeline is a JSON document: a list of views, each a list of ops with their probabilities and
// parameters. The run stores the exact document it used; the studio edits the same document.
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "engine/augment/op_table.h"
#include "engine/augment/ops.h"

namespace pretext {

struct OpSpec {
  std::string op;
  double p = 1.0;
  bool enabled = true;
  nlohmann::json params = nlohmann::json::object();
  // What Pipeline::compile made of op and params; apply() runs this.
  const OpKind* kind = nullptr;
  std::shared_ptr<const CompiledOp> compiled;
};

struct ViewSpec {
  int size = 0;    // output side; 0 = the source image's height (scaled by size_ratio)
  double size_ratio = 1.0;  // when size is 0: output side = round(source height * size_ratio)
  int repeat = 1;  // this spec serves `repeat` consecutive views (DINO's N local crops)
  std::vector<OpSpec> ops;
};

// A patch mask over the output image: rows x cols patches of `patch` pixels, row-major, one byte
// each. Bit 0 set = hidden from the encoder (mae_mask: 0 or 1); jepa_blocks also sets bit 1 + i on
// the patches of target block i (its bit 0 = outside the context). Empty when the view draws none.
struct PatchMask {
  int rows = 0, cols = 0, patch = 0;
  std::vector<uint8_t> masked;
  bool empty() const { return masked.empty(); }
  bool hidden(size_t k) const { return (masked[k] & 1u) != 0; }
};

// One jigsaw tile: the cell it was cut from (in the image before shuffling) and where it sits in the
// output image. The output holds tile tiles[d] at grid position d.
struct JigsawTile {
  int source_cell = 0;  // row-major index in the grid
  cv::Rect source;      // pixels of the input the tile was cut from
  cv::Rect placed;      // pixels of the output image it fills
};

struct View {
  cv::Mat image;  // uint8 HWC
  std::vector<OpTrace> trace;
  PatchMask mask;                  // mae_mask
  std::vector<JigsawTile> tiles;   // jigsaw
  int jigsaw_grid = 0;
  int label = -1;                  // pretext target: rotation class (rot90) or permutation index (jigsaw)
  std::vector<double> mean, std;   // normalize op, when the view has one
};

class Pipeline {
 public:
  std::string name;
  std::string source;  // where the defaults come from (paper, code); kept so a stored run cites it
  std::vector<ViewSpec> views;
  std::vector<double> mean, std;  // empty: use the dataset's own statistics

  // Reads and compiles a pipeline: a bad op or parameter is refused here, with its view, op and field named.
  static Pipeline from_json(const nlohmann::json& j);
  // Compiles every op from its name and parameters; from_json does it, and so must whoever edits the
  // views by hand before apply().
  void compile();
  nlohmann::json to_json() const;

  // A built-in preset by name (see resources/presets), or a JSON file path.
  static Pipeline load(const std::string& name_or_file);
  static std::vector<std::string> preset_names();

  // Views one sample yields: the sum of the specs' repeats.
  size_t view_count() const;
  // The spec that makes view v (v modulo view_count()).
  const ViewSpec& spec_for_view(size_t v) const;

  // One view of one image. Deterministic in (seed, image_index, view, epoch); each op draws from its
  // own stream so that toggling one op in the studio leaves the others' samples unchanged.
  View apply(const cv::Mat& image, size_t view, uint64_t seed, int64_t image_index, int64_t epoch) const;
};

// Names of the ops apply() understands.
const std::vector<std::string>& known_ops();
// What an op does and its published setting, in a sentence or two: the studio's tooltips.
const std::string& op_help(const std::string& op);

}  // namespace pretext
