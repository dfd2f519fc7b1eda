// SPDX-License-Identifier: Apache-2.0
// The build really targets the ISA it claims: DSP (SIMD32) intrinsics on M4/M7/M33/M55, Helium
// (MVE) intrinsics on M55, scalar code everywhere; each result checked against plain C++.
#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "check.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define TE_HAS_DSP 1
#else
#define TE_HAS_DSP 0
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>
#define TE_HAS_MVE 1
#else
#define TE_HAS_MVE 0
#endif

namespace {

// Deterministic pseudo-random int8 data.
uint32_t g_state = 12345;
int8_t next_s8() {
  g_state = g_state * 1664525u + 1013904223u;
  return static_cast<int8_t>(g_state >> 24);
}

int8_t a_vec[64];
int8_t b_vec[64];

int32_t scalar_dot(const int8_t* a, const int8_t* b, int n) {
  int32_t sum = 0;
  for (int i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

#if TE_HAS_DSP
uint32_t rotate_right_8(uint32_t word) { return (word >> 8) | (word << 24); }  // one ROR

// int8 dot product the CMSIS-NN way: sign-extend byte pairs to halfwords, multiply-accumulate.
int32_t dsp_dot(const int8_t* a, const int8_t* b, int n) {
  int32_t sum = 0;
  for (int i = 0; i < n; i += 4) {
    uint32_t wa, wb;
    __builtin_memcpy(&wa, a + i, 4);
    __builtin_memcpy(&wb, b + i, 4);
    const int16x2_t a_even = __sxtb16(wa), a_odd = __sxtb16(rotate_right_8(wa));
    const int16x2_t b_even = __sxtb16(wb), b_odd = __sxtb16(rotate_right_8(wb));
    sum = __smlad(a_even, b_even, sum);
    sum = __smlad(a_odd, b_odd, sum);
  }
  return sum;
}

void check_dsp() {
  TE_EXPECT_EQ(dsp_dot(a_vec, b_vec, 64), scalar_dot(a_vec, b_vec, 64));
  // Saturating byte add against the scalar definition.
  uint32_t wa, wb;
  __builtin_memcpy(&wa, a_vec, 4);
  __builtin_memcpy(&wb, b_vec, 4);
  const uint32_t sat = static_cast<uint32_t>(__qadd8(static_cast<int8x4_t>(wa), static_cast<int8x4_t>(wb)));
  for (int lane = 0; lane < 4; ++lane) {
    int32_t expected = a_vec[lane] + b_vec[lane];
    expected = expected > 127 ? 127 : (expected < -128 ? -128 : expected);
    TE_EXPECT_EQ(static_cast<int8_t>(sat >> (8 * lane)), expected);
  }
  TE_EXPECT_EQ(__ssat(1000, 8), 127);
  TE_EXPECT_EQ(__ssat(-1000, 8), -128);
  std::printf("DSP intrinsics: checked\n");
}
#endif

#if TE_HAS_MVE
void check_mve() {
  // Dot product with a tail-predicated loop: 64 = 4 full vectors; also an odd length.
  for (int n : {64, 37}) {
    int32_t sum = 0;
    for (int i = 0; i < n; i += 16) {
      const mve_pred16_t p = vctp8q(static_cast<uint32_t>(n - i));
      const int8x16_t va = vldrbq_z_s8(a_vec + i, p);
      const int8x16_t vb = vldrbq_z_s8(b_vec + i, p);
      sum = vmladavaq_p_s8(sum, va, vb, p);
    }
    TE_EXPECT_EQ(sum, scalar_dot(a_vec, b_vec, n));
  }
  // Saturating add and max, lane by lane.
  int8_t added[16], maxed[16];
  vst1q_s8(added, vqaddq_s8(vld1q_s8(a_vec), vld1q_s8(b_vec)));
  vst1q_s8(maxed, vmaxq_s8(vld1q_s8(a_vec), vld1q_s8(b_vec)));
  for (int i = 0; i < 16; ++i) {
    int32_t expected = a_vec[i] + b_vec[i];
    expected = expected > 127 ? 127 : (expected < -128 ? -128 : expected);
    TE_EXPECT_EQ(added[i], expected);
    TE_EXPECT_EQ(maxed[i], a_vec[i] > b_vec[i] ? a_vec[i] : b_vec[i]);
  }
  std::printf("Helium (MVE) intrinsics: checked\n");
}
#endif

}  // namespace

int main() {
  for (int i = 0; i < 64; ++i) {
    a_vec[i] = next_s8();
    b_vec[i] = next_s8();
  }
  // The build's feature set must be the one the target is meant to have (TE_EXPECT_* come
  // from CMake): a wrong -mcpu/-mfpu would silently lose the fast paths otherwise.
  TE_EXPECT_EQ(TE_HAS_DSP, TE_EXPECT_DSP);
  TE_EXPECT_EQ(TE_HAS_MVE, TE_EXPECT_MVE);
  TE_EXPECT_EQ(scalar_dot(a_vec, b_vec, 3),
               a_vec[0] * b_vec[0] + a_vec[1] * b_vec[1] + a_vec[2] * b_vec[2]);
#if TE_HAS_DSP
  check_dsp();
#endif
#if TE_HAS_MVE
  check_mve();
#endif
  std::printf("isa: dsp=%d mve=%d, %d failures\n", TE_HAS_DSP, TE_HAS_MVE,
              tinyexec::test::g_failures);
  return tinyexec::test::g_failures;
}
