// SPDX-License-Identifier: Apache-2.0
// Status codes returned by every kernel. Kernels never trap: a bad argument is a code.
#pragma once

#include <cstdint>

namespace tinyexec::kernels {

enum class Status : int32_t {
  kOk = 0,
  kNullPointer = 1,      // a required buffer is null
  kBadShape = 2,         // a dimension is <= 0, or shapes do not agree with each other
  kBadParam = 3,         // a scalar parameter is out of its documented range
  kBufferTooSmall = 4,   // a span holds fewer elements than the shapes require
  kScratchTooSmall = 5,  // the scratch span is smaller than <kernel>_scratch_size()
  kUnsupported = 6,      // a valid combination this kernel does not implement
  kOverflow = 7,         // a size computation would overflow int32
};

// Short, stable name of a status ("ok", "bad_shape", ...), for logs and test output.
const char* status_name(Status status);

inline bool ok(Status status) { return status == Status::kOk; }

}  // namespace tinyexec::kernels

// Returns early from the enclosing kernel when a check fails.
#define TE_CHECK(cond, status)      \
  do {                              \
    if (!(cond)) return (status);   \
  } while (0)

#define TE_RETURN_IF_ERROR(expr)                                  \
  do {                                                            \
    const ::tinyexec::kernels::Status te_status_ = (expr);        \
    if (te_status_ != ::tinyexec::kernels::Status::kOk) return te_status_; \
  } while (0)
