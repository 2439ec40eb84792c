#include "engine/augment/pipeline.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "engine/augment/json_fields.h"
#include "engine/augment/presets.h"

namespace pretext {
using nlohmann::json;

const std::vector<std::string>& known_ops() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& k : op_kinds()) n.push_back(k.name);
    return n;
  }();
  return names;
}

const std::string& op_help(const std::string& op) {
  static const std::string none;
  for (const auto& k : op_kinds())
    if (k.name == op) return k.help;
  return none;
}

namespace {

OpSpec read_op(const json& jo, const std::string& where) {
  const JsonFields f(jo, where);  // the op's own fields are checked when it compiles
  if (!f.has("op")) f.fail("", "names no \"op\"");
  OpSpec o;
  o.op = f.text("op", "");
  o.p = f.number("p", 1.0, 0, 1);
  o.enabled = f.boolean("enabled", true);
  o.params = jo;
  for (const char* k : {"op", "p", "enabled"}) o.params.erase(k);
  return o;
}

ViewSpec read_view(const json& jv, const std::string& where) {
  const JsonFields f(jv, where, {"size", "size_ratio", "repeat", "ops"}, "a field of a view");
  ViewSpec v;
  v.size = f.integer("size", 0, 0, 4096);
  v.repeat = f.integer("repeat", 1, 1, 64);
  v.size_ratio = f.number("size_ratio", 1.0, 0, 8);
  if (v.size_ratio == 0) f.fail("size_ratio", "must be above 0");
  if (!f.has("ops") || !jv["ops"].is_array()) f.fail("", "has no \"ops\" list");
  for (size_t k = 0; k < jv["ops"].size(); ++k) v.ops.push_back(read_op(jv["ops"][k], where + ", op " + std::to_string(k + 1)));
  return v;
}

}  // namespace

Pipeline Pipeline::from_json(const json& j) {
  Pipeline p;
  if (!j.is_object()) throw std::runtime_error("a pipeline is a JSON object");
  const JsonFields document(j, "pipeline");
  p.name = document.text("name", "custom");
  const std::string where = "pipeline '" + p.name + "'";
  p.source = JsonFields(j, where).text("source", "");
  if (j.contains("normalize")) {
    const JsonFields normalize(j["normalize"], where + ", normalize", {"mean", "std"}, "a field of normalize");
    p.mean = normalize.numbers("mean");
    p.std = normalize.numbers("std");
  }
  if (!j.contains("views") || !j["views"].is_array() || j["views"].empty())
    throw std::runtime_error("pipeline '" + p.name + "' has no views");
  for (size_t v = 0; v < j["views"].size(); ++v)
    p.views.push_back(read_view(j["views"][v], where + ", view " + std::to_string(v + 1)));
  p.compile();
  return p;
}

void Pipeline::compile() {
  for (size_t v = 0; v < views.size(); ++v)
    for (size_t k = 0; k < views[v].ops.size(); ++k) {
      OpSpec& o = views[v].ops[k];
      o.kind = &op_kind(o.op);
      const std::string where = "pipeline '" + name + "', view " + std::to_string(v + 1) + ", op " +
                                std::to_string(k + 1) + " (" + o.op + ")";
      o.compiled = o.kind->compile(o.params, where);
    }
}

json Pipeline::to_json() const {
  json j;
  j["name"] = name;
  if (!source.empty()) j["source"] = source;
  if (!mean.empty()) j["normalize"] = {{"mean", mean}, {"std", std}};
  j["views"] = json::array();
  for (const auto& v : views) {
    json jv;
    if (v.size > 0) jv["size"] = v.size;
    if (v.repeat != 1) jv["repeat"] = v.repeat;
    if (v.size_ratio != 1.0) jv["size_ratio"] = v.size_ratio;
    jv["ops"] = json::array();
    for (const auto& o : v.ops) {
      json jo = o.params;
      jo["op"] = o.op;
      jo["p"] = o.p;
      if (!o.enabled) jo["enabled"] = false;
      jv["ops"].push_back(jo);
    }
    j["views"].push_back(jv);
  }
  return j;
}

Pipeline Pipeline::load(const std::string& name_or_file) {
  if (const char* text = preset_json(name_or_file)) return from_json(json::parse(text));
  std::ifstream in(name_or_file);
  if (!in) throw std::runtime_error("no pipeline preset or file named '" + name_or_file + "'");
  try {
    return from_json(json::parse(in));
  } catch (const json::exception& e) {
    throw std::runtime_error(name_or_file + ": " + e.what());
  }
}

std::vector<std::string> Pipeline::preset_names() { return pretext::preset_names(); }

size_t Pipeline::view_count() const {
  size_t n = 0;
  for (const auto& v : views) n += static_cast<size_t>(v.repeat);
  return n;
}

const ViewSpec& Pipeline::spec_for_view(size_t v) const {
  const size_t n = view_count();
  if (n == 0) throw std::runtime_error("pipeline '" + name + "' has no views");
  v %= n;
  for (const auto& s : views) {
    if (v < static_cast<size_t>(s.repeat)) return s;
    v -= static_cast<size_t>(s.repeat);
  }
  return views.back();
}

namespace {

int view_side(const ViewSpec& spec, const cv::Mat& image) {
  return spec.size > 0 ? spec.size : std::max(1, static_cast<int>(std::lround(image.rows * spec.size_ratio)));
}

// One op on the draft, from its own stream: ops that fire by chance draw the coin first.
OpTrace run_op(const OpSpec& o, ViewDraft& draft, uint64_t op_seed) {
  OpTrace t;
  t.op = o.op;
  if (!o.enabled) return t;
  if (!o.compiled) throw std::runtime_error("pipeline op '" + o.op + "' was edited without Pipeline::compile()");
  Rng rng(op_seed);
  t.applied = o.kind->firing != OpFiring::kWithProbability || rng.bernoulli(o.p);
  o.compiled->apply(draft, rng, t.applied, t);
  return t;
}

}  // namespace

View Pipeline::apply(const cv::Mat& image, size_t view_index, uint64_t seed, int64_t image_index,
                     int64_t epoch) const {
  const ViewSpec& spec = spec_for_view(view_index);
  const uint64_t view_seed = mix_seed(seed, static_cast<uint64_t>(image_index), view_index, static_cast<uint64_t>(epoch));
  View out;
  ViewDraft draft{image, image, view_side(spec, image), false, out};
  // An op that needs the final geometry (the MAE mask) runs after the closing resize, traced in its slot.
  const OpSpec* after_resize = nullptr;
  size_t after_resize_index = 0, after_resize_slot = 0;
  for (size_t k = 0; k < spec.ops.size(); ++k) {
    const OpSpec& o = spec.ops[k];
    if (o.enabled && o.kind && o.kind->firing == OpFiring::kAfterResize) {
      after_resize = &o;
      after_resize_index = k;
      after_resize_slot = out.trace.size();
      continue;
    }
    out.trace.push_back(run_op(o, draft, mix_seed(view_seed, k)));
  }
  resize_to_view(draft);
  if (after_resize)
    out.trace.insert(out.trace.begin() + static_cast<std::ptrdiff_t>(after_resize_slot),
                     run_op(*after_resize, draft, mix_seed(view_seed, after_resize_index)));
  out.image = draft.image.data == image.data ? draft.image.clone() : draft.image;
  return out;
}

}  // namespace pretext
