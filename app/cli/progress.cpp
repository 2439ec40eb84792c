#include "app/cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace pretext::cli {

Progress::Progress(std::string label) : label_(std::move(label)), tty_(isatty(STDERR_FILENO) != 0) {}

Progress::~Progress() {
  if (tty_ && last_ >= 0) std::fputc('\n', stderr);
}

void Progress::update(double fraction, const std::string& detail) {
  const int pct = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 100);
  if (tty_) {
    if (pct == last_ && detail.empty()) return;
    constexpr int kWidth = 30;
    const int fill = pct * kWidth / 100;
    std::fprintf(stderr, "\r%s [%s%s] %3d%% %s\033[K", label_.c_str(), std::string(fill, '#').c_str(),
                 std::string(kWidth - fill, '.').c_str(), pct, detail.c_str());
  } else {
    if (pct / 10 == last_ / 10 && last_ >= 0) return;
    std::fprintf(stderr, "%s %d%% %s\n", label_.c_str(), pct, detail.c_str());
  }
  std::fflush(stderr);
  last_ = pct;
}

bool stdin_is_tty() { return isatty(STDIN_FILENO) != 0; }

}  // namespace pretext::cli
