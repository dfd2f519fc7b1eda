// SPDX-License-Identifier: Apache-2.0
// Int8 constant padding of an NHWC tensor (TFLite Pad / PadV2, CMSIS-NN arm_pad_s8).
//
// Tensors: input [input_dims] NHWC; output NHWC with dims input + pre_pad + post_pad in each
// dimension, where input element (n, h, w, c) lands at (n + pre.n, h + pre.h, w + pre.w,
// c + pre.c) and every other element is pad_value. Rank < 4 tensors are passed with leading
// 1s (and zero padding there). Input and output must not overlap. No scratch.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

// pre_pad / post_pad: elements added before / after each dimension, >= 0.
// pad_value: the quantized value of the padding (the output zero point for Pad).
Status pad_s8(const Dims4& input_dims, Span<const int8_t> input, const Dims4& pre_pad,
              const Dims4& post_pad, int8_t pad_value, Span<int8_t> output);

// Validates the arguments exactly as pad_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status pad_s8_check(const Dims4& input_dims, Span<const int8_t> input, const Dims4& pre_pad,
                    const Dims4& post_pad, int8_t pad_value, Span<int8_t> output);

}  // namespace tinyexec::kernels
