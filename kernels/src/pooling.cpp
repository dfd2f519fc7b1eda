// SPDX-License-Identifier: Apache-2.0
// Average and max pooling. Three variants side by side, chosen at compile time by simd_s8.h:
// Helium (M55: 8 or 16 channels per vector), DSP (M4/M7/M33: 4 channels per SIMD32 word) and the
// portable reference loops. All vectorise across channels (NHWC keeps them contiguous) and are
// bit-exact with the reference; they need no scratch.
#include "tinyexec/kernels/pooling.h"

#include <cstring>

#include "common_s8.h"
#include "simd_s8.h"

namespace tinyexec::kernels {
namespace {

// The valid input rows (or columns) [begin, end) of a window that starts at `start`, which
// may be negative (padding). int64 because start + filter can exceed int32.
struct Range {
  int32_t begin, end;
};

Range clip(int64_t start, int32_t filter, int32_t size) {
  const int64_t end = start + filter;
  return {static_cast<int32_t>(start < 0 ? 0 : start),
          static_cast<int32_t>(end < size ? end : size)};
}

// Not inlined: the kernels' loops get the registers (and both checks share one copy).
__attribute__((noinline)) Status check_pool(const PoolParams& p, const Dims4& input_dims,
                                            Span<const int8_t> input, const Dims4& output_dims,
                                            Span<int8_t> output) {
  TE_CHECK(input.data() != nullptr && output.data() != nullptr, Status::kNullPointer);
  TE_CHECK(dims_positive(input_dims) && dims_positive(output_dims), Status::kBadShape);
  TE_CHECK(output_dims.n == input_dims.n && output_dims.c == input_dims.c, Status::kBadShape);
  TE_CHECK(p.filter_h >= 1 && p.filter_w >= 1, Status::kBadParam);
  TE_CHECK(valid_activation(p.activation), Status::kBadParam);
  // Output sizes as SAME / VALID padding produce them: no window lies wholly in padding.
  TE_RETURN_IF_ERROR(
      detail::check_window_axis(input_dims.h, output_dims.h, p.filter_h, p.stride_h, 1, p.pad_h));
  TE_RETURN_IF_ERROR(
      detail::check_window_axis(input_dims.w, output_dims.w, p.filter_w, p.stride_w, 1, p.pad_w));
  int32_t input_count = 0, output_count = 0;
  TE_CHECK(dims_count(input_dims, &input_count) && dims_count(output_dims, &output_count),
           Status::kOverflow);
  TE_CHECK(input.size() >= static_cast<size_t>(input_count) &&
               output.size() >= static_cast<size_t>(output_count),
           Status::kBufferTooSmall);
  return Status::kOk;
}

// Calls reduce(init, value) over the window of every output element, then writes
// finish(acc, count) clamped to the activation range.
template <typename Acc, typename Reduce, typename Finish>
void pool(const PoolParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
          int8_t* output, Acc init, Reduce reduce, Finish finish) {
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const Range ry = clip(int64_t{oy} * p.stride_h - p.pad_h, p.filter_h, in.h);
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const Range rx = clip(int64_t{ox} * p.stride_w - p.pad_w, p.filter_w, in.w);
        const int32_t count = (ry.end - ry.begin) * (rx.end - rx.begin);
        int8_t* dst = output + ((n * out.h + oy) * out.w + ox) * out.c;
        for (int32_t c = 0; c < out.c; ++c) {
          Acc acc = init;
          for (int32_t y = ry.begin; y < ry.end; ++y) {
            const int8_t* row = input + ((n * in.h + y) * in.w) * in.c + c;
            for (int32_t x = rx.begin; x < rx.end; ++x) acc = reduce(acc, row[x * in.c]);
          }
          int32_t value = finish(acc, count);
          if (value < p.activation.min) value = p.activation.min;
          if (value > p.activation.max) value = p.activation.max;
          dst[c] = static_cast<int8_t>(value);
        }
      }
    }
  }
}

#if defined(TE_SIMD_DSP) || defined(TE_SIMD_MVE)
// ---------------------------------------------------------------------------------------------
// Fast variants.
//
// Both walk the output pixels; for each they reduce the clipped window channel-block by
// channel-block, with the whole block in registers. Average pooling sums into 16-bit lanes
// (SXTAB16 on DSP, VADD.I16 on Helium) in passes of at most 256 positions (|sum| <= 256 * 128
// fits int16), each widened into int32 sums: so every window the check allows runs here.
// ---------------------------------------------------------------------------------------------
#define TE_POOL_FAST 1

constexpr int32_t kMaxInt16Positions = 256;

// Divides by the window's count d, rounding half away from zero (TFLite), without a divide per
// element: q = floor(v / d) for v = |sum| + d / 2 < 2^32 (d <= 2^24, |sum| <= 128 d). With
// m = floor((2^32 - 1) / d), m * d > 2^32 - 1 - d, so floor(v * m / 2^32) > v / d - v / 2^32 - 1:
// it is q or q - 1, and one comparison of the remainder with d corrects it.
struct Divider {
  uint32_t reciprocal, count;
  int32_t half;
  explicit Divider(int32_t n)
      : reciprocal(0xffffffffu / static_cast<uint32_t>(n)),
        count(static_cast<uint32_t>(n)),
        half(n / 2) {}
  int32_t operator()(int32_t sum) const {
    // Unsigned magnitude: sum may be INT32_MIN (2^24 positions of -128).
    const uint32_t magnitude =
        (sum < 0 ? 0u - static_cast<uint32_t>(sum) : static_cast<uint32_t>(sum)) +
        static_cast<uint32_t>(half);
    uint32_t q = static_cast<uint32_t>((uint64_t{magnitude} * reciprocal) >> 32);
    if (magnitude - q * count >= count) ++q;
    return sum < 0 ? -static_cast<int32_t>(q) : static_cast<int32_t>(q);
  }
};

// The valid part of one output pixel's window: its first element, its size, and the step from
// the end of one window row to the start of the next.
struct Window {
  const int8_t* origin;
  int32_t rows, cols, row_skip;
};

// Calls pixel(window, dst) for every output pixel. Window coordinates fit int32 (checked by
// check_window_axis).
template <typename Pixel>
void for_each_pixel(const PoolParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
                    int8_t* output, Pixel pixel) {
  // Locals, not reads through `p`: int8 stores may alias it, which would force reloads.
  const int32_t in_h = in.h, in_w = in.w, channels = in.c, out_h = out.h, out_w = out.w;
  const int32_t filter_h = p.filter_h, filter_w = p.filter_w, stride_h = p.stride_h,
                stride_w = p.stride_w, pad_h = p.pad_h, pad_w = p.pad_w;
  const int32_t row_stride = in_w * channels;
  int8_t* dst = output;
  for (int32_t n = 0; n < out.n; ++n) {
    const int8_t* image = input + n * in_h * row_stride;
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t y0 = oy * stride_h - pad_h;
      const int32_t y_begin = y0 < 0 ? 0 : y0;
      const int32_t y_end = y0 + filter_h < in_h ? y0 + filter_h : in_h;
      const int8_t* row = image + y_begin * row_stride;
      for (int32_t ox = 0; ox < out_w; ++ox, dst += channels) {
        const int32_t x0 = ox * stride_w - pad_w;
        const int32_t x_begin = x0 < 0 ? 0 : x0;
        const int32_t x_end = x0 + filter_w < in_w ? x0 + filter_w : in_w;
        const int32_t cols = x_end - x_begin;
        pixel(Window{row + x_begin * channels, y_end - y_begin, cols, row_stride - cols * channels},
              dst);
      }
    }
  }
}

// Calls pass(offset, rows, cols, skip) for parts of window w that together cover it, each of at
// most kMaxInt16Positions positions (one 16-bit accumulation): strips of at most that many
// columns, cut into bands of rows. offset is from w.origin; skip is the step from the end of a
// part's row to the start of its next row.
template <typename Pass>
inline void for_each_pass(const Window& w, int32_t channels, Pass pass) {
  const int32_t row_stride = w.cols * channels + w.row_skip;
  const int32_t strip = w.cols < kMaxInt16Positions ? w.cols : kMaxInt16Positions;
  const int32_t band = kMaxInt16Positions / strip;
  for (int32_t x = 0; x < w.cols; x += strip) {
    const int32_t cols = w.cols - x < strip ? w.cols - x : strip;
    for (int32_t y = 0; y < w.rows; y += band) {
      const int32_t rows = w.rows - y < band ? w.rows - y : band;
      pass(y * row_stride + x * channels, rows, cols, row_stride - cols * channels);
    }
  }
}

inline int32_t clamp_to(int32_t v, const ActivationRange& act) {
  return v < act.min ? act.min : (v > act.max ? act.max : v);
}

// Scalar channel c of a window (the channel tails of the DSP variant).
inline int32_t window_sum(const Window& w, int32_t c, int32_t channels) {
  int32_t sum = 0;
  int32_t q = c;  // offsets from w.origin (no pointer past the input)
  for (int32_t y = 0; y < w.rows; ++y, q += w.row_skip) {
    for (int32_t x = 0; x < w.cols; ++x, q += channels) sum += w.origin[q];
  }
  return sum;
}
inline int32_t window_max(const Window& w, int32_t c, int32_t channels) {
  int32_t best = -128;
  int32_t q = c;  // offsets from w.origin (no pointer past the input)
  for (int32_t y = 0; y < w.rows; ++y, q += w.row_skip) {
    for (int32_t x = 0; x < w.cols; ++x, q += channels)
      best = w.origin[q] > best ? w.origin[q] : best;
  }
  return best;
}

#if defined(TE_SIMD_DSP)
inline uint32_t load4(const int8_t* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

uint32_t splat4(int32_t v) {
  return (static_cast<uint32_t>(v) & 0xffu) * 0x01010101u;
}

// Byte-wise max of two words of four int8 (SSUB8 sets GE where a >= b, SEL picks).
inline uint32_t max4(uint32_t a, uint32_t b) {
  __ssub8(a, b);
  return __sel(a, b);
}
inline uint32_t min4(uint32_t a, uint32_t b) {
  __ssub8(a, b);
  return __sel(b, a);
}

void avg_pool_fast(const PoolParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
                   int8_t* output) {
  const int32_t channels = in.c;
  const ActivationRange act = p.activation;
  for_each_pixel(p, in, input, out, output, [=](const Window& w, int8_t* dst) {
    const Divider divide(w.rows * w.cols);
    int32_t c = 0;
    for (; c <= channels - 8; c += 8) {  // 8 channels per pass over the window
      int32_t sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      for_each_pass(w, channels, [&](int32_t q, int32_t rows, int32_t cols, int32_t skip) {
        // Channels c, c+2 | c+1, c+3 | c+4, c+6 | c+5, c+7 in 16-bit halves.
        int16x2_t acc02 = 0, acc13 = 0, acc46 = 0, acc57 = 0;
        for (q += c; rows > 0; --rows, q += skip) {
          for (int32_t x = cols; x > 0; --x, q += channels) {
            const uint32_t v0 = load4(w.origin + q), v1 = load4(w.origin + q + 4);
            acc02 = __sxtab16(acc02, v0);
            acc13 = __sxtab16(acc13, simd::ror8(v0));
            acc46 = __sxtab16(acc46, v1);
            acc57 = __sxtab16(acc57, simd::ror8(v1));
          }
        }
        sums[0] += static_cast<int16_t>(acc02);
        sums[2] += acc02 >> 16;
        sums[1] += static_cast<int16_t>(acc13);
        sums[3] += acc13 >> 16;
        sums[4] += static_cast<int16_t>(acc46);
        sums[6] += acc46 >> 16;
        sums[5] += static_cast<int16_t>(acc57);
        sums[7] += acc57 >> 16;
      });
      for (int k = 0; k < 8; ++k) dst[c + k] = static_cast<int8_t>(clamp_to(divide(sums[k]), act));
    }
    if (c <= channels - 4) {
      int32_t sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
      for_each_pass(w, channels, [&](int32_t q, int32_t rows, int32_t cols, int32_t skip) {
        int16x2_t acc02 = 0, acc13 = 0;  // channels c, c+2 and c+1, c+3
        for (q += c; rows > 0; --rows, q += skip) {
          for (int32_t x = cols; x > 0; --x, q += channels) {
            const uint32_t v = load4(w.origin + q);
            acc02 = __sxtab16(acc02, v);
            acc13 = __sxtab16(acc13, simd::ror8(v));
          }
        }
        sum0 += static_cast<int16_t>(acc02);
        sum2 += acc02 >> 16;
        sum1 += static_cast<int16_t>(acc13);
        sum3 += acc13 >> 16;
      });
      dst[c] = static_cast<int8_t>(clamp_to(divide(sum0), act));
      dst[c + 1] = static_cast<int8_t>(clamp_to(divide(sum1), act));
      dst[c + 2] = static_cast<int8_t>(clamp_to(divide(sum2), act));
      dst[c + 3] = static_cast<int8_t>(clamp_to(divide(sum3), act));
      c += 4;
    }
    for (; c < channels; ++c) {
      dst[c] = static_cast<int8_t>(clamp_to(divide(window_sum(w, c, channels)), act));
    }
  });
}

void max_pool_fast(const PoolParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
                   int8_t* output) {
  const int32_t channels = in.c;
  const ActivationRange act = p.activation;
  // Starting from act.min applies the lower clamp; the upper one follows.
  const uint32_t lo4 = splat4(act.min), hi4 = splat4(act.max);
  for_each_pixel(p, in, input, out, output, [=](const Window& w, int8_t* dst) {
    int32_t c = 0;
    for (; c <= channels - 8; c += 8) {  // 8 channels per pass over the window
      uint32_t best0 = lo4, best1 = lo4;
      int32_t q = c;  // offsets from w.origin (no pointer past the input)
      for (int32_t y = w.rows; y > 0; --y, q += w.row_skip) {
        for (int32_t x = w.cols; x > 0; --x, q += channels) {
          best0 = max4(load4(w.origin + q), best0);
          best1 = max4(load4(w.origin + q + 4), best1);
        }
      }
      best0 = min4(best0, hi4);
      best1 = min4(best1, hi4);
      std::memcpy(dst + c, &best0, 4);
      std::memcpy(dst + c + 4, &best1, 4);
    }
    if (c <= channels - 4) {
      uint32_t best = lo4;
      int32_t q = c;  // offsets from w.origin (no pointer past the input)
      for (int32_t y = w.rows; y > 0; --y, q += w.row_skip) {
        for (int32_t x = w.cols; x > 0; --x, q += channels) best = max4(load4(w.origin + q), best);
      }
      best = min4(best, hi4);
      std::memcpy(dst + c, &best, 4);
      c += 4;
    }
    for (; c < channels; ++c) {
      dst[c] = static_cast<int8_t>(clamp_to(window_max(w, c, channels), act));
    }
  });
}
#endif  // TE_SIMD_DSP

#if defined(TE_SIMD_MVE)
// Rounded division of four sums by the window's count (see Divider).
inline int32x4_t divide4(int32x4_t sum, const Divider& d) {
  const uint32x4_t magnitude = vreinterpretq_u32_s32(vaddq_n_s32(vabsq_s32(sum), d.half));
  uint32x4_t q = vmulhq_u32(magnitude, vdupq_n_u32(d.reciprocal));
  const uint32x4_t remainder = vmlaq_n_u32(magnitude, q, 0u - d.count);  // magnitude - q * d
  q = vaddq_m_n_u32(q, q, 1u, vcmpcsq_n_u32(remainder, d.count));
  return vpselq_s32(vnegq_s32(vreinterpretq_s32_u32(q)), vreinterpretq_s32_u32(q),
                    vcmpltq_n_s32(sum, 0));
}

// Eight channel sums (even and odd channels as int32 lanes) to averages, clamped, stored.
inline void store_averages(int8_t* dst, int32x4_t even, int32x4_t odd, const Divider& divide,
                           const ActivationRange& act, mve_pred16_t lanes) {
  const int32x4_t lo = vdupq_n_s32(act.min), hi = vdupq_n_s32(act.max);
  even = vminq_s32(vmaxq_s32(divide4(even, divide), lo), hi);
  odd = vminq_s32(vmaxq_s32(divide4(odd, divide), lo), hi);
  vstrbq_p_s16(dst, vmovntq_s32(vmovnbq_s32(vdupq_n_s16(0), even), odd), lanes);
}

// Adds the 16-bit lanes of acc (8 channels) to int32 sums kept in memory as even / odd lanes
// (registers stay free for the accumulation loops).
inline void widen_into(int32_t* sums, int16x8_t acc) {
  vst1q_s32(sums, vaddq_s32(vld1q_s32(sums), vmovlbq_s16(acc)));
  vst1q_s32(sums + 4, vaddq_s32(vld1q_s32(sums + 4), vmovltq_s16(acc)));
}

void avg_pool_fast(const PoolParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
                   int8_t* output) {
  const int32_t channels = in.c;
  const ActivationRange act = p.activation;
  for_each_pixel(p, in, input, out, output, [=](const Window& w, int8_t* dst) {
    const Divider divide(w.rows * w.cols);
    alignas(16) int32_t sums[16];
    // 16 channels at a time (two int16x8 accumulators), the last 1..15 eight at a time with a
    // predicate: one channel loop, so the window walk is compiled once.
    for (int32_t c = 0; c < channels;) {
      const bool wide = channels - c >= 16;
      const mve_pred16_t lanes = vctp16q(static_cast<uint32_t>(channels - c));
      std::memset(sums, 0, sizeof sums);
      for_each_pass(w, channels, [&](int32_t q, int32_t rows, int32_t cols, int32_t skip) {
        int16x8_t acc0 = vdupq_n_s16(0), acc1 = acc0;
        const int8_t* at = w.origin + c + q;
        if (wide) {
          for (; rows > 0; --rows, at += skip) {
            for (int32_t x = cols; x > 0; --x, at += channels) {
              acc0 = vaddq_s16(acc0, vldrbq_s16(at));
              acc1 = vaddq_s16(acc1, vldrbq_s16(at + 8));
            }
          }
        } else {
          for (; rows > 0; --rows, at += skip) {
            for (int32_t x = cols; x > 0; --x, at += channels) {
              acc0 = vaddq_s16(acc0, vldrbq_z_s16(at, lanes));
            }
          }
        }
        widen_into(sums, acc0);
        widen_into(sums + 8, acc1);
      });
      store_averages(dst + c, vld1q_s32(sums), vld1q_s32(sums + 4), divide, act, lanes);
      if (wide) {
        store_averages(dst + c + 8, vld1q_s32(sums + 8), vld1q_s32(sums + 12), divide, act, 0xffff);
      }
      c += wide ? 16 : 8;
    }
  });
}

void max_pool_fast(const PoolParams& p, const Dims4& in, const int8_t* input, const Dims4& out,
                   int8_t* output) {
  const int32_t channels = in.c;
  // Starting from act.min applies the lower clamp; the upper one follows.
  const int8x16_t lo = vdupq_n_s8(static_cast<int8_t>(p.activation.min));
  const int8x16_t hi = vdupq_n_s8(static_cast<int8_t>(p.activation.max));
  for_each_pixel(p, in, input, out, output, [=](const Window& w, int8_t* dst) {
    // 32 channels per pass (two accumulators) while they last, then 16 at a time, the last
    // block predicated: one channel loop, so the window walk is compiled once.
    for (int32_t c = 0; c < channels;) {
      const bool wide = channels - c >= 32;
      const mve_pred16_t lanes = vctp8q(static_cast<uint32_t>(channels - c));
      int8x16_t best0 = lo, best1 = lo;
      const int8_t* at = w.origin + c;
      if (wide) {
        for (int32_t y = w.rows; y > 0; --y, at += w.row_skip) {
          for (int32_t x = w.cols; x > 0; --x, at += channels) {
            best0 = vmaxq_s8(best0, vldrbq_s8(at));
            best1 = vmaxq_s8(best1, vldrbq_s8(at + 16));
          }
        }
        vstrbq_s8(dst + c + 16, vminq_s8(best1, hi));
      } else {
        for (int32_t y = w.rows; y > 0; --y, at += w.row_skip) {
          for (int32_t x = w.cols; x > 0; --x, at += channels) {
            best0 = vmaxq_s8(best0, vldrbq_z_s8(at, lanes));
          }
        }
      }
      vstrbq_p_s8(dst + c, vminq_s8(best0, hi), lanes);
      c += wide ? 32 : 16;
    }
  });
}
#endif  // TE_SIMD_MVE
#endif  // fast variants

}  // namespace

int32_t avg_pool_s8_scratch_size(const Dims4& input_dims, const Dims4& output_dims) {
  (void)input_dims;
  (void)output_dims;
  return 0;
}

Status avg_pool_s8_check(const PoolParams& params, const Dims4& input_dims,
                         Span<const int8_t> input, const Dims4& output_dims, Span<int8_t> output,
                         Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(check_pool(params, input_dims, input, output_dims, output));
  const int32_t needed = avg_pool_s8_scratch_size(input_dims, output_dims);
  TE_CHECK(scratch.size() >= static_cast<size_t>(needed), Status::kScratchTooSmall);
  // Valid positions per window are at most min(filter, input) in each direction; keeping them
  // <= 2^24 bounds the int32 sum by 128 * 2^24 = 2^31.
  const int64_t max_h = params.filter_h < input_dims.h ? params.filter_h : input_dims.h;
  const int64_t max_w = params.filter_w < input_dims.w ? params.filter_w : input_dims.w;
  TE_CHECK(max_h * max_w <= (int64_t{1} << 24), Status::kUnsupported);
  return Status::kOk;
}

Status avg_pool_s8(const PoolParams& params, const Dims4& input_dims, Span<const int8_t> input,
                   const Dims4& output_dims, Span<int8_t> output, Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(avg_pool_s8_check(params, input_dims, input, output_dims, output, scratch));
#if defined(TE_POOL_FAST)
  avg_pool_fast(params, input_dims, input.data(), output_dims, output.data());
#else
  pool(
      params, input_dims, input.data(), output_dims, output.data(), int32_t{0},
      [](int32_t sum, int8_t v) { return sum + v; },
      [](int32_t sum, int32_t count) {
        // Rounded half away from zero (TFLite), on the magnitude in uint32: with 2^24 positions
        // of -128 the sum is INT32_MIN, and |sum| + count / 2 = 2^31 + 2^23.
        const uint32_t magnitude =
            (sum < 0 ? 0u - static_cast<uint32_t>(sum) : static_cast<uint32_t>(sum)) +
            static_cast<uint32_t>(count / 2);
        const int32_t q = static_cast<int32_t>(magnitude / static_cast<uint32_t>(count));
        return sum < 0 ? -q : q;
      });
#endif
  return Status::kOk;
}

Status max_pool_s8_check(const PoolParams& params, const Dims4& input_dims,
                         Span<const int8_t> input, const Dims4& output_dims, Span<int8_t> output) {
  return check_pool(params, input_dims, input, output_dims, output);
}

Status max_pool_s8(const PoolParams& params, const Dims4& input_dims, Span<const int8_t> input,
                   const Dims4& output_dims, Span<int8_t> output) {
  TE_RETURN_IF_ERROR(max_pool_s8_check(params, input_dims, input, output_dims, output));
#if defined(TE_POOL_FAST)
  max_pool_fast(params, input_dims, input.data(), output_dims, output.data());
#else
  pool(
      params, input_dims, input.data(), output_dims, output.data(), int32_t{-128},
      [](int32_t max, int8_t v) { return v > max ? static_cast<int32_t>(v) : max; },
      [](int32_t max, int32_t /*count*/) { return max; });
#endif
  return Status::kOk;
}

}  // namespace tinyexec::kernels
