// SPDX-License-Identifier: Apache-2.0
// Textbook versions of the int8 kernels, written from the TFLite reference definitions with no
// regard for speed and no shared code with kernels/: the independent side of the differential
// tests. Integer only; shapes are NHWC; `Dims` is {n, h, w, c}.
#pragma once

#include <cstdint>

namespace tinyexec::textbook {

struct Dims {
  int32_t n, h, w, c;
};

// gemmlowp's SaturatingRoundingDoublingHighMul: nudge, then truncating division by 2^31.
inline int32_t high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// gemmlowp's RoundingDivideByPOT: exact division, ties away from zero.
inline int32_t divide_by_pot(int32_t x, int32_t exponent) {
  if (exponent == 0) return x;
  const int64_t divisor = int64_t{1} << exponent;
  const int64_t magnitude = x < 0 ? -static_cast<int64_t>(x) : x;
  const int64_t rounded = (2 * magnitude + divisor) / (2 * divisor);
  return static_cast<int32_t>(x < 0 ? -rounded : rounded);
}

// TFLite's MultiplyByQuantizedMultiplier.
inline int32_t requantize(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<int64_t>(x) * (int64_t{1} << left));
  return divide_by_pot(high_mul(shifted, multiplier), right);
}

inline int8_t saturate(int32_t value, int32_t lo, int32_t hi) {
  return static_cast<int8_t>(value < lo ? lo : (value > hi ? hi : value));
}

inline int32_t index(const Dims& d, int32_t n, int32_t y, int32_t x, int32_t c) {
  return ((n * d.h + y) * d.w + x) * d.c + c;
}

struct ConvArgs {
  int32_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
  int32_t input_offset, output_offset, act_min, act_max;
  const int32_t* multiplier;
  const int32_t* shift;
  const int32_t* bias;  // may be null
};

// Convolution with groups (filter OHWI, I = input channels per group).
inline void conv2d(const ConvArgs& a, const Dims& in, const int8_t* input, const Dims& f,
                   const int8_t* filter, const Dims& out, int8_t* output) {
  const int32_t groups = in.c / f.c;
  const int32_t out_per_group = out.c / groups;
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t oy = 0; oy < out.h; ++oy)
      for (int32_t ox = 0; ox < out.w; ++ox)
        for (int32_t oc = 0; oc < out.c; ++oc) {
          const int32_t group = oc / out_per_group;
          int32_t acc = a.bias != nullptr ? a.bias[oc] : 0;
          for (int32_t ky = 0; ky < f.h; ++ky)
            for (int32_t kx = 0; kx < f.w; ++kx) {
              const int32_t iy = oy * a.stride_h - a.pad_h + ky * a.dilation_h;
              const int32_t ix = ox * a.stride_w - a.pad_w + kx * a.dilation_w;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              for (int32_t ic = 0; ic < f.c; ++ic) {
                acc += (input[index(in, n, iy, ix, group * f.c + ic)] + a.input_offset) *
                       filter[index(f, oc, ky, kx, ic)];
              }
            }
          output[index(out, n, oy, ox, oc)] = saturate(
              requantize(acc, a.multiplier[oc], a.shift[oc]) + a.output_offset, a.act_min,
              a.act_max);
        }
}

// Depthwise: filter [1, H, W, C_out], output channel ic * multiplier + m reads input channel ic.
inline void depthwise_conv2d(const ConvArgs& a, const Dims& in, const int8_t* input,
                             const Dims& f, const int8_t* filter, const Dims& out,
                             int8_t* output) {
  const int32_t multiplier = out.c / in.c;
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t oy = 0; oy < out.h; ++oy)
      for (int32_t ox = 0; ox < out.w; ++ox)
        for (int32_t oc = 0; oc < out.c; ++oc) {
          const int32_t ic = oc / multiplier;
          int32_t acc = a.bias != nullptr ? a.bias[oc] : 0;
          for (int32_t ky = 0; ky < f.h; ++ky)
            for (int32_t kx = 0; kx < f.w; ++kx) {
              const int32_t iy = oy * a.stride_h - a.pad_h + ky * a.dilation_h;
              const int32_t ix = ox * a.stride_w - a.pad_w + kx * a.dilation_w;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              acc += (input[index(in, n, iy, ix, ic)] + a.input_offset) *
                     filter[index(f, 0, ky, kx, oc)];
            }
          output[index(out, n, oy, ox, oc)] = saturate(
              requantize(acc, a.multiplier[oc], a.shift[oc]) + a.output_offset, a.act_min,
              a.act_max);
        }
}

// Transposed convolution as TFLite's reference: scatter into the uncropped result, crop at
// (pad_h, pad_w). `accumulators` holds out.n * out.h * out.w * out.c int32 values.
inline void transpose_conv2d(const ConvArgs& a, const Dims& in, const int8_t* input,
                             const Dims& f, const int8_t* filter, const Dims& out,
                             int32_t* accumulators, int8_t* output) {
  const int32_t total = out.n * out.h * out.w * out.c;
  for (int32_t i = 0; i < total; ++i) accumulators[i] = 0;
  for (int32_t n = 0; n < in.n; ++n)
    for (int32_t iy = 0; iy < in.h; ++iy)
      for (int32_t ix = 0; ix < in.w; ++ix)
        for (int32_t ky = 0; ky < f.h; ++ky)
          for (int32_t kx = 0; kx < f.w; ++kx) {
            const int32_t oy = iy * a.stride_h + ky - a.pad_h;
            const int32_t ox = ix * a.stride_w + kx - a.pad_w;
            if (oy < 0 || oy >= out.h || ox < 0 || ox >= out.w) continue;
            for (int32_t oc = 0; oc < out.c; ++oc)
              for (int32_t ic = 0; ic < in.c; ++ic) {
                accumulators[index(out, n, oy, ox, oc)] +=
                    (input[index(in, n, iy, ix, ic)] + a.input_offset) *
                    filter[index(f, oc, ky, kx, ic)];
              }
          }
  for (int32_t i = 0; i < total; ++i) {
    const int32_t oc = i % out.c;
    const int32_t acc = accumulators[i] + (a.bias != nullptr ? a.bias[oc] : 0);
    output[i] = saturate(requantize(acc, a.multiplier[oc], a.shift[oc]) + a.output_offset,
                         a.act_min, a.act_max);
  }
}

// Fully connected: weights [out, in]; per-channel when `per_channel`, else element 0 applies.
inline void fully_connected(int32_t batches, int32_t depth, int32_t outputs, int32_t input_offset,
                            int32_t filter_offset, int32_t output_offset, int32_t act_min,
                            int32_t act_max, const int32_t* multiplier, const int32_t* shift,
                            bool per_channel, const int8_t* input, const int8_t* weights,
                            const int32_t* bias, int8_t* output) {
  for (int32_t b = 0; b < batches; ++b)
    for (int32_t o = 0; o < outputs; ++o) {
      int32_t acc = bias != nullptr ? bias[o] : 0;
      for (int32_t k = 0; k < depth; ++k) {
        acc += (input[b * depth + k] + input_offset) * (weights[o * depth + k] + filter_offset);
      }
      const int32_t q = per_channel ? o : 0;
      output[b * outputs + o] =
          saturate(requantize(acc, multiplier[q], shift[q]) + output_offset, act_min, act_max);
    }
}

// Batch matmul with the right-hand side transposed ([.., cols, depth]); n and h broadcast.
inline void batch_matmul(const Dims& lhs_d, const int8_t* lhs, const Dims& rhs_d,
                         const int8_t* rhs, const Dims& out, int32_t lhs_offset,
                         int32_t rhs_offset, int32_t output_offset, int32_t act_min,
                         int32_t act_max, int32_t multiplier, int32_t shift, int8_t* output) {
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t h = 0; h < out.h; ++h)
      for (int32_t r = 0; r < out.w; ++r)
        for (int32_t col = 0; col < out.c; ++col) {
          const int32_t ln = lhs_d.n == 1 ? 0 : n, lh = lhs_d.h == 1 ? 0 : h;
          const int32_t rn = rhs_d.n == 1 ? 0 : n, rh = rhs_d.h == 1 ? 0 : h;
          int32_t acc = 0;
          for (int32_t k = 0; k < lhs_d.c; ++k) {
            acc += (lhs[index(lhs_d, ln, lh, r, k)] + lhs_offset) *
                   (rhs[index(rhs_d, rn, rh, col, k)] + rhs_offset);
          }
          output[index(out, n, h, r, col)] =
              saturate(requantize(acc, multiplier, shift) + output_offset, act_min, act_max);
        }
}

// Element (n, y, x, c) of a tensor broadcast to `out`: size-1 dims repeat.
inline int32_t broadcast_index(const Dims& d, const Dims& out, int32_t i) {
  const int32_t c = i % out.c, x = (i / out.c) % out.w, y = (i / out.c / out.w) % out.h,
                n = i / out.c / out.w / out.h;
  return index(d, d.n == 1 ? 0 : n, d.h == 1 ? 0 : y, d.w == 1 ? 0 : x, d.c == 1 ? 0 : c);
}

// a + b modulo 2^32: int32 sums wrap on the targets, which extreme parameters can reach.
inline int32_t add_wrapping(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

struct AddArgs {
  int32_t input1_offset, input2_offset, left_shift;
  int32_t input1_multiplier, input1_shift, input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift, output_offset, act_min, act_max;
};

// TFLite's int8 Add: both inputs rescaled to a common scale with `left_shift` headroom.
inline void add(const AddArgs& a, const Dims& d1, const int8_t* in1, const Dims& d2,
                const int8_t* in2, const Dims& out, int8_t* output) {
  const int32_t total = out.n * out.h * out.w * out.c;
  for (int32_t i = 0; i < total; ++i) {
    const int32_t v1 = (in1[broadcast_index(d1, out, i)] + a.input1_offset) * (1 << a.left_shift);
    const int32_t v2 = (in2[broadcast_index(d2, out, i)] + a.input2_offset) * (1 << a.left_shift);
    const int32_t sum = add_wrapping(requantize(v1, a.input1_multiplier, a.input1_shift),
                                     requantize(v2, a.input2_multiplier, a.input2_shift));
    output[i] = saturate(
        add_wrapping(requantize(sum, a.output_multiplier, a.output_shift), a.output_offset),
        a.act_min, a.act_max);
  }
}

inline void mul(int32_t input1_offset, int32_t input2_offset, int32_t multiplier, int32_t shift,
                int32_t output_offset, int32_t act_min, int32_t act_max, const Dims& d1,
                const int8_t* in1, const Dims& d2, const int8_t* in2, const Dims& out,
                int8_t* output) {
  const int32_t total = out.n * out.h * out.w * out.c;
  for (int32_t i = 0; i < total; ++i) {
    const int32_t product = (in1[broadcast_index(d1, out, i)] + input1_offset) *
                            (in2[broadcast_index(d2, out, i)] + input2_offset);
    output[i] = saturate(add_wrapping(requantize(product, multiplier, shift), output_offset),
                         act_min, act_max);
  }
}

inline void maximum_or_minimum(bool maximum, const Dims& d1, const int8_t* in1, const Dims& d2,
                               const int8_t* in2, const Dims& out, int8_t* output) {
  const int32_t total = out.n * out.h * out.w * out.c;
  for (int32_t i = 0; i < total; ++i) {
    const int8_t a = in1[broadcast_index(d1, out, i)], b = in2[broadcast_index(d2, out, i)];
    output[i] = maximum ? (a > b ? a : b) : (a < b ? a : b);
  }
}

struct PoolArgs {
  int32_t filter_h, filter_w, stride_h, stride_w, pad_h, pad_w, act_min, act_max;
};

// Average over the window's in-bounds elements, rounded half away from zero (TFLite).
inline void pool(bool average, const PoolArgs& a, const Dims& in, const int8_t* input,
                 const Dims& out, int8_t* output) {
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t oy = 0; oy < out.h; ++oy)
      for (int32_t ox = 0; ox < out.w; ++ox)
        for (int32_t c = 0; c < out.c; ++c) {
          int32_t sum = 0, count = 0, best = -128;
          for (int32_t ky = 0; ky < a.filter_h; ++ky)
            for (int32_t kx = 0; kx < a.filter_w; ++kx) {
              const int32_t iy = oy * a.stride_h - a.pad_h + ky;
              const int32_t ix = ox * a.stride_w - a.pad_w + kx;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              const int32_t v = input[index(in, n, iy, ix, c)];
              sum += v;
              ++count;
              if (v > best) best = v;
            }
          int32_t result = best;
          if (average) {
            result = sum >= 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          }
          output[index(out, n, oy, ox, c)] = saturate(result, a.act_min, a.act_max);
        }
}

inline void pad(const Dims& in, const int8_t* input, const Dims& pre, const Dims& out,
                int8_t value, int8_t* output) {
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t y = 0; y < out.h; ++y)
      for (int32_t x = 0; x < out.w; ++x)
        for (int32_t c = 0; c < out.c; ++c) {
          const int32_t sn = n - pre.n, sy = y - pre.h, sx = x - pre.w, sc = c - pre.c;
          const bool inside = sn >= 0 && sn < in.n && sy >= 0 && sy < in.h && sx >= 0 &&
                              sx < in.w && sc >= 0 && sc < in.c;
          output[index(out, n, y, x, c)] = inside ? input[index(in, sn, sy, sx, sc)] : value;
        }
}

// Output dimension k is input dimension perm[k].
inline void transpose(const Dims& in, const int32_t perm[4], const int8_t* input,
                      int8_t* output) {
  const int32_t in_dims[4] = {in.n, in.h, in.w, in.c};
  const int32_t out_dims[4] = {in_dims[perm[0]], in_dims[perm[1]], in_dims[perm[2]],
                               in_dims[perm[3]]};
  int32_t position[4];
  for (position[0] = 0; position[0] < out_dims[0]; ++position[0])
    for (position[1] = 0; position[1] < out_dims[1]; ++position[1])
      for (position[2] = 0; position[2] < out_dims[2]; ++position[2])
        for (position[3] = 0; position[3] < out_dims[3]; ++position[3]) {
          int32_t source[4];
          for (int k = 0; k < 4; ++k) source[perm[k]] = position[k];
          const int32_t out_index =
              ((position[0] * out_dims[1] + position[1]) * out_dims[2] + position[2]) *
                  out_dims[3] +
              position[3];
          output[out_index] = input[index(in, source[0], source[1], source[2], source[3])];
        }
}

// ---- Softmax: TFLite's reference int8 Softmax with gemmlowp's fixed-point helpers ----------

// SaturatingRoundingMultiplyByPOT with a positive exponent.
inline int32_t saturating_mul_by_pot(int32_t x, int32_t exponent) {
  const int64_t wide = static_cast<int64_t>(x) * (int64_t{1} << exponent);
  return wide > INT32_MAX ? INT32_MAX : (wide < INT32_MIN ? INT32_MIN : static_cast<int32_t>(wide));
}

// gemmlowp's exp_on_interval_between_negative_one_quarter_and_0_excl, Q0.31 in and out.
inline int32_t exp_quarter_interval(int32_t a) {
  const int32_t constant_term = 1895147668;  // exp(-1/8)
  const int32_t one_third = 715827883;
  const int32_t x = a + (1 << 28);  // a + 1/8
  const int32_t x2 = high_mul(x, x);
  const int32_t x3 = high_mul(x2, x);
  const int32_t x4 = high_mul(x2, x2);
  const int32_t x4_over_4 = divide_by_pot(x4, 2);
  const int32_t poly = divide_by_pot(high_mul(x4_over_4 + x3, one_third) + x2, 1);
  return constant_term + high_mul(constant_term, x + poly);
}

// gemmlowp's exp_on_negative_values for FixedPoint<int32, 5> (Q5.26 in, Q0.31 out).
inline int32_t exp_negative_q5_26(int32_t a) {
  const int32_t quarter = 1 << 24;
  const int32_t a_mod_quarter_minus_quarter = (a & (quarter - 1)) - quarter;
  int32_t result = exp_quarter_interval(saturating_mul_by_pot(a_mod_quarter_minus_quarter, 5));
  const int32_t remainder = a_mod_quarter_minus_quarter - a;
  const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                  39332535,   720401,     242};  // exp(-2^k), k = -2..4
  for (int k = 0; k < 7; ++k) {
    if (remainder & (1 << (24 + k))) result = high_mul(result, multipliers[k]);
  }
  return a == 0 ? INT32_MAX : result;
}

// gemmlowp's one_over_one_plus_x_for_x_in_0_1 (Q0.31 in and out, Q2.29 inside).
inline int32_t reciprocal_one_plus(int32_t a) {
  const int64_t sum = static_cast<int64_t>(a) + INT32_MAX;  // RoundingHalfSum(a, One)
  const int32_t half_denominator = static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t x = 1515870810 + high_mul(half_denominator, -1010580540);  // 48/17 - 32/17 * d
  for (int i = 0; i < 3; ++i) {
    const int32_t one_minus = (1 << 29) - high_mul(half_denominator, x);
    x = x + saturating_mul_by_pot(high_mul(x, one_minus), 2);
  }
  return saturating_mul_by_pot(x, 1);
}

// TFLite reference_integer_ops::Softmax for int8 output (zero point -128, scale 1/256).
inline void softmax(int32_t input_multiplier, int32_t input_left_shift, int32_t diff_min,
                    int32_t rows, int32_t depth, const int8_t* input, int8_t* output) {
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t* in = input + r * depth;
    int8_t* out = output + r * depth;
    int32_t max = -128;
    for (int32_t i = 0; i < depth; ++i) max = in[i] > max ? in[i] : max;
    int32_t sum = 0;  // Q12.19
    for (int32_t i = 0; i < depth; ++i) {
      const int32_t diff = in[i] - max;
      if (diff >= diff_min) {
        const int32_t scaled =
            high_mul(static_cast<int32_t>(int64_t{diff} * (int64_t{1} << input_left_shift)),
                     input_multiplier);
        sum += divide_by_pot(exp_negative_q5_26(scaled), 12);
      }
    }
    const int32_t headroom = __builtin_clz(static_cast<uint32_t>(sum));
    const int32_t bits_over_unit = 12 - headroom;
    const int32_t shifted_minus_one =
        static_cast<int32_t>((static_cast<uint32_t>(sum) << headroom) - (1u << 31));
    const int32_t scale = reciprocal_one_plus(shifted_minus_one);
    for (int32_t i = 0; i < depth; ++i) {
      const int32_t diff = in[i] - max;
      int32_t value = -128;
      if (diff >= diff_min) {
        const int32_t scaled =
            high_mul(static_cast<int32_t>(int64_t{diff} * (int64_t{1} << input_left_shift)),
                     input_multiplier);
        const int32_t e = exp_negative_q5_26(scaled);
        value = divide_by_pot(high_mul(scale, e), bits_over_unit + 31 - 8) - 128;
      }
      out[i] = saturate(value, -128, 127);
    }
  }
}

// ---- Quantize / dequantize: TFLite's AffineQuantize / Dequantize ----------------------------

// std::round (half away from zero) of a float, in double arithmetic.
inline int32_t round_away(float x) {
  const double d = x;
  if (!(d == d)) return 0;
  if (d > 1e6) return 1000000;
  if (d < -1e6) return -1000000;
  const int64_t whole = static_cast<int64_t>(d);  // truncates
  const double fraction = d - static_cast<double>(whole);
  return static_cast<int32_t>(whole + (fraction >= 0.5 ? 1 : (fraction <= -0.5 ? -1 : 0)));
}

inline int8_t quantize(float x, float scale, int32_t zero_point) {
  const float quotient = x / scale;  // a float division, as TFLite
  return saturate(round_away(quotient) + zero_point, -128, 127);
}

inline float dequantize(int8_t q, float scale, int32_t zero_point) {
  return static_cast<float>(static_cast<double>(scale) * (q - zero_point));
}

}  // namespace tinyexec::textbook
