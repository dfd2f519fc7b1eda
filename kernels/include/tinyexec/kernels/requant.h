// SPDX-License-Identifier: Apache-2.0
// Fixed-point requantization with TFLite / CMSIS-NN rounding. These few functions define the
// int8 arithmetic contract: every kernel rescales its int32 accumulators through them, so
// results are bit-identical to TFLite Micro + CMSIS-NN on the same quantized model.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/status.h"

namespace tinyexec::kernels {

// (a * b) / 2^31 rounded to nearest with ties toward +infinity, saturating the single overflow
// case (INT32_MIN * INT32_MIN): gemmlowp's SaturatingRoundingDoublingHighMul.
inline int32_t doubling_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t product = static_cast<int64_t>(a) * b;
  // Floor division of (product + 2^30) by 2^31; gemmlowp's truncating division with the nudge
  // 1 - 2^30 for negative products gives the same result (-0.5 becomes 0, -0.75 becomes -1).
  return static_cast<int32_t>((product + (int64_t{1} << 30)) >> 31);
}

// x / 2^exponent rounded to nearest, ties away from zero. exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int32_t exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  int32_t threshold = mask >> 1;
  int32_t result = x >> exponent;
  if (result < 0) threshold++;
  if (remainder > threshold) result++;
  return result;
}

// x * multiplier * 2^shift with multiplier a Q31 value in [2^30, 2^31) (or 0), shift in
// [-31, 30]: a left shift first for shift > 0, then the doubling high multiply, then a rounding
// right shift for shift < 0 (TFLite's MultiplyByQuantizedMultiplier, CMSIS-NN's
// arm_nn_requantize). The left shift wraps as it does on the target.
inline int32_t requantize(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return rounding_divide_by_pot(doubling_high_mul(shifted, multiplier), right);
}

inline int32_t clamp(int32_t value, int32_t lo, int32_t hi) {
  return value < lo ? lo : (value > hi ? hi : value);
}

// A real, positive scale as a Q31 multiplier and a power-of-two shift such that
// scale ~= multiplier * 2^(shift - 31), exactly as TFLite's QuantizeMultiplier:
// multiplier rounded half away from zero, a mantissa that rounds up to 2^31 is halved with
// shift + 1, and scales below ~2^-32 flush to (0, 0). Scales above 1 give positive shifts.
// Returns kBadParam for negative, NaN or infinite scales and for scales >= 2^30 (shift > 30).
Status quantize_multiplier(double scale, int32_t* multiplier, int32_t* shift);

}  // namespace tinyexec::kernels
