// SPDX-License-Identifier: Apache-2.0
// Int8 concatenation along one NHWC axis (TFLite Concatenation with equal quantization of all
// inputs and the output, so values are copied unchanged).
//
// Tensors: inputs[i].dims NHWC, equal in every dimension except `axis`; output NHWC with the
// same dims except dims[axis] = the sum over the inputs, holding the inputs in order along
// `axis`. Rank < 4 tensors are passed with leading 1s and the axis shifted by 4 - rank.
// The output must not overlap any input. No scratch.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

struct ConcatInput {
  Dims4 dims;               // NHWC, every dim >= 1
  Span<const int8_t> data;  // at least n*h*w*c elements
};

// inputs: at least one. axis: 0 = n, 1 = h, 2 = w, 3 = c.
Status concat_s8(Span<const ConcatInput> inputs, int32_t axis, Span<int8_t> output);

// Validates the arguments exactly as concat_s8 does, without reading or writing the
// buffers' contents; for loaders. (It reads the ConcatInput list, never the input data.)
Status concat_s8_check(Span<const ConcatInput> inputs, int32_t axis, Span<int8_t> output);

}  // namespace tinyexec::kernels
