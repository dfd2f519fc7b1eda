// SPDX-License-Identifier: Apache-2.0
#include "report.h"

#include <cstdarg>
#include <cstdio>

namespace tinyexec::golden {

bool Report::fail(const char* format, ...) {
  passed_ = false;
  if (failed_) return false;
  failed_ = true;
  va_list args;
  va_start(args, format);
  std::vsnprintf(message_, sizeof message_, format, args);
  va_end(args);
  return false;
}

void* Workspace::allocate(size_t bytes, size_t align) {
  const uintptr_t base = reinterpret_cast<uintptr_t>(base_);
  const uintptr_t aligned = (base + used_ + (align - 1)) & ~static_cast<uintptr_t>(align - 1);
  const size_t start = static_cast<size_t>(aligned - base);
  if (start > capacity_ || bytes > capacity_ - start) return nullptr;
  used_ = start + bytes;
  return base_ + start;
}

}  // namespace tinyexec::golden
