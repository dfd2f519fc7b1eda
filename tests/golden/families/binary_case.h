// SPDX-License-Identifier: Apache-2.0
// Inputs, output and shapes of the element-wise binary families (add, mul, maximum/minimum).
// The CMSIS-NN cases give either per-input NHWC dims (batch_1, height_1, ..., output_batch,
// ...) for broadcasting ops, or only a flat element count (dst_size) for add and mul.
#pragma once

#include "../golden_case.h"
#include "../report.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::golden {

struct BinaryCase {
  kernels::Dims4 input1_dims, input2_dims, output_dims;
  const TensorView* input1;    // int8
  const TensorView* input2;    // int8
  const TensorView* expected;  // int8
};

// Dims from the per-input keys when the case has them, else [1, 1, 1, dst_size] for all three
// (dst_size: the expected output's length when the key is absent). Checks every count.
bool read_binary_case(const GoldenCase& c, BinaryCase* out, Report& r);

}  // namespace tinyexec::golden
