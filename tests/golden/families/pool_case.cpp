// SPDX-License-Identifier: Apache-2.0
#include "pool_case.h"

#include "common.h"

namespace tinyexec::golden {

bool read_pool_case(const GoldenCase& c, PoolCase* out, Report& r) {
  PoolCase& v = *out;
  kernels::PoolParams& p = v.params;
  if (!get_i32(c, "batch_size|input_n", &v.input_dims.n, r) ||
      !get_i32(c, "input_h", &v.input_dims.h, r) || !get_i32(c, "input_w", &v.input_dims.w, r) ||
      !get_i32(c, "input_c|in_ch", &v.input_dims.c, r) ||
      !get_i32(c, "output_h", &v.output_dims.h, r) ||
      !get_i32(c, "output_w", &v.output_dims.w, r) ||
      !get_i32_or(c, "output_c|out_ch", v.input_dims.c, &v.output_dims.c, r) ||
      !get_i32(c, "filter_h|filter_y", &p.filter_h, r) ||
      !get_i32(c, "filter_w|filter_x", &p.filter_w, r) ||
      !get_i32(c, "stride_h|stride_y", &p.stride_h, r) ||
      !get_i32(c, "stride_w|stride_x", &p.stride_w, r) ||
      !get_i32(c, "padding_h|pad_h|pad_y", &p.pad_h, r) ||
      !get_i32(c, "padding_w|pad_w|pad_x", &p.pad_w, r) ||
      !get_i32(c, "activation_min|out_activation_min", &p.activation.min, r) ||
      !get_i32(c, "activation_max|out_activation_max", &p.activation.max, r)) {
    return false;
  }
  v.output_dims.n = v.input_dims.n;
  const int32_t in_dims[] = {v.input_dims.n, v.input_dims.h, v.input_dims.w, v.input_dims.c};
  const int32_t out_dims[] = {v.output_dims.n, v.output_dims.h, v.output_dims.w, v.output_dims.c};
  int32_t in_count = 0, out_count = 0;
  if (!dims_product(in_dims, 4, "input", &in_count, r) ||
      !dims_product(out_dims, 4, "output", &out_count, r)) {
    return false;
  }
  v.input = need_tensor(c, "input_tensor|input", DType::kInt8, in_count, r);
  v.expected = need_tensor(c, kExpectedOutput, DType::kInt8, out_count, r);
  return v.input && v.expected;
}

}  // namespace tinyexec::golden
