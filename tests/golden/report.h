// SPDX-License-Identifier: Apache-2.0
// The outcome of one golden case, and the scratch memory a case may use. Device code: the
// message is a fixed buffer and the workspace a caller-provided block (no heap).
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinyexec/kernels/status.h"

namespace tinyexec::golden {

// PASS, or FAIL with one line saying why. A case is failed until pass() is called, so a family
// runner that returns early without deciding can never produce a PASS.
class Report {
 public:
  static constexpr size_t kMessageSize = 240;

  // A recorded failure stands: pass() after fail() changes nothing.
  void pass() {
    if (failed_) return;
    passed_ = true;
    message_[0] = '\0';
  }
  // Records the first failure (later ones would only describe its consequences) and returns
  // false, so that runners can `return r.fail(...)`.
  bool fail(const char* format, ...) __attribute__((format(printf, 2, 3)));
  bool passed() const { return passed_; }
  const char* message() const { return message_; }

 private:
  bool passed_ = false;
  bool failed_ = false;
  char message_[kMessageSize] = "no result recorded";
};

// A bump allocator over memory the caller owns; reset between cases.
class Workspace {
 public:
  Workspace(void* base, size_t capacity)
      : base_(static_cast<uint8_t*>(base)), capacity_(base == nullptr ? 0 : capacity) {}

  // Null if it does not fit. `align` must be a power of two.
  void* allocate(size_t bytes, size_t align = 16);
  void reset() { used_ = 0; }
  size_t used() const { return used_; }
  size_t capacity() const { return capacity_; }

 private:
  uint8_t* base_;
  size_t capacity_;
  size_t used_ = 0;
};

}  // namespace tinyexec::golden
