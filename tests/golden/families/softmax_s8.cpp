// SPDX-License-Identifier: Apache-2.0
// softmax_s8 cases (CMSIS-NN arm_softmax_s8) -> kernels::softmax_s8.
#include "common.h"
#include "families.h"
#include "tinyexec/kernels/softmax.h"

namespace tinyexec::golden::family {

bool softmax_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  kernels::SoftmaxParams params{};
  int32_t rows = 0, row_size = 0;
  if (!get_i32(c, "num_rows", &rows, r) || !get_i32(c, "row_size", &row_size, r) ||
      !get_i32(c, "input_mult|input_multiplier", &params.input_multiplier, r) ||
      !get_i32(c, "input_left_shift", &params.input_left_shift, r) ||
      !get_i32(c, "diff_min", &params.diff_min, r)) {
    return false;
  }
  const int32_t dims[] = {rows, row_size};
  int32_t count = 0;
  if (!dims_product(dims, 2, "input", &count, r)) return false;
  const TensorView* input = need_tensor(c, "input|input_tensor", DType::kInt8, count, r);
  const TensorView* expected = need_tensor(c, kExpectedOutput, DType::kInt8, count, r);
  if (!input || !expected) return false;
  int8_t* out = alloc_output(ws, *expected, r);
  if (out == nullptr) return false;
  const kernels::Status status =
      kernels::softmax_s8(params, rows, row_size, span_i8(*input), span_out(out, *expected));
  return check_status(status, "softmax_s8", r) && compare_i8(out, *expected, r);
}

}  // namespace tinyexec::golden::family
