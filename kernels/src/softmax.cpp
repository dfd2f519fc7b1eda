// SPDX-License-Identifier: Apache-2.0
// Softmax. Three variants of the per-row passes side by side, chosen at compile time by
// simd_s8.h: Helium (M55: the fixed-point exp on four int32 lanes, predicated multiplies for the
// exp(-2^k) factors), DSP (M4/M7/M33: the same arithmetic in scalar code with SMMULR wherever an
// operand fits, branch-free where possible) and the portable reference. Every variant evaluates
// exactly the reference's operations (gemmlowp's exp, TFLite's rounding), so all are bit-exact.
#include "tinyexec/kernels/softmax.h"

#include <cstring>

#include "simd_s8.h"
#include "tinyexec/kernels/requant.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {
namespace {

// Integer bits of the fixed-point sum of exponentials (TFLite's kAccumulationIntegerBits).
constexpr int32_t kAccumulationBits = 12;
constexpr int32_t kMaxRowSize = 4095;               // 4095 * exp(0) in Q12.19 stays below 2^31
constexpr int32_t kOneThird = 715827883;            // 1/3 in Q0.31
constexpr int32_t kExpMinusOneEighth = 1895147668;  // exp(-1/8) in Q0.31
// exp(-1/4), exp(-1/2), exp(-1), exp(-2), exp(-4), exp(-8), exp(-16) in Q0.31.
constexpr int32_t kExpMinusPow2[7] = {1672461947, 1302514674, 790015084, 290630308,
                                      39332535,   720401,     242};

// x * 2^exponent, saturated to int32 (gemmlowp's SaturatingRoundingMultiplyByPOT, exponent > 0).
int32_t saturating_shift_left(int32_t x, int32_t exponent) {
  const int32_t limit = INT32_MAX >> exponent;
  if (x > limit) return INT32_MAX;
  if (x < -limit) return INT32_MIN;
  return x * (1 << exponent);
}

// exp(a) for a <= 0; a in Q5.26, result in Q0.31 (gemmlowp's exp_on_negative_values with
// 5 integer bits). a = r + q with r in [-1/4, 0) and q a multiple of -1/4: exp(r) comes from a
// Taylor series around -1/8, then exp(q) from one constant per set bit of q.
inline int32_t exp_on_negative_values(int32_t a) {
  constexpr int32_t kQuarter = 1 << 24;  // 1/4 in Q5.26
  const int32_t r = (a & (kQuarter - 1)) - kQuarter;
  const int32_t q_bits = r - a;  // -q in Q5.26 (bits 24..30 = 1/4 .. 16)

  const int32_t x = r * 32 + (1 << 28);  // r + 1/8 in Q0.31
  const int32_t x2 = doubling_high_mul(x, x);
  const int32_t x3 = doubling_high_mul(x2, x);
  const int32_t x4_over_4 = rounding_divide_by_pot(doubling_high_mul(x2, x2), 2);
  // x^2/2 + x^3/6 + x^4/24
  const int32_t higher_terms =
      rounding_divide_by_pot(doubling_high_mul(x4_over_4 + x3, kOneThird) + x2, 1);
  int32_t result = kExpMinusOneEighth + doubling_high_mul(kExpMinusOneEighth, x + higher_terms);

  for (int32_t k = 0; k < 7; ++k) {
    if ((q_bits & (1 << (24 + k))) != 0) result = doubling_high_mul(result, kExpMinusPow2[k]);
  }
  return a == 0 ? INT32_MAX : result;
}

// 1 / (1 + a) for a in [0, 1), both in Q0.31: three Newton-Raphson steps on the half
// denominator (gemmlowp's one_over_one_plus_x_for_x_in_0_1).
int32_t one_over_one_plus_x(int32_t a) {
  // gemmlowp's rounding half sum of a and 1 (INT32_MAX): (a + INT32_MAX + 1) / 2 for a >= 0.
  const int32_t half_denominator = (a >> 1) + (1 << 30);
  // Q2.29 constants: 48/17, -32/17 (the linear seed) and 1.0.
  constexpr int32_t k48Over17 = 1515870810;
  constexpr int32_t kMinus32Over17 = -1010580540;
  constexpr int32_t kOne = 1 << 29;
  int32_t x = k48Over17 + doubling_high_mul(half_denominator, kMinus32Over17);
  for (int32_t i = 0; i < 3; ++i) {
    const int32_t one_minus_dx = kOne - doubling_high_mul(half_denominator, x);
    x += saturating_shift_left(doubling_high_mul(x, one_minus_dx), 2);  // Q4.27 -> Q2.29
  }
  return saturating_shift_left(x, 1);  // 1 / (2 * half_denominator): Q2.29 / 2 -> Q0.31
}

// Rounding division of a non-negative x by 2^exponent. Exponents above 31 occur when the
// exponentials of a row add up to 512 or more (Q12.19 sum >= 2^28): TFLite's shift is undefined
// there, and since x < 2^31 the correctly rounded result is 0.
inline int32_t rounding_divide_wide(int32_t x, int32_t exponent) {
  return exponent > 31 ? 0 : rounding_divide_by_pot(x, exponent);
}

// The row's passes: the maximum, the Q12.19 sum of exponentials, and the outputs.
struct RowScale {
  int32_t scale;      // 1 / (1 + fraction) of the sum's mantissa, Q0.31
  int32_t out_shift;  // num_bits_over_unit + 31 - 8
};

#if defined(TE_SIMD_MVE)
// exp_on_negative_values on four lanes. The Taylor terms stay small (|x| <= 2^28) and
// non-negative where the reference rounds them (x^4 / 4 and the bracket halved, checked
// exhaustively over the interval), so VRSHR's round-half-up equals rounding_divide_by_pot.
inline int32x4_t exp_mve(int32x4_t a) {
  constexpr int32_t kQuarter = 1 << 24;
  const int32x4_t r = vsubq_n_s32(vandq_s32(a, vdupq_n_s32(kQuarter - 1)), kQuarter);
  const int32x4_t x = vaddq_n_s32(vshlq_n_s32(r, 5), 1 << 28);
  const int32x4_t x2 = vqrdmulhq_s32(x, x);
  const int32x4_t x3 = vqrdmulhq_s32(x2, x);
  const int32x4_t x4_over_4 = vrshrq_n_s32(vqrdmulhq_s32(x2, x2), 2);
  const int32x4_t higher =
      vrshrq_n_s32(vaddq_s32(vqrdmulhq_n_s32(vaddq_s32(x4_over_4, x3), kOneThird), x2), 1);
  int32x4_t result =
      vaddq_n_s32(vqrdmulhq_n_s32(vaddq_s32(x, higher), kExpMinusOneEighth), kExpMinusOneEighth);
  // Bit 24 + k of r - a (-q in quarters) selects the factor exp(-2^k / 4), applied in the
  // reference's order: a loop (small at -Os, unrolled at -O3) that moves bit 24 + k to bit 24,
  // then to the sign bit.
  int32x4_t q = vsubq_s32(r, a);
  for (int32_t k = 0; k < 7; ++k, q = vshrq_n_s32(q, 1)) {
    result = vqrdmulhq_m_n_s32(result, result, kExpMinusPow2[k],
                               vcmpltq_n_s32(vshlq_n_s32(q, 7), 0));
  }
  return vpselq_s32(vdupq_n_s32(INT32_MAX), result, vcmpeqq_n_s32(a, 0));
}

inline int32x4_t exp_of_diff_mve(int32x4_t diff, const SoftmaxParams& p) {
  return exp_mve(vqrdmulhq_n_s32(vshlq_r_s32(diff, p.input_left_shift), p.input_multiplier));
}

// The loops below are tail-predicated throughout (one body per loop; the predicate costs little
// next to the exponentials).
int32_t row_max(const int8_t* in, int32_t n) {
  int8_t max = -128;
  for (; n > 0; n -= 16, in += 16) {
    const mve_pred16_t lanes = vctp8q(static_cast<uint32_t>(n));
    max = vmaxvq_p_s8(max, vldrbq_z_s8(in, lanes), lanes);
  }
  return max;
}

int32_t exp_sum(const int8_t* in, int32_t n, int32_t max, const SoftmaxParams& params) {
  const SoftmaxParams p = params;
  int32_t sum = 0;
  for (; n > 0; n -= 4, in += 4) {
    const mve_pred16_t lanes = vctp32q(static_cast<uint32_t>(n));
    const int32x4_t diff = vsubq_n_s32(vldrbq_z_s32(in, lanes), max);
    sum = vaddvaq_p_s32(sum, vrshrq_n_s32(exp_of_diff_mve(diff, p), kAccumulationBits),
                        vcmpgeq_m_n_s32(diff, p.diff_min, lanes));
  }
  return sum;
}

void write_probabilities(const int8_t* in, int8_t* out, int32_t n, int32_t max,
                         const SoftmaxParams& params, const RowScale& rs) {
  const SoftmaxParams p = params;
  const int32_t scale = rs.scale, neg_shift = -rs.out_shift;
  for (; n > 0; n -= 4, in += 4, out += 4) {
    const mve_pred16_t lanes = vctp32q(static_cast<uint32_t>(n));
    const int32x4_t diff = vsubq_n_s32(vldrbq_z_s32(in, lanes), max);
    const int32x4_t e = exp_of_diff_mve(diff, p);
    const int32x4_t v = vsubq_n_s32(vrshlq_n_s32(vqrdmulhq_n_s32(e, scale), neg_shift), 128);
    const int32x4_t prob = vpselq_s32(vminq_s32(v, vdupq_n_s32(127)), vdupq_n_s32(-128),
                                      vcmpgeq_n_s32(diff, p.diff_min));
    vstrbq_p_s32(out, prob, lanes);
  }
}

#elif defined(TE_SIMD_DSP)
// exp_on_negative_values with SMMULR for every product whose doubled operand fits int32:
// doubling_high_mul(x, y) = SMMULR(2x, y). |x| <= 2^28, x^2 <= 2^25, |x + higher| < 2^29 (checked
// exhaustively), 2/3 and 2 * exp(-2^k) for k >= 1 fit; the product by exp(-1/4) and exp(-1/2)
// and the input rescale use the 64-bit form.
inline int32_t exp_dsp(int32_t a) {
  constexpr int32_t kQuarter = 1 << 24;
  const int32_t r = (a & (kQuarter - 1)) - kQuarter;
  const int32_t q_bits = r - a;
  const int32_t x = r * 32 + (1 << 28);
  const int32_t x2 = simd::smmulr(2 * x, x);
  const int32_t x3 = simd::smmulr(2 * x2, x);
  const int32_t x4_over_4 = (simd::smmulr(2 * x2, x2) + 2) >> 2;             // >= 0
  const int32_t bracket = simd::smmulr(x4_over_4 + x3, 2 * kOneThird) + x2;  // >= 0
  const int32_t higher = (bracket + 1) >> 1;
  int32_t result = kExpMinusOneEighth + simd::smmulr(2 * (x + higher), kExpMinusOneEighth);
  if (q_bits & (1 << 24)) result = doubling_high_mul(result, kExpMinusPow2[0]);
  if (q_bits & (1 << 25)) result = doubling_high_mul(result, kExpMinusPow2[1]);
  if (q_bits & (1 << 26)) result = simd::smmulr(result, 2 * kExpMinusPow2[2]);
  if (q_bits & (1 << 27)) result = simd::smmulr(result, 2 * kExpMinusPow2[3]);
  if (q_bits & (1 << 28)) result = simd::smmulr(result, 2 * kExpMinusPow2[4]);
  if (q_bits & (1 << 29)) result = simd::smmulr(result, 2 * kExpMinusPow2[5]);
  if (q_bits & (1 << 30)) result = simd::smmulr(result, 2 * kExpMinusPow2[6]);
  return a == 0 ? INT32_MAX : result;
}

inline int32_t exp_of_diff(int32_t diff, int32_t multiplier, int32_t shift) {
  return exp_dsp(doubling_high_mul(diff * (1 << shift), multiplier));
}

int32_t row_max(const int8_t* in, int32_t n) {
  uint32_t best = 0x80808080u;
  int32_t i = 0;
  for (; i <= n - 4; i += 4) {
    uint32_t w;
    std::memcpy(&w, in + i, 4);
    __ssub8(w, best);  // GE where w >= best
    best = __sel(w, best);
  }
  int32_t max = -128;
  for (int k = 0; k < 4; ++k) {
    const int32_t v = static_cast<int8_t>(best >> (8 * k));
    max = v > max ? v : max;
  }
  for (; i < n; ++i) max = in[i] > max ? in[i] : max;
  return max;
}

int32_t exp_sum(const int8_t* in, int32_t n, int32_t max, const SoftmaxParams& params) {
  const int32_t multiplier = params.input_multiplier, shift = params.input_left_shift;
  const int32_t diff_min = params.diff_min;
  int32_t sum = 0;
  for (int32_t i = 0; i < n; ++i) {
    const int32_t diff = in[i] - max;
    if (diff >= diff_min) {
      const int32_t e = exp_of_diff(diff, multiplier, shift);  // >= 0; + 2^11 could overflow
      sum += (e >> 12) + ((e >> 11) & 1);
    }
  }
  return sum;
}

void write_probabilities(const int8_t* in, int8_t* out, int32_t n, int32_t max,
                         const SoftmaxParams& params, const RowScale& rs) {
  const int32_t multiplier = params.input_multiplier, shift = params.input_left_shift;
  const int32_t diff_min = params.diff_min, scale = rs.scale, out_shift = rs.out_shift;
  for (int32_t i = 0; i < n; ++i) {
    const int32_t diff = in[i] - max;
    int32_t value = -128;
    if (diff >= diff_min) {
      const int32_t p = doubling_high_mul(scale, exp_of_diff(diff, multiplier, shift));
      value = rounding_divide_wide(p, out_shift) - 128;
      value = value > 127 ? 127 : value;
    }
    out[i] = static_cast<int8_t>(value);
  }
}

#else
int32_t row_max(const int8_t* in, int32_t n) {
  int32_t max = in[0];
  for (int32_t i = 1; i < n; ++i) max = in[i] > max ? in[i] : max;
  return max;
}

// exp(beta * scale * (x - max)) in Q0.31 for a difference that is not cut off.
int32_t exp_of_diff(int32_t diff, const SoftmaxParams& p) {
  return exp_on_negative_values(requantize(diff, p.input_multiplier, p.input_left_shift));
}

int32_t exp_sum(const int8_t* in, int32_t n, int32_t max, const SoftmaxParams& params) {
  int32_t sum = 0;  // Q12.19; > 0 because the maximum contributes exp(0) = 1
  for (int32_t i = 0; i < n; ++i) {
    const int32_t diff = in[i] - max;
    if (diff >= params.diff_min) {
      sum += rounding_divide_by_pot(exp_of_diff(diff, params), kAccumulationBits);
    }
  }
  return sum;
}

void write_probabilities(const int8_t* in, int8_t* out, int32_t n, int32_t max,
                         const SoftmaxParams& params, const RowScale& rs) {
  for (int32_t i = 0; i < n; ++i) {
    const int32_t diff = in[i] - max;
    int32_t value = -128;
    if (diff >= params.diff_min) {
      value = rounding_divide_wide(doubling_high_mul(rs.scale, exp_of_diff(diff, params)),
                                   rs.out_shift) -
              128;
      value = value > 127 ? 127 : value;
    }
    out[i] = static_cast<int8_t>(value);
  }
}
#endif
}  // namespace

Status softmax_s8_check(const SoftmaxParams& params, int32_t num_rows, int32_t row_size,
                        Span<const int8_t> input, Span<int8_t> output) {
  TE_CHECK(input.data() != nullptr && output.data() != nullptr, Status::kNullPointer);
  TE_CHECK(num_rows > 0 && row_size > 0, Status::kBadShape);
  TE_CHECK(params.input_multiplier >= 0 && params.input_left_shift >= 0 &&
               params.input_left_shift <= 31 && params.diff_min <= 0,
           Status::kBadParam);
  // (x - max) * 2^shift must not overflow for any difference that is not cut off.
  TE_CHECK(
      static_cast<int64_t>(params.diff_min) * (int64_t{1} << params.input_left_shift) >= INT32_MIN,
      Status::kBadParam);
  TE_CHECK(row_size <= kMaxRowSize, Status::kUnsupported);
  int32_t count = 0;
  TE_CHECK(checked_mul(num_rows, row_size, &count), Status::kOverflow);
  TE_CHECK(
      input.size() >= static_cast<size_t>(count) && output.size() >= static_cast<size_t>(count),
      Status::kBufferTooSmall);
  return Status::kOk;
}

Status softmax_s8(const SoftmaxParams& params, int32_t num_rows, int32_t row_size,
                  Span<const int8_t> input, Span<int8_t> output) {
  TE_RETURN_IF_ERROR(softmax_s8_check(params, num_rows, row_size, input, output));
  for (int32_t row = 0; row < num_rows; ++row) {
    const int8_t* in = input.data() + row * row_size;
    int8_t* out = output.data() + row * row_size;
    const int32_t max = row_max(in, row_size);
    const int32_t sum = exp_sum(in, row_size, max, params);  // Q12.19, >= exp(0) = 1

    // sum = 2^num_bits_over_unit * (1 + fraction): the reciprocal of the normalized mantissa
    // in Q0.31, and the power of two goes into the final shift.
    const int32_t headroom = __builtin_clz(static_cast<uint32_t>(sum));
    const int32_t num_bits_over_unit = kAccumulationBits - headroom;
    const int32_t fraction =
        static_cast<int32_t>((static_cast<uint32_t>(sum) << headroom) - (uint32_t{1} << 31));
    // Probability in Q0.31 to the output's 1/256 steps, zero point -128.
    const RowScale rs{one_over_one_plus_x(fraction), num_bits_over_unit + 31 - 8};
    write_probabilities(in, out, row_size, max, params, rs);
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
