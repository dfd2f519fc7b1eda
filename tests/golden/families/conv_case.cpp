// SPDX-License-Identifier: Apache-2.0
#include "conv_case.h"

#include "common.h"
#include "tinyexec/kernels/conv.h"
#include "tinyexec/kernels/depthwise_conv.h"

namespace tinyexec::golden {
namespace {

kernels::Conv2dParams conv_params(const ConvCase& v) {
  kernels::Conv2dParams p;
  p.stride_h = v.stride_h;
  p.stride_w = v.stride_w;
  p.pad_h = v.pad_h;
  p.pad_w = v.pad_w;
  p.dilation_h = v.dilation_h;
  p.dilation_w = v.dilation_w;
  p.input_offset = v.input_offset;
  p.output_offset = v.output_offset;
  p.activation.min = v.act_min;
  p.activation.max = v.act_max;
  return p;
}

}  // namespace

bool read_conv_case(const GoldenCase& c, ConvKind kind, ConvCase* out, Report& r) {
  ConvCase& v = *out;
  // Dilation is absent from cases generated before CMSIS-NN supported it: 1 then.
  if (!get_i32(c, "input_batches|batch_size", &v.batches, r) ||
      !get_i32(c, "input_h", &v.in_h, r) || !get_i32(c, "input_w", &v.in_w, r) ||
      !get_i32(c, "in_ch", &v.in_ch, r) || !get_i32(c, "output_h", &v.out_h, r) ||
      !get_i32(c, "output_w", &v.out_w, r) || !get_i32(c, "out_ch", &v.out_ch, r) ||
      !get_i32(c, "filter_y", &v.filter_h, r) || !get_i32(c, "filter_x", &v.filter_w, r) ||
      !get_i32(c, "stride_y", &v.stride_h, r) || !get_i32(c, "stride_x", &v.stride_w, r) ||
      !get_i32(c, "pad_y", &v.pad_h, r) || !get_i32(c, "pad_x", &v.pad_w, r) ||
      !get_i32_or(c, "dilation_y", 1, &v.dilation_h, r) ||
      !get_i32_or(c, "dilation_x", 1, &v.dilation_w, r) ||
      !get_i32(c, "input_offset", &v.input_offset, r) ||
      !get_i32(c, "output_offset", &v.output_offset, r) ||
      !get_i32(c, "out_activation_min|activation_min", &v.act_min, r) ||
      !get_i32(c, "out_activation_max|activation_max", &v.act_max, r)) {
    return false;
  }

  v.filter_ch = v.in_ch;
  v.ch_mult = 1;
  v.pad_h_offset = 0;
  v.pad_w_offset = 0;
  switch (kind) {
    case ConvKind::kRegular:
    case ConvKind::kGrouped:
      // filter_ch < in_ch makes a grouped convolution; a plain case may state it too.
      if (!get_i32_or(c, "filter_ch", v.in_ch, &v.filter_ch, r)) return false;
      if (v.filter_ch <= 0 || v.in_ch % v.filter_ch != 0 ||
          v.out_ch % (v.in_ch / v.filter_ch) != 0) {
        return r.fail("filter_ch %ld does not split in_ch %ld / out_ch %ld into groups",
                      static_cast<long>(v.filter_ch), static_cast<long>(v.in_ch),
                      static_cast<long>(v.out_ch));
      }
      break;
    case ConvKind::kDepthwise: {
      if (v.in_ch <= 0 || v.out_ch % v.in_ch != 0) {
        return r.fail("out_ch %ld is not a multiple of in_ch %ld", static_cast<long>(v.out_ch),
                      static_cast<long>(v.in_ch));
      }
      if (!get_i32_or(c, "ch_mult", v.out_ch / v.in_ch, &v.ch_mult, r)) return false;
      if (static_cast<int64_t>(v.ch_mult) * v.in_ch != v.out_ch) {
        return r.fail("ch_mult %ld x in_ch %ld != out_ch %ld", static_cast<long>(v.ch_mult),
                      static_cast<long>(v.in_ch), static_cast<long>(v.out_ch));
      }
      v.filter_ch = 1;
      break;
    }
    case ConvKind::kTranspose: {
      int32_t with_offset_h = 0, with_offset_w = 0;
      if (!get_i32_or(c, "pad_y_with_offset", v.pad_h, &with_offset_h, r) ||
          !get_i32_or(c, "pad_x_with_offset", v.pad_w, &with_offset_w, r)) {
        return false;
      }
      v.pad_h_offset = with_offset_h - v.pad_h;
      v.pad_w_offset = with_offset_w - v.pad_w;
      break;
    }
  }

  const int32_t in_dims[] = {v.batches, v.in_h, v.in_w, v.in_ch};
  const int32_t out_dims[] = {v.batches, v.out_h, v.out_w, v.out_ch};
  const int32_t weight_dims[] = {kind == ConvKind::kDepthwise ? 1 : v.out_ch, v.filter_h,
                                 v.filter_w, kind == ConvKind::kDepthwise ? v.out_ch : v.filter_ch};
  int32_t in_count = 0, out_count = 0, weight_count = 0;
  if (!dims_product(in_dims, 4, "input", &in_count, r) ||
      !dims_product(out_dims, 4, "output", &out_count, r) ||
      !dims_product(weight_dims, 4, "weights", &weight_count, r)) {
    return false;
  }
  bool bias_ok = false;
  v.input = need_tensor(c, "input|input_tensor", DType::kInt8, in_count, r);
  v.weights = v.input ? need_tensor(c, "weights|filter", DType::kInt8, weight_count, r) : nullptr;
  v.bias = optional_tensor(c, "biases|bias", DType::kInt32, v.out_ch, r, &bias_ok);
  v.multiplier = need_tensor(c, "output_mult|output_multiplier", DType::kInt32, v.out_ch, r);
  v.shift = need_tensor(c, "output_shift", DType::kInt32, v.out_ch, r);
  v.expected = need_tensor(c, kExpectedOutput, DType::kInt8, out_count, r);
  return v.input && v.weights && bias_ok && v.multiplier && v.shift && v.expected;
}

bool run_conv2d(const GoldenCase& c, ConvKind kind, Workspace& ws, Report& r) {
  ConvCase v{};
  if (!read_conv_case(c, kind, &v, r)) return false;
  const kernels::Conv2dParams params = conv_params(v);
  const kernels::Dims4 input_dims{v.batches, v.in_h, v.in_w, v.in_ch};
  const kernels::Dims4 filter_dims{v.out_ch, v.filter_h, v.filter_w, v.filter_ch};
  const kernels::Dims4 output_dims{v.batches, v.out_h, v.out_w, v.out_ch};
  const int32_t scratch_bytes =
      kernels::conv2d_s8_scratch_size(params, input_dims, filter_dims, output_dims);
  void* scratch = alloc_scratch(ws, scratch_bytes, "conv2d_s8", r);
  int8_t* out = scratch ? alloc_output(ws, *v.expected, r) : nullptr;
  if (out == nullptr) return false;
  const kernels::Status status = kernels::conv2d_s8(
      params, kernels::PerChannelQuant{span_i32(v.multiplier), span_i32(v.shift)}, input_dims,
      span_i8(*v.input), filter_dims, span_i8(*v.weights), span_i32(v.bias), output_dims,
      span_out(out, *v.expected), span_scratch(scratch, scratch_bytes));
  return check_status(status, "conv2d_s8", r) && compare_i8(out, *v.expected, r);
}

bool run_depthwise_conv2d(const GoldenCase& c, Workspace& ws, Report& r) {
  ConvCase v{};
  if (!read_conv_case(c, ConvKind::kDepthwise, &v, r)) return false;
  const kernels::Conv2dParams params = conv_params(v);
  const kernels::Dims4 input_dims{v.batches, v.in_h, v.in_w, v.in_ch};
  const kernels::Dims4 filter_dims{1, v.filter_h, v.filter_w, v.out_ch};
  const kernels::Dims4 output_dims{v.batches, v.out_h, v.out_w, v.out_ch};
  const int32_t scratch_bytes =
      kernels::depthwise_conv2d_s8_scratch_size(params, input_dims, filter_dims, output_dims);
  void* scratch = alloc_scratch(ws, scratch_bytes, "depthwise_conv2d_s8", r);
  int8_t* out = scratch ? alloc_output(ws, *v.expected, r) : nullptr;
  if (out == nullptr) return false;
  const kernels::Status status = kernels::depthwise_conv2d_s8(
      params, kernels::PerChannelQuant{span_i32(v.multiplier), span_i32(v.shift)}, input_dims,
      span_i8(*v.input), filter_dims, span_i8(*v.weights), span_i32(v.bias), output_dims,
      span_out(out, *v.expected), span_scratch(scratch, scratch_bytes));
  return check_status(status, "depthwise_conv2d_s8", r) && compare_i8(out, *v.expected, r);
}

}  // namespace tinyexec::golden
