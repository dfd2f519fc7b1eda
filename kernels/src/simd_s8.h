// SPDX-License-Identifier: Apache-2.0
// Compile-time variant selection and small fixed-point helpers for the element-wise, pooling,
// softmax and quantize families (kernels/src/{elementwise,pooling,softmax,quantize}.cpp).
//
//   TE_SIMD_MVE  Helium (Cortex-M55): arm_mve.h intrinsics, tail-predicated vector loops.
//   TE_SIMD_DSP  DSP extension (Cortex-M4/M7/M33): arm_acle.h SIMD32 plus SMMULR/SMMLAR.
//   neither      the portable reference loops only.
//
// Helium wins over DSP when both are present (M55 has both). TE_SIMD_PORTABLE_ONLY forces the
// portable loops (to compare variants on one target).
#pragma once

#include <cstdint>

#if !defined(TE_SIMD_PORTABLE_ONLY) && defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define TE_SIMD_MVE 1
#include <arm_mve.h>
#elif !defined(TE_SIMD_PORTABLE_ONLY) && defined(__ARM_FEATURE_DSP)
#define TE_SIMD_DSP 1
#include <arm_acle.h>
#endif

namespace tinyexec::kernels::simd {

#if defined(TE_SIMD_DSP) || defined(TE_SIMD_MVE)
// (a * b + 2^31) >> 32: the rounded high word (SMMULR). ACLE has no intrinsic for it. With
// a = 2x this is doubling_high_mul(x, b) exactly (no saturation case: 2x fits int32).
inline int32_t smmulr(int32_t a, int32_t b) {
  int32_t result;
  __asm__("smmulr %0, %1, %2" : "=r"(result) : "r"(a), "r"(b));
  return result;
}

// acc + ((a * b + 2^31) >> 32) (SMMLAR), exact when the sum fits int32.
inline int32_t smmlar(int32_t acc, int32_t a, int32_t b) {
  int32_t result;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(result) : "r"(a), "r"(b), "r"(acc));
  return result;
}

// w with bits [kLsb, kLsb + 8) replaced by the low byte of v (BFI).
template <int kLsb>
inline uint32_t insert_byte(uint32_t w, int32_t v) {
  __asm__("bfi %0, %1, %2, #8" : "+r"(w) : "r"(v), "I"(kLsb));
  return w;
}

// x rotated right by 8 (SXTB16's ROR #8 operand form).
inline int32_t ror8(int32_t x) {
  const uint32_t u = static_cast<uint32_t>(x);
  return static_cast<int32_t>((u >> 8) | (u << 24));
}

// Signed 16 x 16 products of the bottom / top halves (SMULBB / SMULTT).
inline int32_t mul_bottom(int32_t a, int32_t b) {
  return static_cast<int16_t>(a) * static_cast<int16_t>(b);
}
inline int32_t mul_top(int32_t a, int32_t b) {
  return (a >> 16) * (b >> 16);
}
#endif

// x >> 31 as 0 / -1 (arithmetic shift; GCC defines >> on negative values so).
inline int32_t sign_mask(int32_t x) {
  return x >> 31;
}

// x << n without the undefined behaviour of shifting a negative value (wraps like the target).
inline int32_t shift_left(int32_t x, int32_t n) {
  return static_cast<int32_t>(static_cast<uint32_t>(x) << n);
}

}  // namespace tinyexec::kernels::simd
