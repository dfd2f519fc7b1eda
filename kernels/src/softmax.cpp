// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/softmax.h"

#include "tinyexec/kernels/requant.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {
namespace {

// Integer bits of the fixed-point sum of exponentials (TFLite's kAccumulationIntegerBits).
constexpr int32_t kAccumulationBits = 12;
constexpr int32_t kMaxRowSize = 4095;  // 4095 * exp(0) in Q12.19 stays below 2^31

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
int32_t exp_on_negative_values(int32_t a) {
  constexpr int32_t kQuarter = 1 << 24;  // 1/4 in Q5.26
  const int32_t r = (a & (kQuarter - 1)) - kQuarter;
  const int32_t q_bits = r - a;  // -q in Q5.26 (bits 24..30 = 1/4 .. 16)

  constexpr int32_t kExpMinusOneEighth = 1895147668;  // exp(-1/8) in Q0.31
  constexpr int32_t kOneThird = 715827883;            // 1/3 in Q0.31
  const int32_t x = r * 32 + (1 << 28);               // r + 1/8 in Q0.31
  const int32_t x2 = doubling_high_mul(x, x);
  const int32_t x3 = doubling_high_mul(x2, x);
  const int32_t x4_over_4 = rounding_divide_by_pot(doubling_high_mul(x2, x2), 2);
  // x^2/2 + x^3/6 + x^4/24
  const int32_t higher_terms =
      rounding_divide_by_pot(doubling_high_mul(x4_over_4 + x3, kOneThird) + x2, 1);
  int32_t result = kExpMinusOneEighth + doubling_high_mul(kExpMinusOneEighth, x + higher_terms);

  // exp(-1/4), exp(-1/2), exp(-1), exp(-2), exp(-4), exp(-8), exp(-16) in Q0.31.
  constexpr int32_t kExpMinusPow2[7] = {1672461947, 1302514674, 790015084, 290630308,
                                        39332535,   720401,     242};
  for (int32_t k = 0; k < 7; ++k) {
    if ((q_bits & (1 << (24 + k))) != 0) result = doubling_high_mul(result, kExpMinusPow2[k]);
  }
  return a == 0 ? INT32_MAX : result;
}

// 1 / (1 + a) for a in [0, 1), both in Q0.31: three Newton-Raphson steps on the half
// denominator (gemmlowp's one_over_one_plus_x_for_x_in_0_1).
int32_t one_over_one_plus_x(int32_t a) {
  const int64_t sum = static_cast<int64_t>(a) + INT32_MAX;  // (1 + a) in Q0.31, rounded half sum
  const int32_t half_denominator = static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
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
int32_t rounding_divide_wide(int32_t x, int32_t exponent) {
  return exponent > 31 ? 0 : rounding_divide_by_pot(x, exponent);
}

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
    int32_t max = in[0];
    for (int32_t i = 1; i < row_size; ++i) max = in[i] > max ? in[i] : max;

    // exp(beta * scale * (x - max)) in Q0.31 for a difference that is not cut off.
    auto exp_of = [&params](int32_t diff) {
      return exp_on_negative_values(
          requantize(diff, params.input_multiplier, params.input_left_shift));
    };
    int32_t sum = 0;  // Q12.19; > 0 because the maximum contributes exp(0) = 1
    for (int32_t i = 0; i < row_size; ++i) {
      const int32_t diff = in[i] - max;
      if (diff >= params.diff_min) {
        sum += rounding_divide_by_pot(exp_of(diff), kAccumulationBits);
      }
    }

    // sum = 2^num_bits_over_unit * (1 + fraction): the reciprocal of the normalized mantissa
    // in Q0.31, and the power of two goes into the final shift.
    const int32_t headroom = __builtin_clz(static_cast<uint32_t>(sum));
    const int32_t num_bits_over_unit = kAccumulationBits - headroom;
    const int32_t fraction =
        static_cast<int32_t>((static_cast<uint32_t>(sum) << headroom) - (uint32_t{1} << 31));
    const int32_t scale = one_over_one_plus_x(fraction);
    // Probability in Q0.31 to the output's 1/256 steps, zero point -128.
    const int32_t out_shift = num_bits_over_unit + 31 - 8;

    for (int32_t i = 0; i < row_size; ++i) {
      const int32_t diff = in[i] - max;
      int32_t value = -128;
      if (diff >= params.diff_min) {
        value = rounding_divide_wide(doubling_high_mul(scale, exp_of(diff)), out_shift) - 128;
        value = value > 127 ? 127 : value;
      }
      out[i] = static_cast<int8_t>(value);
    }
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
