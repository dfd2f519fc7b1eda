// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/runtime/error.h"

namespace tinyexec::runtime {

const char* error_name(Error error) {
  switch (error) {
    case Error::kOk: return "ok";
    case Error::kNullArgument: return "null_argument";
    case Error::kMisaligned: return "misaligned";
    case Error::kMalformed: return "malformed";
    case Error::kUnsupportedVersion: return "unsupported_version";
    case Error::kBadTensor: return "bad_tensor";
    case Error::kBadOperator: return "bad_operator";
    case Error::kOutOfBounds: return "out_of_bounds";
    case Error::kOverlap: return "overlap";
    case Error::kArenaTooSmall: return "arena_too_small";
    case Error::kKernelRejected: return "kernel_rejected";
    case Error::kNotReady: return "not_ready";
    case Error::kBadIndex: return "bad_index";
  }
  return "unknown";
}

}  // namespace tinyexec::runtime
