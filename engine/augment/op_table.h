#pragma once
// The augmentation ops as one table: each entry names an op, says what it does (the studio's
// tooltip), and compiles the op's JSON parameters into a ready-to-run op. Compiling checks every
// parameter once, when a pipeline is loaded, so a bad value is refused with its op and field named
// instead of surfacing at the first augmented image. Adding an op is one class and one table line.
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "engine/augment/ops.h"

namespace pretext {

struct View;

// One view in the making: the op loop hands it from op to op.
struct ViewDraft {
  const cv::Mat& source;  // the input image (areas are measured against it)
  cv::Mat image;          // the image so far
  int size = 0;           // the view's output side
  bool final_size = false;  // an op fixed the geometry (a crop, the jigsaw's tiles): no closing resize
  View& out;
};

class CompiledOp {
 public:
  virtual ~CompiledOp() = default;
  // Draws the op's random parameters from `rng` whether or not it fires (so toggling or re-weighting
  // one op leaves every other op's draws unchanged) and, when `fire`, changes the draft and records
  // what it drew in `trace`.
  virtual void apply(ViewDraft& draft, Rng& rng, bool fire, OpTrace& trace) const = 0;
};

// Resizes the draft to the view's side unless an op already fixed its geometry: the view's closing
// step, and the jigsaw's input.
void resize_to_view(ViewDraft& draft);

enum class OpFiring {
  kWithProbability,  // fires with the op's p (one Bernoulli draw first)
  kAlways,           // p is ignored: the op defines the view (a crop's geometry, the normalisation)
  kAfterResize,      // always, after the view's closing resize: it needs the final geometry (MAE's mask)
};

struct OpKind {
  std::string name;
  std::string help;  // what it does and its published setting, in a sentence or two
  OpFiring firing = OpFiring::kWithProbability;
  // Checks and compiles the parameters (the op's JSON without op, p and enabled). Throws
  // std::runtime_error naming `where`, the op and the field.
  std::shared_ptr<const CompiledOp> (*compile)(const nlohmann::json& params, const std::string& where);
};

const std::vector<OpKind>& op_kinds();
// The kind named `op`; throws for an unknown name.
const OpKind& op_kind(const std::string& op);

}  // namespace pretext
