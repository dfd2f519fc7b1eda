// SPDX-License-Identifier: Apache-2.0
#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace tinyexec::cli {
namespace {

bool forced = false;
constexpr int kWidth = 24;

}  // namespace

void force_progress(bool force) {
  forced = force;
}

Progress::Progress(std::string label, size_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(total > 0 && (forced || isatty(STDERR_FILENO) == 1)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  update(0);
}

Progress::~Progress() {
  if (drawn_) std::fputc('\n', stderr);
}

void Progress::update(size_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  // At most 10 redraws a second, but always the first and the last.
  if (drawn_ && done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const size_t filled = total_ == 0 ? kWidth : done * kWidth / total_;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r%-12s [%s%s] %zu/%zu  %.1f s", label_.c_str(),
               std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(), done,
               total_, seconds);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace tinyexec::cli
