// SPDX-License-Identifier: Apache-2.0
// The requantization arithmetic against gemmlowp's textbook formulas (written out here,
// independently of kernels/) and hand-worked edge cases.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "tinyexec/kernels/requant.h"

namespace tk = tinyexec::kernels;

namespace {

// gemmlowp SaturatingRoundingDoublingHighMul: nudge by +/-2^30, truncating division.
int32_t textbook_high_mul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// gemmlowp RoundingDivideByPOT, computed in exact rational terms: round half away from zero.
int32_t textbook_divide_by_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  const int64_t divisor = int64_t{1} << exponent;
  const int64_t magnitude = x < 0 ? -static_cast<int64_t>(x) : x;
  const int64_t rounded = (2 * magnitude + divisor) / (2 * divisor);
  return static_cast<int32_t>(x < 0 ? -rounded : rounded);
}

int32_t textbook_requantize(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return textbook_divide_by_pot(textbook_high_mul(x * (1 << left), multiplier), right);
}

}  // namespace

TEST(Requant, DoublingHighMulSaturatesTheOneOverflowCase) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(tk::doubling_high_mul(kMin, kMin), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(tk::doubling_high_mul(kMin, std::numeric_limits<int32_t>::max()), -2147483647);
}

TEST(Requant, DoublingHighMulRoundsTiesUp) {
  // 1 * 2^30 / 2^31 = 0.5 -> 1, but -0.5 -> 0 (gemmlowp's nudge rounds ties toward +inf).
  EXPECT_EQ(tk::doubling_high_mul(1, 1 << 30), 1);
  EXPECT_EQ(tk::doubling_high_mul(-1, 1 << 30), 0);
  // 3 * 2^29 / 2^31 = 0.75 -> 1; -0.75 -> -1; 2^29 / 2^31 = 0.25 -> 0.
  EXPECT_EQ(tk::doubling_high_mul(3, 1 << 29), 1);
  EXPECT_EQ(tk::doubling_high_mul(-3, 1 << 29), -1);
  EXPECT_EQ(tk::doubling_high_mul(1, 1 << 29), 0);
  EXPECT_EQ(tk::doubling_high_mul(-1, 1 << 29), 0);
}

TEST(Requant, RoundingDivideByPowerOfTwoTies) {
  EXPECT_EQ(tk::rounding_divide_by_pot(5, 1), 3);    // 2.5
  EXPECT_EQ(tk::rounding_divide_by_pot(-5, 1), -3);  // -2.5
  EXPECT_EQ(tk::rounding_divide_by_pot(3, 1), 2);    // 1.5
  EXPECT_EQ(tk::rounding_divide_by_pot(-3, 1), -2);
  EXPECT_EQ(tk::rounding_divide_by_pot(-1, 1), -1);  // -0.5
  EXPECT_EQ(tk::rounding_divide_by_pot(7, 2), 2);    // 1.75
  EXPECT_EQ(tk::rounding_divide_by_pot(-6, 2), -2);  // -1.5
  EXPECT_EQ(tk::rounding_divide_by_pot(-5, 2), -1);  // -1.25
  EXPECT_EQ(tk::rounding_divide_by_pot(123, 0), 123);
  EXPECT_EQ(tk::rounding_divide_by_pot(std::numeric_limits<int32_t>::min(), 31), -1);
  EXPECT_EQ(tk::rounding_divide_by_pot(std::numeric_limits<int32_t>::max(), 31), 1);
}

TEST(Requant, RequantizeMatchesTextbookOverShiftRange) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> acc(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<int32_t> mult(1 << 30, std::numeric_limits<int32_t>::max());
  for (int shift = -31; shift <= 10; ++shift) {
    for (int i = 0; i < 2000; ++i) {
      const int32_t x = acc(rng) >> (shift > 0 ? shift : 0);  // keep x << shift in range
      const int32_t m = mult(rng);
      ASSERT_EQ(tk::requantize(x, m, shift), textbook_requantize(x, m, shift))
          << "x=" << x << " multiplier=" << m << " shift=" << shift;
    }
  }
}

TEST(Requant, RequantizeSignSymmetryAndIdentity) {
  // multiplier 2^30 is 0.5 in Q31, so shift 1 is the identity.
  for (int32_t x : {0, 1, -1, 127, -128, 1 << 20, -(1 << 20)}) {
    EXPECT_EQ(tk::requantize(x, 1 << 30, 1), x);
  }
  // 0.5 * x with shift 0 rounds in the high multiply, ties up: 2.5 -> 3, -2.5 -> -2 ...
  EXPECT_EQ(tk::requantize(5, 1 << 30, 0), 3);
  EXPECT_EQ(tk::requantize(-5, 1 << 30, 0), -2);
  // ... while with a right shift the final rounding is away from zero: 0.25 * -10 = -2.5 -> -3.
  EXPECT_EQ(tk::requantize(-10, 1 << 30, -1), -3);
}

TEST(Requant, QuantizeMultiplierExactPowersAndScalesAboveOne) {
  int32_t m = 0, s = 0;
  ASSERT_EQ(tk::quantize_multiplier(1.0, &m, &s), tk::Status::kOk);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  ASSERT_EQ(tk::quantize_multiplier(0.25, &m, &s), tk::Status::kOk);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, -1);
  ASSERT_EQ(tk::quantize_multiplier(3.0, &m, &s), tk::Status::kOk);  // 0.75 * 2^2
  EXPECT_EQ(m, 1610612736);
  EXPECT_EQ(s, 2);
  ASSERT_EQ(tk::quantize_multiplier(0.0, &m, &s), tk::Status::kOk);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
}

TEST(Requant, QuantizeMultiplierMatchesFrexpDefinition) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> exponent(-30.0, 20.0);
  for (int i = 0; i < 20000; ++i) {
    const double scale = std::pow(2.0, exponent(rng));
    int exp2 = 0;
    const double q = std::frexp(scale, &exp2);
    int64_t q_fixed = static_cast<int64_t>(std::round(q * (int64_t{1} << 31)));
    if (q_fixed == (int64_t{1} << 31)) {
      q_fixed /= 2;
      ++exp2;
    }
    int32_t m = 0, s = 0;
    ASSERT_EQ(tk::quantize_multiplier(scale, &m, &s), tk::Status::kOk) << scale;
    ASSERT_EQ(m, q_fixed) << scale;
    ASSERT_EQ(s, exp2) << scale;
  }
}

TEST(Requant, QuantizeMultiplierRoundsUpToTwoToThe31) {
  // A mantissa that rounds to 2^31 is halved and the shift grows by one.
  int32_t m = 0, s = 0;
  ASSERT_EQ(tk::quantize_multiplier(1.0 - std::ldexp(1.0, -40), &m, &s), tk::Status::kOk);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
}

TEST(Requant, QuantizeMultiplierTinyAndInvalidScales) {
  int32_t m = 7, s = 7;
  ASSERT_EQ(tk::quantize_multiplier(1e-12, &m, &s), tk::Status::kOk);  // below 2^-32: flushed
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
  ASSERT_EQ(tk::quantize_multiplier(std::ldexp(1.0, -31), &m, &s), tk::Status::kOk);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, -30);
  EXPECT_EQ(tk::quantize_multiplier(-0.5, &m, &s), tk::Status::kBadParam);
  EXPECT_EQ(tk::quantize_multiplier(std::nan(""), &m, &s), tk::Status::kBadParam);
  EXPECT_EQ(tk::quantize_multiplier(INFINITY, &m, &s), tk::Status::kBadParam);
  EXPECT_EQ(tk::quantize_multiplier(std::ldexp(1.0, 31), &m, &s), tk::Status::kBadParam);
  EXPECT_EQ(tk::quantize_multiplier(0.5, nullptr, &s), tk::Status::kNullPointer);
}
