// SPDX-License-Identifier: Apache-2.0
#include "frontends/tflite/tflm_arith.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "support/error.h"
#include "tinyexec/kernels/requant.h"

namespace tinyexec::frontends::tflm {
namespace {

// --- gemmlowp's scalar fixed point on int32 raw values (Q(ib).(31 - ib)), as TFLite uses it.

int32_t srdhm(int32_t a, int32_t b) { return kernels::doubling_high_mul(a, b); }
int32_t rdbp(int32_t x, int exponent) { return kernels::rounding_divide_by_pot(x, exponent); }

// SaturatingRoundingMultiplyByPOT<exponent>: saturating left shift, or rounding right shift.
int32_t multiply_by_pot(int32_t x, int exponent) {
  if (exponent < 0) return rdbp(x, -exponent);
  if (exponent == 0) return x;
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = int64_t{a} + b;
  const int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int32_t>((sum + sign) / 2);
}

constexpr int32_t kOneQ0 = std::numeric_limits<int32_t>::max();  // F0::One()
constexpr int32_t kOneQ2 = 1 << 29;                              // F2::One()

// exp(x) for x in [-1/4, 0), Q0 in and out.
int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
  const int32_t constant_term = 1895147668;  // exp(-1/8)
  const int32_t constant_1_over_3 = 715827883;
  const int32_t x = a + (1 << 28);  // a + 1/8
  const int32_t x2 = srdhm(x, x);
  const int32_t x3 = srdhm(x2, x);
  const int32_t x4 = srdhm(x2, x2);
  const int32_t x4_over_4 = multiply_by_pot(x4, -2);
  const int32_t sum = multiply_by_pot(srdhm(x4_over_4 + x3, constant_1_over_3) + x2, -1);
  return constant_term + srdhm(constant_term, x + sum);
}

// exp(a) for a <= 0 in Q(integer_bits); result Q0.
int32_t exp_on_negative_values(int32_t a, int integer_bits) {
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = int32_t{1} << (fractional_bits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
  int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      multiply_by_pot(a_mod_quarter_minus_one_quarter, integer_bits));  // Rescale<0>
  const int32_t remainder = a_mod_quarter_minus_one_quarter - a;
  struct Step {
    int exponent;
    int32_t multiplier;  // exp(-2^exponent) in Q0
  };
  constexpr Step kSteps[] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308},
                             {2, 39332535},    {3, 720401},      {4, 242}};
  for (const Step& step : kSteps) {
    if (integer_bits > step.exponent) {
      const int shift = fractional_bits + step.exponent;
      if ((remainder & (int32_t{1} << shift)) != 0) result = srdhm(result, step.multiplier);
    }
  }
  if (integer_bits > 5) {
    const int32_t clamp = -(int32_t{1} << (36 - integer_bits));  // -32
    if (a < clamp) result = 0;
  }
  if (a == 0) result = kOneQ0;
  return result;
}

// Newton-Raphson reciprocal shared by the two divisions below: x ~ 1 / half_denominator in Q2.
int32_t newton_reciprocal(int32_t half_denominator) {
  const int32_t constant_48_over_17 = 1515870810;
  const int32_t constant_neg_32_over_17 = -1010580540;
  int32_t x = constant_48_over_17 + srdhm(half_denominator, constant_neg_32_over_17);
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = srdhm(half_denominator, x);
    const int32_t one_minus = kOneQ2 - half_denominator_times_x;
    x = x + multiply_by_pot(srdhm(x, one_minus), 2);  // Rescale<2> of a Q4 product
  }
  return x;
}

// 1 / (1 + a) for a in (0, 1), Q0.
int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t x = newton_reciprocal(rounding_half_sum(a, kOneQ0));
  return multiply_by_pot(x, 1);  // Rescale<0>(ExactMulByPot<-1>(x)): Q1 -> Q0
}

// (1 - a) / (1 + a) for a in (0, 1), Q0.
int32_t one_minus_x_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t x = newton_reciprocal(rounding_half_sum(a, kOneQ0));
  return multiply_by_pot(x - kOneQ2, 2);  // Rescale<0> of Q2
}

int32_t logistic_q0(int32_t a, int integer_bits) {
  const bool positive = a > 0;
  const int32_t abs_input = positive ? a : -a;
  const int32_t result_if_positive =
      one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(-abs_input, integer_bits));
  const int32_t result_if_negative = kOneQ0 - result_if_positive;
  if (a == 0) return 1 << 30;
  return positive ? result_if_positive : result_if_negative;
}

int32_t tanh_q0(int32_t a, int integer_bits) {
  const bool negative = a < 0;
  const int32_t n = negative ? a : -a;
  // neg_tanh_on_negative_values: ExactMulByPot<1> adds an integer bit to the same raw value.
  const int32_t t =
      one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, integer_bits + 1));
  if (a == 0) return 0;
  return negative ? -t : t;
}

// TFLM's sigmoid / tanh Prepare for int8: input multiplier and radius with 4 integer bits.
struct InputScaling {
  int32_t multiplier = 0;
  int32_t left_shift = 0;
  int32_t radius = 0;
};

InputScaling fixed_point_input_scaling(float input_scale, const char* op) {
  constexpr int kInputIntegerBits = 4;
  const double real = static_cast<double>(input_scale) * static_cast<double>(1 << (31 - 4));
  int exponent = 0;
  const double q = std::frexp(real, &exponent);
  const double rounded = std::round(q * static_cast<double>(int64_t{1} << 31));
  if (!(input_scale > 0.0f) || !std::isfinite(input_scale) || exponent < 0 || exponent > 31 ||
      rounded >= 2147483648.0) {
    fail("{} input scale {} is outside what TFLite Micro's int8 kernel handles", op, input_scale);
  }
  InputScaling s;
  s.multiplier = static_cast<int32_t>(rounded);
  s.left_shift = exponent;
  const double max_input_rescaled = 1.0 * ((1 << kInputIntegerBits) - 1) *
                                    static_cast<double>(int64_t{1} << (31 - kInputIntegerBits)) /
                                    static_cast<double>(int64_t{1} << s.left_shift);
  s.radius = static_cast<int32_t>(std::floor(max_input_rescaled));
  return s;
}

// --- 16-bit helpers for HARD_SWISH.

int16_t srdhm16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t ab = int32_t{a} * b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

int16_t sdhm16(int16_t a, int16_t b) {  // rounds toward zero (SQDMULH)
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  return static_cast<int16_t>((int32_t{a} * b) / (1 << 15));
}

int16_t rdbp16(int16_t x, int exponent) {
  const int16_t mask = static_cast<int16_t>((1 << exponent) - 1);
  const int16_t remainder = static_cast<int16_t>(x & mask);
  const int16_t threshold = static_cast<int16_t>((mask >> 1) + (x < 0 ? 1 : 0));
  return static_cast<int16_t>((x >> exponent) + (remainder > threshold ? 1 : 0));
}

int16_t saturating_left_shift16(int16_t value, int amount) {
  const int64_t result = int64_t{value} * (int64_t{1} << amount);
  return static_cast<int16_t>(std::clamp<int64_t>(result, std::numeric_limits<int16_t>::min(),
                                                  std::numeric_limits<int16_t>::max()));
}

int16_t down_scale_to_int16(int32_t multiplier) {
  constexpr int32_t kRoundingOffset = 1 << 15;
  if (multiplier >= std::numeric_limits<int32_t>::max() - kRoundingOffset) {
    return std::numeric_limits<int16_t>::max();
  }
  return static_cast<int16_t>((multiplier + kRoundingOffset) >> 16);
}

void quantize(double scale, int32_t* multiplier, int32_t* shift, const char* what) {
  if (kernels::quantize_multiplier(scale, multiplier, shift) != kernels::Status::kOk) {
    fail("{}: the scale ratio {} cannot be represented as a multiplier", what, scale);
  }
}

}  // namespace

int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift) {
  return kernels::requantize(x, multiplier, shift);
}

Range activation_range(int activation, float output_scale, int32_t output_zero_point) {
  auto quantize_value = [&](float f) {
    return output_zero_point + static_cast<int32_t>(std::round(f / output_scale));
  };
  Range r;
  switch (activation) {
    case 1:  // RELU
      r.min = std::max(r.min, quantize_value(0.0f));
      break;
    case 2:  // RELU_N1_TO_1
      r.min = std::max(r.min, quantize_value(-1.0f));
      r.max = std::min(r.max, quantize_value(1.0f));
      break;
    case 3:  // RELU6
      r.min = std::max(r.min, quantize_value(0.0f));
      r.max = std::min(r.max, quantize_value(6.0f));
      break;
    default:
      break;
  }
  r.min = std::min(r.min, 127);
  r.max = std::max(r.max, -128);
  if (r.min > r.max) r.max = r.min;
  return r;
}

namespace {

// The int8 table of LOGISTIC or TANH (they share TFLM's input scaling and saturation): inputs
// beyond the radius saturate, the others go through `q4_to_int8` with the input in Q4.27.
template <typename Q4ToInt8>
std::vector<int8_t> fixed_point_table(float input_scale, int32_t input_zero_point, const char* op,
                                      Q4ToInt8 q4_to_int8) {
  const InputScaling s = fixed_point_input_scaling(input_scale, op);
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) {
    const int32_t input = (i - 128) - input_zero_point;
    int32_t out;
    if (input <= -s.radius) {
      out = -128;
    } else if (input >= s.radius) {
      out = 127;
    } else {
      out = q4_to_int8(multiply_by_quantized_multiplier(input, s.multiplier, s.left_shift));
    }
    table[i] = static_cast<int8_t>(out);
  }
  return table;
}

}  // namespace

std::vector<int8_t> logistic_table(float input_scale, int32_t input_zero_point) {
  return fixed_point_table(input_scale, input_zero_point, "LOGISTIC", [](int32_t input_in_q4) {
    return std::clamp(rdbp(logistic_q0(input_in_q4, 4), 31 - 8) - 128, -128, 127);
  });
}

std::vector<int8_t> tanh_table(float input_scale, int32_t input_zero_point) {
  return fixed_point_table(input_scale, input_zero_point, "TANH", [](int32_t input_in_q4) {
    return std::clamp(rdbp(tanh_q0(input_in_q4, 4), 31 - 7), -128, 127);
  });
}

std::vector<int8_t> hard_swish_table(float input_scale, int32_t input_zero_point,
                                     float output_scale, int32_t output_zero_point) {
  // HardSwishPrepare: float arithmetic as TFLite writes it, then QuantizeMultiplier and the
  // 16-bit down-scaling.
  const float hires_input_scale = (1.0f / 128.0f) * input_scale;
  const float reluish_scale = 3.0f / 32768.0f;
  const float output_multiplier = hires_input_scale / output_scale;
  const float reluish_multiplier = hires_input_scale / reluish_scale;
  int32_t output_m32 = 0, output_exponent = 0, reluish_m32 = 0, reluish_exponent = 0;
  quantize(output_multiplier, &output_m32, &output_exponent, "HARD_SWISH output");
  quantize(reluish_multiplier, &reluish_m32, &reluish_exponent, "HARD_SWISH reluish");
  if (output_exponent > 0) {
    fail(
        "HARD_SWISH: input scale / (128 * output scale) = {} needs a left shift, which TFLite "
        "Micro's int8 kernel does not support",
        output_multiplier);
  }
  const int16_t output_m16 = down_scale_to_int16(output_m32);
  const int16_t reluish_m16 = down_scale_to_int16(reluish_m32);
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) {
    const int16_t input_value = static_cast<int16_t>((i - 128) - input_zero_point);
    const int16_t hires = static_cast<int16_t>(input_value * (1 << 7));
    const int16_t preshift_output = srdhm16(hires, output_m16);
    int16_t reluish = hires;
    if (reluish_exponent > 0) reluish = saturating_left_shift16(reluish, reluish_exponent - 1);
    reluish = srdhm16(reluish, reluish_m16);
    if (reluish_exponent > 0) reluish = saturating_left_shift16(reluish, 1);
    if (reluish_exponent < 0) reluish = rdbp16(reluish, -reluish_exponent);
    reluish = static_cast<int16_t>((reluish + (1 << 15)) >> 1);
    const int16_t preshift = sdhm16(reluish, preshift_output);
    int32_t out = rdbp16(preshift, -output_exponent) + output_zero_point;
    table[i] = static_cast<int8_t>(std::clamp(out, -128, 127));
  }
  return table;
}

std::vector<int8_t> requantize_table(float input_scale, int32_t input_zero_point,
                                     float output_scale, int32_t output_zero_point) {
  int32_t multiplier = 0, shift = 0;
  quantize(static_cast<double>(input_scale) / static_cast<double>(output_scale), &multiplier,
           &shift, "QUANTIZE");
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) {
    const int32_t value = (i - 128) - input_zero_point;
    const int32_t out =
        multiply_by_quantized_multiplier(value, multiplier, shift) + output_zero_point;
    table[i] = static_cast<int8_t>(std::clamp(out, -128, 127));
  }
  return table;
}

}  // namespace tinyexec::frontends::tflm
