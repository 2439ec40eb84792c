#include "engine/store/dataset_fingerprint.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace pretext {
namespace {

struct Fnv1a {
  uint64_t h = 0xcbf29ce484222325ull;
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  }
  void i64(int64_t v) {
    // Byte by byte, least significant first, so the value does not depend on the machine's order.
    for (int i = 0; i < 8; ++i) {
      const unsigned char b = static_cast<unsigned char>(uint64_t(v) >> (8 * i));
      bytes(&b, 1);
    }
  }
};

}  // namespace

std::string dataset_fingerprint(const ImageSet& set) {
  Fnv1a f;
  f.i64(static_cast<int64_t>(set.size()));
  f.i64(set.height);
  f.i64(set.width);
  f.i64(set.channels);
  f.bytes(set.pixels.data(), set.pixels.size());
  for (int l : set.labels) f.i64(l);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(f.h));
  return buf;
}

DatasetRecord describe_dataset(const ImageSet& set, const std::string& path) {
  DatasetRecord d;
  d.path = path;
  d.fingerprint = dataset_fingerprint(set);
  d.images = static_cast<int64_t>(set.size());
  std::set<int> classes;
  for (int l : set.labels)
    if (l >= 0) classes.insert(l);
  d.classes = static_cast<int64_t>(std::max(classes.size(), set.class_names.size()));
  d.width = set.width;
  d.height = set.height;
  d.channels = set.channels;
  return d;
}

}  // namespace pretext
