// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/requant.h"

#include <cstring>

namespace tinyexec::kernels {

Status quantize_multiplier(double scale, int32_t* multiplier, int32_t* shift) {
  TE_CHECK(multiplier != nullptr && shift != nullptr, Status::kNullPointer);
  // Decompose the IEEE-754 double by hand: device code may not link libm for frexp.
  uint64_t bits = 0;
  std::memcpy(&bits, &scale, sizeof(bits));
  const bool negative = (bits >> 63) != 0;
  const int32_t biased_exponent = static_cast<int32_t>((bits >> 52) & 0x7ff);
  const uint64_t mantissa = bits & ((uint64_t{1} << 52) - 1);
  if (biased_exponent == 0x7ff) return Status::kBadParam;  // inf or NaN
  if (biased_exponent == 0 && mantissa == 0) {             // +0 or -0
    *multiplier = 0;
    *shift = 0;
    return Status::kOk;
  }
  if (negative) return Status::kBadParam;
  if (biased_exponent == 0) {  // subnormal: far below 2^-31, flushes to zero
    *multiplier = 0;
    *shift = 0;
    return Status::kOk;
  }
  // scale = q * 2^e with q = (2^52 + mantissa) / 2^53 in [0.5, 1) (what frexp returns).
  int32_t exponent = biased_exponent - 1022;
  int64_t q_fixed = static_cast<int64_t>(((uint64_t{1} << 52) + mantissa + (uint64_t{1} << 21)) >> 22);
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) {
    *multiplier = 0;
    *shift = 0;
    return Status::kOk;
  }
  if (exponent > 30) return Status::kBadParam;
  *multiplier = static_cast<int32_t>(q_fixed);
  *shift = exponent;
  return Status::kOk;
}

}  // namespace tinyexec::kernels
