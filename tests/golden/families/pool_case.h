// SPDX-License-Identifier: Apache-2.0
// The config and tensors shared by the pooling families (avgpool_s8, max_pool_s8).
#pragma once

#include "../golden_case.h"
#include "../report.h"
#include "tinyexec/kernels/pooling.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::golden {

struct PoolCase {
  kernels::PoolParams params;
  kernels::Dims4 input_dims, output_dims;
  const TensorView* input;     // int8 NHWC
  const TensorView* expected;  // int8 NHWC
};

// Batches come from batch_size: some cases also carry an input_n that disagrees with the
// input tensor (avgpooling_4: batch_size 3, input_n 1, 3 batches of data). Padding is the
// cases' explicit padding_h / padding_w (what TFLite computed for the "pad" mode).
bool read_pool_case(const GoldenCase& c, PoolCase* out, Report& r);

}  // namespace tinyexec::golden
