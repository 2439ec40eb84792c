#include "engine/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <streambuf>

namespace pretext {
namespace {

// A stream buffer over a file descriptor that remembers the first failed write and drops the rest.
class DescriptorBuffer : public std::streambuf {
 public:
  explicit DescriptorBuffer(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    drain();
    put(s, n);  // large writes (tensor data) go straight through
    return n;
  }
  int sync() override {
    drain();
    return 0;
  }

 private:
  void drain() {
    put(pbase(), pptr() - pbase());
    setp(buffer_, buffer_ + sizeof buffer_);
  }
  void put(const char* p, std::streamsize n) {
    while (n > 0 && error_ == 0) {
      const ssize_t written = ::write(fd_, p, static_cast<size_t>(n));
      if (written < 0) {
        if (errno != EINTR) error_ = errno;
        continue;
      }
      p += written;
      n -= written;
    }
  }
  int fd_;
  int error_ = 0;
  char buffer_[1 << 16];
};

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: some file systems refuse directories
  ::fsync(fd);
  ::close(fd);
}

[[noreturn]] void fail(const std::string& path, int error) {
  throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
}

}  // namespace

int write_stream(int fd, const std::function<void(std::ostream&)>& write) {
  DescriptorBuffer buffer(fd);
  std::ostream out(&buffer);
  write(out);
  out.flush();
  return buffer.error();
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot write " + path + ": " + ec.message());
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, errno);
  int error = 0;
  try {
    error = write_stream(fd, write);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(tmp.c_str());
    fail(path, error);
  }
  sync_directory(dir);
}

}  // namespace pretext
