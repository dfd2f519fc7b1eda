// SPDX-License-Identifier: Apache-2.0
// Error codes of the runtime. Nothing in the runtime traps or allocates: every failure is one of
// these codes, and the loader/executor remember which tensor or operator caused it.
#pragma once

#include <cstdint>

namespace tinyexec::runtime {

enum class Error : int32_t {
  kOk = 0,
  kNullArgument = 1,        // a required pointer argument is null
  kMisaligned = 2,          // program bytes or arena not 16-byte aligned
  kMalformed = 3,           // not a program: identifier or FlatBuffers verification failed
  kUnsupportedVersion = 4,  // a program version this runtime does not read
  kBadTensor = 5,           // a tensor's dtype, shape, size or placement is invalid
  kBadOperator = 6,         // an operator's operands or parameters do not fit its op
  kOutOfBounds = 7,         // a buffer lies outside the arena or the constants
  kOverlap = 8,             // an operator's buffers overlap where its kernel forbids it
  kArenaTooSmall = 9,       // the caller's arena is smaller than the program needs
  kKernelRejected = 10,     // a kernel's argument check failed (see kernel_status())
  kNotReady = 11,           // used before a successful load / init
  kBadIndex = 12,           // input/output index out of range
};

// Short, stable name ("ok", "malformed", ...), for logs and tests.
const char* error_name(Error error);

}  // namespace tinyexec::runtime
