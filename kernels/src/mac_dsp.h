// SPDX-License-Identifier: Apache-2.0
// Helpers of the DSP-extension (Cortex-M4 / M7 / M33) variants of the MAC-heavy kernels (conv,
// depthwise, fully connected, batch matmul): a requantization that costs five instructions per
// output, byte-wise clamping, and the int8 -> int16 widening that feeds SMLAD.
//
// TE_MAC_DSP is defined when the target has the DSP extension and no Helium (a core with both,
// e.g. Cortex-M55, uses the Helium variants, mac_mve.h).
#pragma once

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && \
    !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
#define TE_MAC_DSP 1

#include <arm_acle.h>

#include <cstdint>
#include <cstring>

#include "common_s8.h"

namespace tinyexec::kernels::detail::dsp {

inline uint32_t load_u32(const void* p) {  // a single (possibly unaligned) LDR
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The first n (< 4) bytes at p in the low bytes of a word, the rest 0 (no read past p + n).
inline uint32_t load_partial(const int8_t* p, int32_t n) {
  uint32_t v = 0;
  for (int32_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

inline uint32_t ror8(uint32_t v) {
  return (v >> 8) | (v << 24);
}

// A value in both halfwords (for SXTAB16 / SADD16): value must fit int16.
inline uint32_t halfword_pair(int32_t value) {
  return (static_cast<uint32_t>(value) & 0xffffu) | (static_cast<uint32_t>(value) << 16);
}
inline uint32_t byte_quad(int32_t value) {
  return (static_cast<uint32_t>(value) & 0xffu) * 0x01010101u;
}

// A channel's output stage precomputed for requantize(acc, multiplier, shift) + output_offset
// when -23 <= shift <= -1 (every realistic channel; -31 without the offset). With e = -shift and P = acc * multiplier,
// CMSIS-NN's doubling high multiply followed by the rounding divide by 2^e is
//   floor((P + 2^30 + 2^(30+e) - [acc < 0] * 2^31) / 2^(31+e))
// (two nested floors of integer quotients compose; the tie rule of the divide only depends on
// the sign, and acc < 0 exactly when the rounded product is < 0 or it rounds to 0 either way).
// Adding output_offset * 2^(31+e) to the constant adds the offset, and with 31 + e >= 32 the
// result is the high word of the 64-bit sum shifted right by e - 1: SMLAL plus three
// instructions for the sign term and one shift. multiplier < 0 marks other channels, which
// take the generic path (requant.h).
struct Quant {
  int32_t multiplier;  // < 0: not precomputable, use requantize()
  uint32_t lo;         // 64-bit rounding constant (low, high word)
  int32_t hi;
  int32_t shift;  // e - 1
};

// A multiplier of 0 (a channel of zero weights) always gives output_offset: the e = 1 form.
// With output_offset 0 the constant fits for every right shift up to 31 (callers add the
// offset afterwards when a layer's shifts are too large for it, e.g. near-dead channels).
inline Quant make_quant(int32_t multiplier, int32_t shift, int32_t output_offset) {
  const int32_t e = multiplier == 0 ? 1 : -shift;
  if (e < 1 || e > (output_offset == 0 ? 31 : 23)) return {-1, 0, 0, 0};
  // The constant's words: 2^(30+e) falls in the low word only for e = 1; the offset term
  // output_offset * 2^(e-1) (|.| < 2^29) and 2^(e-2) land in the high word, without carries.
  const uint32_t lo = e == 1 ? 0xc0000000u : 0x40000000u;
  const int32_t hi = (e >= 2 ? (1 << (e - 2)) : 0) + output_offset * (1 << (e - 1));
  return {multiplier, lo, hi, e - 1};
}

// requantize(acc, multiplier, shift) + output_offset for a precomputed channel (q.multiplier
// >= 0).
inline int32_t requant_fast(int32_t acc, const Quant& q) {
  uint32_t lo = q.lo;
  int32_t hi = q.hi;
  uint32_t sign;
  asm("and %[s], %[a], #0x80000000\n\t"
      "subs %[lo], %[lo], %[s]\n\t"
      "sbc %[hi], %[hi], #0\n\t"
      "smlal %[lo], %[hi], %[a], %[m]\n\t"
      "asr %[hi], %[hi], %[sh]"
      : [s] "=&r"(sign), [lo] "+&r"(lo), [hi] "+&r"(hi)
      : [a] "r"(acc), [m] "r"(q.multiplier), [sh] "r"(q.shift)
      : "cc");
  return hi;
}

// requant_fast() in inline assembly, for the assembly tile loops: register a with the record
// in r4..r7 (multiplier, lo, hi, shift); r8..r10 are clobbered. _SAT also saturates to int8.
#define TE_DSP_REQUANT_ASM(a) \
  "and r8, " a                \
  ", #0x80000000\n\t"         \
  "subs r9, r5, r8\n\t"       \
  "sbc r10, r6, #0\n\t"       \
  "smlal r9, r10, " a         \
  ", r4\n\t"                  \
  "asr " a                    \
  ", r10, r7\n\t"
#define TE_DSP_REQUANT_SAT_ASM(a) TE_DSP_REQUANT_ASM(a) "ssat " a ", #8, " a "\n\t"

// Any channel: the precomputed form when there is one, else the reference arithmetic.
inline int32_t requant(int32_t acc, const Quant& q, int32_t multiplier, int32_t shift,
                       int32_t output_offset) {
  if (q.multiplier >= 0) return requant_fast(acc, q);
  return wrapping_add(requantize(acc, multiplier, shift), output_offset);
}

// Four values saturated to int8, packed little-endian (byte i = v_i) and clamped bytewise to
// the activation range (min4 / max4: the bound in every byte).
inline uint32_t pack_clamp4(int32_t v0, int32_t v1, int32_t v2, int32_t v3, uint32_t min4,
                            uint32_t max4) {
  // Byte 0 keeps v0's saturated value; the BFIs overwrite its sign extension above it.
  uint32_t w = static_cast<uint32_t>(__ssat(v0, 8)), t;
  asm("bfi %[w], %[v1], #8, #8\n\t"
      "bfi %[w], %[v2], #16, #8\n\t"
      "bfi %[w], %[v3], #24, #8\n\t"
      "ssub8 %[t], %[w], %[lo]\n\t"  // GE per byte where w >= min
      "sel %[w], %[w], %[lo]\n\t"
      "ssub8 %[t], %[hi], %[w]\n\t"  // GE per byte where w <= max
      "sel %[w], %[w], %[hi]"
      : [w] "+&r"(w), [t] "=&r"(t)
      : [v1] "r"(__ssat(v1, 8)), [v2] "r"(__ssat(v2, 8)), [v3] "r"(__ssat(v3, 8)), [lo] "r"(min4),
        [hi] "r"(max4)
      : "cc");
  return w;
}

// Widens `groups` groups of four int8 at src (any alignment) to int16 and adds `offset2` (the
// offset in both halfwords): group g becomes the words [x0, x2], [x1, x3] (the order SXTB16
// unpacks weights in) at dst + g * kStrideWords.
template <int kStrideWords>
inline void widen_groups(const int8_t* src, int32_t groups, uint32_t offset2, uint32_t* dst) {
  static_assert(kStrideWords == 2 || kStrideWords == 4, "LDRD/STRD post-index strides");
#define TE_WIDEN_ONE(v)    \
  "sxtab16 %[o], %[k], " v \
  ", ror #8\n\t"           \
  "sxtab16 %[e], %[k], " v \
  "\n\t"                   \
  "strd %[e], %[o], [%[d]], %[s]\n\t"
  for (; groups >= 4; groups -= 4) {
    const uint32_t v0 = load_u32(src), v1 = load_u32(src + 4), v2 = load_u32(src + 8),
                   v3 = load_u32(src + 12);
    src += 16;
    uint32_t e, o;
    asm volatile(TE_WIDEN_ONE("%[v0]") TE_WIDEN_ONE("%[v1]") TE_WIDEN_ONE("%[v2]")
                     TE_WIDEN_ONE("%[v3]")
                 : [e] "=&r"(e), [o] "=&r"(o), [d] "+r"(dst)
                 : [k] "r"(offset2), [v0] "r"(v0), [v1] "r"(v1), [v2] "r"(v2), [v3] "r"(v3),
                   [s] "n"(kStrideWords * 4)
                 : "memory");
  }
  for (; groups > 0; --groups) {
    const uint32_t v = load_u32(src);
    src += 4;
    uint32_t e, o;
    asm volatile(TE_WIDEN_ONE("%[v]")
                 : [e] "=&r"(e), [o] "=&r"(o), [d] "+r"(dst)
                 : [k] "r"(offset2), [v] "r"(v), [s] "n"(kStrideWords * 4)
                 : "memory");
  }
#undef TE_WIDEN_ONE
}

// The partial last group of a widened row: its n (< 4) values plus offset, zeros after.
inline void widen_tail(const int8_t* src, int32_t n, int32_t offset, uint32_t* dst) {
  int32_t x[4] = {0, 0, 0, 0};
  for (int32_t i = 0; i < n; ++i) x[i] = src[i] + offset;
  dst[0] = (static_cast<uint32_t>(x[0]) & 0xffffu) | (static_cast<uint32_t>(x[2]) << 16);
  dst[1] = (static_cast<uint32_t>(x[1]) & 0xffffu) | (static_cast<uint32_t>(x[3]) << 16);
}

// acc += dot of a weight word (four int8, sign-extended here) with a widened group.
inline int32_t dot_group(int32_t acc, uint32_t w, uint32_t x02, uint32_t x13) {
  acc = __smlad(__sxtb16(w), x02, acc);
  return __smlad(__sxtb16(ror8(w)), x13, acc);
}

}  // namespace tinyexec::kernels::detail::dsp

#endif  // DSP without MVE
