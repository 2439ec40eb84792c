#pragma once
// Reading back what a test had the engine write.
#include <fstream>
#include <sstream>
#include <string>

namespace pretext::test {

// The whole file, byte for byte ("" when it cannot be opened).
inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace pretext::test
