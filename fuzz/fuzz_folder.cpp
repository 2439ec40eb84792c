// The folder scanner on a tree built from the input: a sequence of entries, each a kind byte (file,
// folder, link to an earlier entry, link to itself, FIFO-like empty file), a name of up to 31 bytes
// and, for files, up to 255 bytes of content. Names may hold any byte but '/' and NUL.
#include <sys/stat.h>

#include <cstdio>

#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pretext;
  namespace fs = std::filesystem;
  const auto root = fuzz::fresh_folder("tree");
  std::vector<fs::path> made{root};
  size_t at = 0;
  const auto take = [&](size_t n) { n = std::min(n, size - at); at += n; return n; };
  while (at < size && made.size() < 64) {
    const uint8_t kind = data[at++];
    if (at >= size) break;
    const size_t name_len = take(data[at++] % 32);
    std::string name;
    for (size_t k = at - name_len; k < at; ++k) name += data[k] == '/' || data[k] == 0 ? '_' : char(data[k]);
    if (name.empty() || name == "." || name == "..") {
      char numbered[24];  // (not "n" + to_string: GCC 12 warns falsely of overlapping copies there)
      std::snprintf(numbered, sizeof numbered, "n%zu", made.size());
      name = numbered;
    }
    const fs::path parent = made[kind % made.size()];
    std::error_code ec;  // the tree may hold link loops: every query takes an error code
    const fs::path path = (fs::is_directory(parent, ec) ? parent : root) / name;
    switch ((kind >> 4) % 5) {
      case 0: {
        const size_t len = at < size ? take(data[at++]) : 0;
        fuzz::write_file(path, data + at - len, len);
        break;
      }
      case 1: fs::create_directories(path, ec); break;
      case 2: fs::create_symlink(made[(kind >> 2) % made.size()], path, ec); break;
      case 3: fs::create_symlink(path, path, ec); break;  // a link to itself
      case 4: mkfifo(path.c_str(), 0600); break;
    }
    if (!ec) made.push_back(path);
  }
  fuzz::expect_load_or_refusal([&] { return load_images(root.string(), fuzz::small_load()); });
  return 0;
}
