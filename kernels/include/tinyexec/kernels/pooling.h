// SPDX-License-Identifier: Apache-2.0
// Int8 2-D average and max pooling, TFLite / CMSIS-NN (arm_avgpool_s8, arm_max_pool_s8)
// semantics. Input and output share one quantization, so values are not rescaled.
//
// Tensors: input [input_dims] NHWC, output [output_dims] NHWC with output n, c equal to input's.
// Output (y, x) reads the window starting at input row y * stride_h - pad_h and column
// x * stride_w - pad_w, filter_h x filter_w large, clipped to the input: padded positions are
// ignored, never counted as zeros. Output sizes must be what TFLite's SAME or VALID padding
// (or explicit padding of that kind) gives: with pad_after = (out - 1) * stride + filter - in -
// pad, 1 - stride <= pad_after <= filter - 1 in each direction, else kBadShape.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

struct PoolParams {
  int32_t filter_h;  // window height, >= 1
  int32_t filter_w;  // window width, >= 1
  int32_t stride_h;  // >= 1
  int32_t stride_w;  // >= 1
  int32_t pad_h;     // padding above the first row (TFLite SAME: total / 2), [0, filter_h)
  int32_t pad_w;     // padding left of the first column, [0, filter_w)
  ActivationRange activation;  // output clamp; -128 <= min <= max <= 127
};

// Bytes of scratch avg_pool_s8 needs for these shapes: 0 on every target (the DSP and Helium
// variants keep their sums in registers). Negative dims give 0.
int32_t avg_pool_s8_scratch_size(const Dims4& input_dims, const Dims4& output_dims);

// Mean of the window's valid positions, rounded half away from zero (TFLite:
// sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count), then clamped.
// scratch: at least avg_pool_s8_scratch_size() bytes; may be empty when that is 0.
// Windows may hold at most 2^24 valid positions (int32 sum); larger gives kUnsupported.
Status avg_pool_s8(const PoolParams& params, const Dims4& input_dims, Span<const int8_t> input,
                   const Dims4& output_dims, Span<int8_t> output, Span<int8_t> scratch);

// Validates the arguments exactly as avg_pool_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status avg_pool_s8_check(const PoolParams& params, const Dims4& input_dims,
                         Span<const int8_t> input, const Dims4& output_dims, Span<int8_t> output,
                         Span<int8_t> scratch);

// Maximum of the window's valid positions, then clamped.
Status max_pool_s8(const PoolParams& params, const Dims4& input_dims, Span<const int8_t> input,
                   const Dims4& output_dims, Span<int8_t> output);

// Validates the arguments exactly as max_pool_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status max_pool_s8_check(const PoolParams& params, const Dims4& input_dims,
                         Span<const int8_t> input, const Dims4& output_dims, Span<int8_t> output);

}  // namespace tinyexec::kernels
