// SPDX-License-Identifier: Apache-2.0
// Float <-> int8 conversion (TFLite Quantize / Dequantize) and 256-entry table lookup for
// int8 activations. The only kernels that use float arithmetic (no libm).
//
// Tensors: flat arrays of `size` elements (any layout; element i maps to element i).
// No scratch.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"

namespace tinyexec::kernels {

// real = scale * (q - zero_point).
struct AffineQuant {
  float scale;         // > 0 and finite
  int32_t zero_point;  // [-128, 127]
};

// q = clamp(round(x / scale) + zero_point, -128, 127), TFLite's AffineQuantize: float
// division, then rounding half away from zero (TfLiteRound, i.e. std::round), not to even.
// NaN maps to zero_point; +-infinity saturate.
Status quantize_f32_s8(const AffineQuant& quant, int32_t size, Span<const float> input,
                       Span<int8_t> output);

// Validates the arguments exactly as quantize_f32_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status quantize_f32_s8_check(const AffineQuant& quant, int32_t size, Span<const float> input,
                             Span<int8_t> output);

// x = scale * (q - zero_point), one float rounding (same as TFLite's double product cast to
// float, since the exact product fits in a double).
Status dequantize_s8_f32(const AffineQuant& quant, int32_t size, Span<const int8_t> input,
                         Span<float> output);

// Validates the arguments exactly as dequantize_s8_f32 does, without reading or writing the
// buffers' contents; for loaders.
Status dequantize_s8_f32_check(const AffineQuant& quant, int32_t size, Span<const int8_t> input,
                               Span<float> output);

// out[i] = table[in[i] + 128]: any int8 -> int8 activation precomputed by the compiler.
// table: 256 entries, indexed by input value + 128. output may be the input buffer.
Status lut_s8(int32_t size, Span<const int8_t> input, Span<const int8_t> table,
              Span<int8_t> output);

// Validates the arguments exactly as lut_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status lut_s8_check(int32_t size, Span<const int8_t> input, Span<const int8_t> table,
                    Span<int8_t> output);

}  // namespace tinyexec::kernels
