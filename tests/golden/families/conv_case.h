// SPDX-License-Identifier: Apache-2.0
// The config and tensors shared by the convolution families (regular, 1xN, 1x1, grouped,
// depthwise and transpose convolution): CMSIS-NN's conv test-case layout, read once.
#pragma once

#include <cstdint>

#include "../golden_case.h"
#include "../report.h"

namespace tinyexec::golden {

enum class ConvKind { kRegular, kGrouped, kDepthwise, kTranspose };

struct ConvCase {
  int32_t batches, in_h, in_w, in_ch;
  int32_t out_h, out_w, out_ch;
  int32_t filter_h, filter_w;
  int32_t filter_ch;  // input channels each filter sees: in_ch, in_ch / groups, or 1
  int32_t ch_mult;    // depthwise: out_ch / in_ch; 1 otherwise
  int32_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
  // Transpose convolution: the extra padding at the bottom/right end (TFLite's padding offset:
  // pad_*_with_offset - pad_*); 0 for the others.
  int32_t pad_h_offset, pad_w_offset;
  int32_t input_offset, output_offset, act_min, act_max;
  const TensorView* input;  // int8 NHWC [batches, in_h, in_w, in_ch]
  const TensorView*
      weights;             // int8: OHWI [out_ch, fh, fw, filter_ch]; depthwise [1, fh, fw, out_ch]
  const TensorView* bias;  // int32 [out_ch], or null (a null-bias case)
  const TensorView* multiplier;  // int32 [out_ch]
  const TensorView* shift;       // int32 [out_ch]
  const TensorView* expected;    // int8 NHWC [batches, out_h, out_w, out_ch]
};

// Reads and cross-checks everything (every tensor's element count against the config); on
// failure the report names the key or tensor.
bool read_conv_case(const GoldenCase& c, ConvKind kind, ConvCase* out, Report& r);

// The whole run for the families that map to kernels::conv2d_s8 (kRegular, kGrouped) and
// kernels::depthwise_conv2d_s8 (kDepthwise).
bool run_conv2d(const GoldenCase& c, ConvKind kind, Workspace& ws, Report& r);
bool run_depthwise_conv2d(const GoldenCase& c, Workspace& ws, Report& r);

}  // namespace tinyexec::golden
