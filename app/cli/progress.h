#pragma once
// Progress for long CLI steps: a redrawn bar on a terminal, plain lines (every 10%) otherwise, so
// logs of headless runs stay readable. Writes to stderr: stdout stays clean for --json.
#include <string>

namespace pretext::cli {

class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();  // ends the bar's line
  void update(double fraction, const std::string& detail = "");

 private:
  std::string label_;
  bool tty_;
  int last_ = -1;
};

// True when stdin is a terminal (for confirmations).
bool stdin_is_tty();

}  // namespace pretext::cli
