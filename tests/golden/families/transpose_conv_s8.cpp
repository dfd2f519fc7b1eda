// SPDX-License-Identifier: Apache-2.0
// transpose_conv_s8 cases (CMSIS-NN arm_transpose_conv_s8) -> kernels::transpose_conv2d_s8.
// The kernel takes TFLite's padding (the cases' pad_x / pad_y), not the "with offset" values;
// the output size, which the offsets only help CMSIS-NN derive, is in the config.
#include "common.h"
#include "conv_case.h"
#include "families.h"
#include "tinyexec/kernels/transpose_conv.h"

namespace tinyexec::golden::family {

bool transpose_conv_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  ConvCase v{};
  if (!read_conv_case(c, ConvKind::kTranspose, &v, r)) return false;
  if (v.dilation_h != 1 || v.dilation_w != 1) {
    return r.fail("dilation %ldx%ld: transpose convolution supports only 1",
                  static_cast<long>(v.dilation_h), static_cast<long>(v.dilation_w));
  }
  kernels::TransposeConv2dParams params;
  params.stride_h = v.stride_h;
  params.stride_w = v.stride_w;
  params.pad_h = v.pad_h;
  params.pad_w = v.pad_w;
  params.input_offset = v.input_offset;
  params.output_offset = v.output_offset;
  params.activation.min = v.act_min;
  params.activation.max = v.act_max;
  const kernels::Dims4 input_dims{v.batches, v.in_h, v.in_w, v.in_ch};
  const kernels::Dims4 filter_dims{v.out_ch, v.filter_h, v.filter_w, v.in_ch};
  const kernels::Dims4 output_dims{v.batches, v.out_h, v.out_w, v.out_ch};
  const int32_t scratch_bytes =
      kernels::transpose_conv2d_s8_scratch_size(params, input_dims, filter_dims, output_dims);
  void* scratch = alloc_scratch(ws, scratch_bytes, "transpose_conv2d_s8", r);
  int8_t* out = scratch ? alloc_output(ws, *v.expected, r) : nullptr;
  if (out == nullptr) return false;
  const kernels::Status status = kernels::transpose_conv2d_s8(
      params, kernels::PerChannelQuant{span_i32(v.multiplier), span_i32(v.shift)}, input_dims,
      span_i8(*v.input), filter_dims, span_i8(*v.weights), span_i32(v.bias), output_dims,
      span_out(out, *v.expected), span_scratch(scratch, scratch_bytes));
  return check_status(status, "transpose_conv2d_s8", r) && compare_i8(out, *v.expected, r);
}

}  // namespace tinyexec::golden::family
