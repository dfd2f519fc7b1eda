// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/status.h"

namespace tinyexec::kernels {

const char* status_name(Status status) {
  switch (status) {
    case Status::kOk: return "ok";
    case Status::kNullPointer: return "null_pointer";
    case Status::kBadShape: return "bad_shape";
    case Status::kBadParam: return "bad_param";
    case Status::kBufferTooSmall: return "buffer_too_small";
    case Status::kScratchTooSmall: return "scratch_too_small";
    case Status::kUnsupported: return "unsupported";
    case Status::kOverflow: return "overflow";
  }
  return "unknown";
}

}  // namespace tinyexec::kernels
