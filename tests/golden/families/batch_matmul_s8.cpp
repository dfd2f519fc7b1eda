// SPDX-License-Identifier: Apache-2.0
// batch_matmul_s8 cases (CMSIS-NN arm_batch_matmul_s8) -> kernels::batch_matmul_s8.
//
// The kernel takes lhs as [.., rows, depth] and rhs transposed, [.., cols, depth]. The cases
// give each operand as TFLite saw it (*_input_tensor, shaped by the config's *_rows/*_cols) and
// transposed (*_transposed_tensor), and the adj flags say which one has the kernel's layout,
// exactly as CMSIS-NN's own test picks them: lhs is the input for adj_x = 0 and the transposed
// copy for adj_x = 1; rhs is the transposed copy for adj_y = 0 and the input for adj_y = 1.
#include "common.h"
#include "families.h"
#include "tinyexec/kernels/batch_matmul.h"

namespace tinyexec::golden::family {

bool batch_matmul_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  int32_t lhs_b = 0, lhs_h = 0, lhs_rows = 0, lhs_cols = 0;
  int32_t rhs_b = 0, rhs_h = 0, rhs_rows = 0, rhs_cols = 0;
  kernels::Dims4 out_dims{};
  bool adj_x = false, adj_y = false;
  kernels::BatchMatmulParams params;
  kernels::PerTensorQuant quant{};
  if (!get_i32(c, "lhs_batch", &lhs_b, r) || !get_i32(c, "lhs_height", &lhs_h, r) ||
      !get_i32(c, "lhs_rows", &lhs_rows, r) || !get_i32(c, "lhs_cols", &lhs_cols, r) ||
      !get_i32(c, "rhs_batch", &rhs_b, r) || !get_i32(c, "rhs_height", &rhs_h, r) ||
      !get_i32(c, "rhs_rows", &rhs_rows, r) || !get_i32(c, "rhs_cols", &rhs_cols, r) ||
      !get_i32(c, "output_batch", &out_dims.n, r) || !get_i32(c, "output_height", &out_dims.h, r) ||
      !get_i32(c, "output_rows", &out_dims.w, r) || !get_i32(c, "output_cols", &out_dims.c, r) ||
      !get_flag_or(c, "adj_x", false, &adj_x, r) || !get_flag_or(c, "adj_y", false, &adj_y, r) ||
      !get_i32(c, "lhs_offset", &params.lhs_offset, r) ||
      !get_i32(c, "rhs_offset", &params.rhs_offset, r) ||
      !get_i32(c, "output_offset", &params.output_offset, r) ||
      !get_i32(c, "activation_min|out_activation_min", &params.activation.min, r) ||
      !get_i32(c, "activation_max|out_activation_max", &params.activation.max, r) ||
      !get_i32(c, "output_multiplier|output_mult", &quant.multiplier, r) ||
      !get_i32(c, "output_shift", &quant.shift, r)) {
    return false;
  }
  bool asymmetric = false;
  if (!get_flag_or(c, "asymmetric_quantize_inputs", false, &asymmetric, r)) return false;
  if (asymmetric) return r.fail("asymmetric_quantize_inputs (hybrid) cases are not supported");

  const kernels::Dims4 lhs_dims{lhs_b, lhs_h, adj_x ? lhs_cols : lhs_rows,
                                adj_x ? lhs_rows : lhs_cols};
  const kernels::Dims4 rhs_dims{rhs_b, rhs_h, adj_y ? rhs_rows : rhs_cols,
                                adj_y ? rhs_cols : rhs_rows};
  const int32_t l[] = {lhs_dims.n, lhs_dims.h, lhs_dims.w, lhs_dims.c};
  const int32_t rr[] = {rhs_dims.n, rhs_dims.h, rhs_dims.w, rhs_dims.c};
  const int32_t o[] = {out_dims.n, out_dims.h, out_dims.w, out_dims.c};
  int32_t lhs_count = 0, rhs_count = 0, out_count = 0, stated = 0;
  if (!dims_product(l, 4, "lhs", &lhs_count, r) || !dims_product(rr, 4, "rhs", &rhs_count, r) ||
      !dims_product(o, 4, "output", &out_count, r) ||
      !get_i32_or(c, "dst_size", out_count, &stated, r)) {
    return false;
  }
  if (stated != out_count) {
    return r.fail("dst_size %ld disagrees with the output dims (%ld elements)",
                  static_cast<long>(stated), static_cast<long>(out_count));
  }
  const TensorView* lhs =
      need_tensor(c, adj_x ? "lhs_transposed_tensor" : "lhs_input_tensor|lhs_input|lhs",
                  DType::kInt8, lhs_count, r);
  const TensorView* rhs =
      need_tensor(c, adj_y ? "rhs_input_tensor|rhs_input|rhs" : "rhs_transposed_tensor",
                  DType::kInt8, rhs_count, r);
  const TensorView* expected = need_tensor(c, kExpectedOutput, DType::kInt8, out_count, r);
  if (!lhs || !rhs || !expected) return false;

  const int32_t scratch_bytes = kernels::batch_matmul_s8_scratch_size(lhs_dims, rhs_dims, out_dims);
  void* scratch = alloc_scratch(ws, scratch_bytes, "batch_matmul_s8", r);
  int8_t* out = scratch ? alloc_output(ws, *expected, r) : nullptr;
  if (out == nullptr) return false;
  const kernels::Status status = kernels::batch_matmul_s8(
      params, quant, lhs_dims, span_i8(*lhs), rhs_dims, span_i8(*rhs), out_dims,
      span_out(out, *expected), span_scratch(scratch, scratch_bytes));
  return check_status(status, "batch_matmul_s8", r) && compare_i8(out, *expected, r);
}

}  // namespace tinyexec::golden::family
