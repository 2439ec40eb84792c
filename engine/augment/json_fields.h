#pragma once
// Reads one object of a pipeline document (the document itself, a view, an op's parameters),
// refusing a wrong type, an out-of-range value or an unknown field with its place and the field named:
// "pipeline 'x', view 2, op 1 (hflip): p must be in [0, 1], not 3". Every value is checked before it
// is converted (a 1e56 read as an int would be undefined behaviour).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pretext {

// Whether a JSON number is a whole number within [lo, hi], decided without converting it first
// (nlohmann turns 1e56 into an int by undefined behaviour and -1 into a size_t by wrapping round). A
// float counts when it is whole and exact (|x| <= 2^53). long double holds every int64 and uint64.
inline bool whole_number_within(const nlohmann::json& v, long double lo, long double hi) {
  long double x;
  if (v.is_number_unsigned()) {
    x = v.get<uint64_t>();
  } else if (v.is_number_integer()) {
    x = v.get<int64_t>();
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!(std::floor(d) == d && std::abs(d) <= 9007199254740992.0)) return false;
    x = d;
  } else {
    return false;
  }
  return x >= lo && x <= hi;
}

class JsonFields {
 public:
  // `known`: the fields the object may have, each other one refused as not being `what` ("a parameter
  // of this op"); empty: any field (their owner checks them).
  JsonFields(const nlohmann::json& object, std::string where, std::initializer_list<const char*> known = {},
             const char* what = "a field here")
      : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) fail("", "must be a JSON object");
    if (known.size() == 0) return;
    for (const auto& item : object_.items()) {
      const std::string& key = item.key();  // (a structured binding cannot be captured before C++20)
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
        std::string names;
        for (const char* k : known) names += std::string(names.empty() ? "" : ", ") + k;
        fail(key, std::string("is not ") + what + " (it takes: " + names + ")");
      }
    }
  }

  bool has(const char* key) const { return object_.contains(key); }

  double number(const char* key, double fallback, double lo, double hi) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = object_.at(key);
    if (!v.is_number()) fail(key, "must be a number");
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi)) fail(key, "must be in [" + text_of(lo) + ", " + text_of(hi) + "], not " + text_of(x));
    return x;
  }

  int integer(const char* key, int fallback, int lo, int hi) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = object_.at(key);
    if (!v.is_number_integer()) fail(key, "must be a whole number");
    if (!whole_number_within(v, lo, hi)) fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], not " + v.dump());
    return static_cast<int>(v.get<int64_t>());
  }

  // A [low, high] pair with low <= high, each within [lo, hi].
  std::pair<double, double> range(const char* key, std::pair<double, double> fallback, double lo, double hi) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = object_.at(key);
    if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number()) fail(key, "must be [low, high]");
    const double a = v[0].get<double>(), b = v[1].get<double>();
    if (!(a <= b)) fail(key, "must be [low, high] with low <= high");
    if (!(a >= lo && b <= hi)) fail(key, "must lie within [" + text_of(lo) + ", " + text_of(hi) + "]");
    return {a, b};
  }

  std::vector<double> numbers(const char* key) const {
    if (!has(key)) return {};
    const nlohmann::json& v = object_.at(key);
    if (!v.is_array() || std::any_of(v.begin(), v.end(), [](const nlohmann::json& x) { return !x.is_number(); }))
      fail(key, "must be a list of numbers");
    return v.get<std::vector<double>>();
  }

  std::string text(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = object_.at(key);
    if (!v.is_string()) fail(key, "must be a string");
    return v.get<std::string>();
  }

  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = object_.at(key);
    if (!v.is_boolean()) fail(key, "must be true or false");
    return v.get<bool>();
  }

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw std::runtime_error(where_ + (key.empty() ? " " : ": " + key + " ") + what);
  }

 private:
  static std::string text_of(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return buf;
  }
  const nlohmann::json& object_;
  std::string where_;
};

}  // namespace pretext
