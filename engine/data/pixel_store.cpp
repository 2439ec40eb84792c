#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "engine/data/image_set.h"

namespace pretext {

void PixelStore::resize(size_t bytes) {
  size_ = bytes;
  mapped_ = false;
  if (bytes == 0) {
    buf_.reset();
    return;
  }
  if (bytes <= mmap_above_) {
    buf_ = std::shared_ptr<uint8_t>(new uint8_t[bytes](), std::default_delete<uint8_t[]>());
    return;
  }
  // A file-backed mapping instead of anonymous memory: under memory pressure the kernel writes the
  // decoded pixels to the file and reads them back, instead of failing or swapping the whole process.
  std::string dir = scratch_dir;
  if (dir.empty()) dir = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string tmpl = dir + "/pretext-cache-XXXXXX";
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) throw std::runtime_error("cannot create cache file in " + dir + ": " + std::strerror(errno));
  unlink(tmpl.c_str());  // gone from the folder at once; the space is freed when the mapping goes
  if (ftruncate(fd, static_cast<off_t>(bytes)) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    throw std::runtime_error("cannot size cache file to " + std::to_string(bytes) + " bytes: " + why);
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) throw std::runtime_error(std::string("cannot map cache file: ") + std::strerror(errno));
  buf_ = std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [bytes](uint8_t* q) { munmap(q, bytes); });
  mapped_ = true;
}

}  // namespace pretext
