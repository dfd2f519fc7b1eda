// SPDX-License-Identifier: Apache-2.0
// elementwise_add_s8 cases (CMSIS-NN arm_elementwise_add_s8) -> kernels::add_s8.
#include "binary_case.h"
#include "common.h"
#include "families.h"
#include "tinyexec/kernels/elementwise.h"

namespace tinyexec::golden::family {

bool elementwise_add_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  kernels::AddParams p{};
  BinaryCase b{};
  if (!get_i32(c, "input1_offset|input_1_offset", &p.input1_offset, r) ||
      !get_i32(c, "input2_offset|input_2_offset", &p.input2_offset, r) ||
      !get_i32(c, "left_shift", &p.left_shift, r) ||
      !get_i32(c, "input1_mult|input_1_mult", &p.input1.multiplier, r) ||
      !get_i32(c, "input1_shift|input_1_shift", &p.input1.shift, r) ||
      !get_i32(c, "input2_mult|input_2_mult", &p.input2.multiplier, r) ||
      !get_i32(c, "input2_shift|input_2_shift", &p.input2.shift, r) ||
      !get_i32(c, "output_mult|output_multiplier", &p.output.multiplier, r) ||
      !get_i32(c, "output_shift", &p.output.shift, r) ||
      !get_i32(c, "output_offset", &p.output_offset, r) ||
      !get_i32(c, "out_activation_min|activation_min", &p.activation.min, r) ||
      !get_i32(c, "out_activation_max|activation_max", &p.activation.max, r) ||
      !read_binary_case(c, &b, r)) {
    return false;
  }
  int8_t* out = alloc_output(ws, *b.expected, r);
  if (out == nullptr) return false;
  const kernels::Status status =
      kernels::add_s8(p, b.input1_dims, span_i8(*b.input1), b.input2_dims, span_i8(*b.input2),
                      b.output_dims, span_out(out, *b.expected));
  return check_status(status, "add_s8", r) && compare_i8(out, *b.expected, r);
}

}  // namespace tinyexec::golden::family
