// SPDX-License-Identifier: Apache-2.0
// Int8 softmax over the last dimension, bit-exact with TFLite's int8 reference Softmax and
// CMSIS-NN's arm_softmax_s8 (gemmlowp fixed-point exp and reciprocal).
//
// Tensors: input and output [num_rows, row_size] row-major int8. The output quantization is
// fixed by TFLite: scale 1/256, zero point -128. The output may be the input buffer. No scratch.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"

namespace tinyexec::kernels {

// From TFLite's PreprocessSoftmaxScaling(beta, input_scale, 5) and CalculateInputRadius(5, shift).
struct SoftmaxParams {
  int32_t input_multiplier;  // Q31 multiplier of beta * input_scale * 2^26, >= 0
  int32_t input_left_shift;  // its left shift, [0, 31]
  // Most negative (x - row max) that still contributes; smaller differences give exp = 0 and
  // output -128. <= 0, and diff_min * 2^input_left_shift must fit in int32.
  int32_t diff_min;
};

// row_size is limited to 4095 so the Q12.19 sum of exponentials cannot overflow (as in TFLite,
// whose int32 sum would wrap); larger rows give kUnsupported.
Status softmax_s8(const SoftmaxParams& params, int32_t num_rows, int32_t row_size,
                  Span<const int8_t> input, Span<int8_t> output);

// Validates the arguments exactly as softmax_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status softmax_s8_check(const SoftmaxParams& params, int32_t num_rows, int32_t row_size,
                        Span<const int8_t> input, Span<int8_t> output);

}  // namespace tinyexec::kernels
