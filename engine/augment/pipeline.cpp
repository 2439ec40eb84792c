#include "engine/augment/pipeline.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

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

// One field of the document, read with its place named: a value of the wrong type is refused as
// "pipeline 'x', view 2, op 3: 'p' must be a number in [0, 1]", not as a JSON library error.
template <typename T>
T field(const json& object, const char* key, T fallback, const std::string& where, const char* what) {
  if (!object.contains(key)) return fallback;
  try {
    return object.at(key).get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(where + ": '" + key + "' must be " + what);
  }
}

// A whole number in [lo, hi], checked before any conversion (a 1e56 read as an int is undefined).
int whole_number(const json& object, const char* key, int fallback, int lo, int hi, const std::string& where,
                 const std::string& out_of_range) {
  if (!object.contains(key)) return fallback;
  const json& v = object.at(key);
  const bool whole = v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
  if (!whole) throw std::runtime_error(where + ": '" + key + "' must be a whole number");
  const double d = v.is_number_unsigned() ? double(v.get<uint64_t>()) : v.is_number_integer() ? double(v.get<int64_t>())
                                                                                               : v.get<double>();
  if (!(d >= lo && d <= hi)) throw std::runtime_error(out_of_range);
  return int(d);
}

OpSpec read_op(const json& jo, const std::string& where) {
  if (!jo.is_object()) throw std::runtime_error(where + ": an op is a JSON object");
  if (!jo.contains("op")) throw std::runtime_error(where + ": names no \"op\"");
  OpSpec o;
  o.op = field<std::string>(jo, "op", "", where, "a string, the op's name");
  o.p = field<double>(jo, "p", 1.0, where, "a number in [0, 1]");
  if (!(o.p >= 0 && o.p <= 1)) throw std::runtime_error(o.op + ": p must be in [0, 1]");
  o.enabled = field<bool>(jo, "enabled", true, where, "true or false");
  o.params = jo;
  for (const char* k : {"op", "p", "enabled"}) o.params.erase(k);
  return o;
}

ViewSpec read_view(const json& jv, const std::string& where) {
  if (!jv.is_object()) throw std::runtime_error(where + ": a view is a JSON object");
  ViewSpec v;
  v.size = whole_number(jv, "size", 0, 0, 4096, where, "view size must be 0..4096");
  v.repeat = whole_number(jv, "repeat", 1, 1, 64, where, "view repeat must be 1..64");
  v.size_ratio = field<double>(jv, "size_ratio", 1.0, where, "a number");
  if (!(v.size_ratio > 0 && v.size_ratio <= 8)) throw std::runtime_error("view size_ratio must be in (0, 8]");
  if (!jv.contains("ops") || !jv["ops"].is_array()) throw std::runtime_error(where + ": has no \"ops\" list");
  for (size_t k = 0; k < jv["ops"].size(); ++k) v.ops.push_back(read_op(jv["ops"][k], where + ", op " + std::to_string(k + 1)));
  return v;
}

}  // namespace

Pipeline Pipeline::from_json(const json& j) {
  Pipeline p;
  if (!j.is_object()) throw std::runtime_error("a pipeline is a JSON object");
  p.name = field<std::string>(j, "name", "custom", "pipeline", "a string");
  const std::string where = "pipeline '" + p.name + "'";
  p.source = field<std::string>(j, "source", "", where, "a string");
  if (j.contains("normalize") && j["normalize"].is_object()) {
    p.mean = field<std::vector<double>>(j["normalize"], "mean", {}, where + ", normalize", "a list of numbers");
    p.std = field<std::vector<double>>(j["normalize"], "std", {}, where + ", normalize", "a list of numbers");
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
