// SPDX-License-Identifier: Apache-2.0
// A progress bar on stderr for long work (calibration, runs on a board), drawn only when stderr
// is a terminal or `--progress` forces it, so that logs and pipes stay clean:
//
//   calibrating  [###########.........]  74/200  3.1 s
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace tinyexec::cli {

// main: --progress given (draw even when stderr is not a terminal).
void force_progress(bool forced);

class Progress {
 public:
  Progress(std::string label, size_t total);
  ~Progress();  // ends the line if anything was drawn
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(size_t done);

 private:
  std::string label_;
  size_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace tinyexec::cli
