// SPDX-License-Identifier: Apache-2.0
// pad_s8 cases (CMSIS-NN arm_pad_s8) -> kernels::pad_s8.
#include "common.h"
#include "families.h"
#include "tinyexec/kernels/pad.h"

namespace tinyexec::golden::family {

bool pad_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  kernels::Dims4 in{}, pre{}, post{};
  int32_t pad_value = 0;
  if (!get_i32(c, "input_n", &in.n, r) || !get_i32(c, "input_h", &in.h, r) ||
      !get_i32(c, "input_w", &in.w, r) || !get_i32(c, "input_c", &in.c, r) ||
      !get_i32(c, "pre_pad_n", &pre.n, r) || !get_i32(c, "pre_pad_h", &pre.h, r) ||
      !get_i32(c, "pre_pad_w", &pre.w, r) || !get_i32(c, "pre_pad_c", &pre.c, r) ||
      !get_i32(c, "post_pad_n", &post.n, r) || !get_i32(c, "post_pad_h", &post.h, r) ||
      !get_i32(c, "post_pad_w", &post.w, r) || !get_i32(c, "post_pad_c", &post.c, r) ||
      !get_i32(c, "pad_value", &pad_value, r)) {
    return false;
  }
  if (pad_value < INT8_MIN || pad_value > INT8_MAX) {
    return r.fail("pad_value %ld is not an int8 value", static_cast<long>(pad_value));
  }
  // 64-bit sums: the config is untrusted and dims_product rejects what does not fit.
  const int64_t out_wide[] = {int64_t{in.n} + pre.n + post.n, int64_t{in.h} + pre.h + post.h,
                              int64_t{in.w} + pre.w + post.w, int64_t{in.c} + pre.c + post.c};
  int32_t out_dims[4];
  for (int i = 0; i < 4; ++i) {
    if (out_wide[i] > INT32_MAX || out_wide[i] < INT32_MIN) {
      return r.fail("padded dimension %d overflows int32", i);
    }
    out_dims[i] = static_cast<int32_t>(out_wide[i]);
  }
  const int32_t in_dims[] = {in.n, in.h, in.w, in.c};
  int32_t in_count = 0, out_count = 0, stated = 0;
  if (!dims_product(in_dims, 4, "input", &in_count, r) ||
      !dims_product(out_dims, 4, "output", &out_count, r) ||
      !get_i32_or(c, "output_size|dst_size", out_count, &stated, r)) {
    return false;
  }
  if (stated != out_count) {
    return r.fail("output_size %ld disagrees with the padded dims (%ld elements)",
                  static_cast<long>(stated), static_cast<long>(out_count));
  }
  const TensorView* input = need_tensor(c, "input_tensor|input", DType::kInt8, in_count, r);
  const TensorView* expected = need_tensor(c, kExpectedOutput, DType::kInt8, out_count, r);
  if (!input || !expected) return false;
  int8_t* out = alloc_output(ws, *expected, r);
  if (out == nullptr) return false;
  const kernels::Status status = kernels::pad_s8(
      in, span_i8(*input), pre, post, static_cast<int8_t>(pad_value), span_out(out, *expected));
  return check_status(status, "pad_s8", r) && compare_i8(out, *expected, r);
}

}  // namespace tinyexec::golden::family
