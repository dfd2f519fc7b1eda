// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/pooling.h"

#include "common_s8.h"

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

Status check_pool(const PoolParams& p, const Dims4& input_dims, Span<const int8_t> input,
                  const Dims4& output_dims, Span<int8_t> output) {
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

  pool(
      params, input_dims, input.data(), output_dims, output.data(), int32_t{0},
      [](int32_t sum, int8_t v) { return sum + v; },
      [](int32_t sum, int32_t count) {
        // Rounded half away from zero (TFLite). In int64: with 2^24 positions of -128 the sum
        // is INT32_MIN, and subtracting half the count would overflow int32.
        const int64_t wide = sum;
        return static_cast<int32_t>(wide > 0 ? (wide + count / 2) / count
                                             : (wide - count / 2) / count);
      });
  return Status::kOk;
}

Status max_pool_s8_check(const PoolParams& params, const Dims4& input_dims,
                         Span<const int8_t> input, const Dims4& output_dims, Span<int8_t> output) {
  return check_pool(params, input_dims, input, output_dims, output);
}

Status max_pool_s8(const PoolParams& params, const Dims4& input_dims, Span<const int8_t> input,
                   const Dims4& output_dims, Span<int8_t> output) {
  TE_RETURN_IF_ERROR(max_pool_s8_check(params, input_dims, input, output_dims, output));
  pool(
      params, input_dims, input.data(), output_dims, output.data(), int32_t{-128},
      [](int32_t max, int8_t v) { return v > max ? static_cast<int32_t>(v) : max; },
      [](int32_t max, int32_t /*count*/) { return max; });
  return Status::kOk;
}

}  // namespace tinyexec::kernels
