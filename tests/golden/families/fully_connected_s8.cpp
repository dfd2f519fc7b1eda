// SPDX-License-Identifier: Apache-2.0
// fully_connected_s8 cases (CMSIS-NN arm_fully_connected_s8 and, with per_channel_quant "true",
// arm_fully_connected_per_channel_s8) -> kernels::fully_connected_s8.
//
// Per-tensor cases carry output_multiplier / output_shift as config scalars; per-channel ones as
// tensors of out_ch values. Some per-tensor files also hold stale per-channel tensors (of
// another case's size), so the config decides: per-channel iff per_channel_quant is true, or it
// is absent and there is no scalar multiplier.
#include <cstring>

#include "common.h"
#include "families.h"
#include "tinyexec/kernels/fully_connected.h"

namespace tinyexec::golden::family {

bool fully_connected_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  kernels::FullyConnectedParams params;
  kernels::FullyConnectedShape shape{};
  if (!get_i32(c, "input_batches|batch_size", &shape.batches, r) ||
      !get_i32(c, "out_ch", &shape.output_depth, r) ||
      !get_i32(c, "input_offset", &params.input_offset, r) ||
      !get_i32_or(c, "filter_offset|weights_offset", 0, &params.filter_offset, r) ||
      !get_i32(c, "output_offset", &params.output_offset, r) ||
      !get_i32(c, "out_activation_min|activation_min", &params.activation.min, r) ||
      !get_i32(c, "out_activation_max|activation_max", &params.activation.max, r)) {
    return false;
  }
  const char* w_type = c.string_config("w_type");
  if (w_type != nullptr && std::strcmp(w_type, "INT8") != 0) {
    return r.fail("w_type '%s' is not supported (int8 weights only)", w_type);
  }
  // The depth a row accumulates over: the whole flattened input pixel (in_ch * w * h).
  if (c.find_config("accumulation_depth") != nullptr) {
    if (!get_i32(c, "accumulation_depth", &shape.input_depth, r)) return false;
  } else {
    int32_t dims[3] = {};
    if (!get_i32(c, "in_ch", &dims[0], r) || !get_i32_or(c, "input_h", 1, &dims[1], r) ||
        !get_i32_or(c, "input_w", 1, &dims[2], r) ||
        !dims_product(dims, 3, "input depth", &shape.input_depth, r)) {
      return false;
    }
  }
  const int32_t in_dims[] = {shape.batches, shape.input_depth};
  const int32_t w_dims[] = {shape.output_depth, shape.input_depth};
  const int32_t out_dims[] = {shape.batches, shape.output_depth};
  int32_t in_count = 0, w_count = 0, out_count = 0;
  if (!dims_product(in_dims, 2, "input", &in_count, r) ||
      !dims_product(w_dims, 2, "weights", &w_count, r) ||
      !dims_product(out_dims, 2, "output", &out_count, r)) {
    return false;
  }

  bool per_channel = false;
  int64_t scalar = 0;
  const bool has_scalar_multiplier = c.int_config("output_multiplier|output_mult", &scalar);
  if (!get_flag_or(c, "per_channel_quant", !has_scalar_multiplier, &per_channel, r)) {
    return false;
  }
  kernels::PerTensorQuant tensor_quant{};
  const TensorView* multipliers = nullptr;
  const TensorView* shifts = nullptr;
  if (per_channel) {
    multipliers =
        need_tensor(c, "output_multiplier|output_mult", DType::kInt32, shape.output_depth, r);
    shifts = multipliers ? need_tensor(c, "output_shift", DType::kInt32, shape.output_depth, r)
                         : nullptr;
    if (shifts == nullptr) return false;
  } else if (!get_i32(c, "output_multiplier|output_mult", &tensor_quant.multiplier, r) ||
             !get_i32(c, "output_shift", &tensor_quant.shift, r)) {
    return false;
  }

  bool bias_ok = false;
  const TensorView* input = need_tensor(c, "input|input_tensor", DType::kInt8, in_count, r);
  const TensorView* weights = need_tensor(c, "weights|filter", DType::kInt8, w_count, r);
  const TensorView* bias =
      optional_tensor(c, "biases|bias", DType::kInt32, shape.output_depth, r, &bias_ok);
  const TensorView* expected = need_tensor(c, kExpectedOutput, DType::kInt8, out_count, r);
  if (!input || !weights || !bias_ok || !expected) return false;

  const int32_t scratch_bytes = kernels::fully_connected_s8_scratch_size(shape);
  void* scratch = alloc_scratch(ws, scratch_bytes, "fully_connected_s8", r);
  int8_t* out = scratch ? alloc_output(ws, *expected, r) : nullptr;
  if (out == nullptr) return false;
  const kernels::Status status =
      per_channel
          ? kernels::fully_connected_s8(
                params, kernels::PerChannelQuant{span_i32(multipliers), span_i32(shifts)}, shape,
                span_i8(*input), span_i8(*weights), span_i32(bias), span_out(out, *expected),
                span_scratch(scratch, scratch_bytes))
          : kernels::fully_connected_s8(params, tensor_quant, shape, span_i8(*input),
                                        span_i8(*weights), span_i32(bias), span_out(out, *expected),
                                        span_scratch(scratch, scratch_bytes));
  return check_status(status, "fully_connected_s8", r) && compare_i8(out, *expected, r);
}

}  // namespace tinyexec::golden::family
