// SPDX-License-Identifier: Apache-2.0
// Argument validation of depthwise_conv2d_s8 (docs/kernels/conv.md, "Errors"): every call starts
// from one valid argument set, breaks exactly one documented rule and must return the documented
// status without writing anything; valid calls must not write past the output span.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "tinyexec/kernels/depthwise_conv.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

// A valid call: 1x5x5x3 input, depth multiplier 2 (6 output channels), 3x3 filter, stride 1,
// SAME padding (pad 1).
struct Args {
  tk::Conv2dParams params{
      .pad_h = 1, .pad_w = 1, .input_offset = 3, .output_offset = -2, .activation = {}};
  Dims4 input_dims{1, 5, 5, 3};
  Dims4 filter_dims{1, 3, 3, 6};
  Dims4 output_dims{1, 5, 5, 6};
  std::vector<int32_t> bias = std::vector<int32_t>(6, 5);
  std::vector<int32_t> multiplier = std::vector<int32_t>(6, 1 << 30);
  std::vector<int32_t> shift = std::vector<int32_t>(6, -3);
  int64_t input_len = kAuto, filter_len = kAuto, output_len = kAuto;
  bool null_input = false, null_filter = false, null_bias = false, null_output = false;
  bool null_multiplier = false, null_shift = false;
  int32_t scratch_delta = 0;  // bytes more (or less) than the kernel's scratch size
  bool null_scratch = false;
};

using Case = RuleCase<Args>;

const Case kCases[] = {
    {"valid", [](Args&) {}, Status::kOk},
    {"valid_no_bias", [](Args& a) { a.bias.clear(); }, Status::kOk},
    {"valid_multiplier_1", [](Args& a) { a.input_dims.c = 6; }, Status::kOk},
    {"valid_offsets_at_lower_bounds",
     [](Args& a) { a.params.input_offset = -127, a.params.output_offset = -128; }, Status::kOk},
    {"valid_offsets_at_upper_bounds",
     [](Args& a) { a.params.input_offset = 128, a.params.output_offset = 127; }, Status::kOk},
    {"valid_quant_at_bounds",
     [](Args& a) {
       a.shift[0] = -31, a.shift[1] = 30, a.multiplier[2] = 0, a.multiplier[3] = INT_MAX;
     },
     Status::kOk},
    {"valid_pad_at_max_dilated", [](Args& a) { a.params.dilation_w = 2, a.params.pad_w = 4; },
     Status::kOk},
    {"valid_output_h_largest", [](Args& a) { a.output_dims.h = 6; }, Status::kOk},
    {"valid_stride2_output_w_smallest", [](Args& a) { a.params.stride_w = 2, a.output_dims.w = 2; },
     Status::kOk},
    // kNullPointer
    {"null_input", [](Args& a) { a.null_input = true; }, Status::kNullPointer},
    {"null_filter", [](Args& a) { a.null_filter = true; }, Status::kNullPointer},
    {"null_output", [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    {"null_multiplier", [](Args& a) { a.null_multiplier = true; }, Status::kNullPointer},
    {"null_shift", [](Args& a) { a.null_shift = true; }, Status::kNullPointer},
    {"null_nonempty_bias", [](Args& a) { a.null_bias = true; }, Status::kNullPointer},
    // kBadShape: dims <= 0
    {"input_n_zero", [](Args& a) { a.input_dims.n = 0; }, Status::kBadShape},
    {"input_h_negative", [](Args& a) { a.input_dims.h = -5; }, Status::kBadShape},
    {"input_w_zero", [](Args& a) { a.input_dims.w = 0; }, Status::kBadShape},
    {"input_c_zero", [](Args& a) { a.input_dims.c = 0; }, Status::kBadShape},
    {"filter_h_zero", [](Args& a) { a.filter_dims.h = 0; }, Status::kBadShape},
    {"filter_w_negative", [](Args& a) { a.filter_dims.w = -3; }, Status::kBadShape},
    {"filter_c_zero", [](Args& a) { a.filter_dims.c = 0; }, Status::kBadShape},
    {"output_n_zero", [](Args& a) { a.output_dims.n = 0; }, Status::kBadShape},
    {"output_h_zero", [](Args& a) { a.output_dims.h = 0; }, Status::kBadShape},
    {"output_w_negative", [](Args& a) { a.output_dims.w = -5; }, Status::kBadShape},
    {"output_c_zero", [](Args& a) { a.output_dims.c = 0; }, Status::kBadShape},
    // kBadShape: inconsistent shapes
    {"filter_n_not_1", [](Args& a) { a.filter_dims.n = 2; }, Status::kBadShape},
    {"filter_c_not_output_c", [](Args& a) { a.filter_dims.c = 3; }, Status::kBadShape},
    {"output_n_not_input_n", [](Args& a) { a.output_dims.n = 2; }, Status::kBadShape},
    {"output_c_not_multiple_of_input_c", [](Args& a) { a.filter_dims.c = a.output_dims.c = 7; },
     Status::kBadShape},
    {"output_c_below_input_c", [](Args& a) { a.input_dims.c = 12; }, Status::kBadShape},
    {"output_h_too_large", [](Args& a) { a.output_dims.h = 7; }, Status::kBadShape},
    {"output_h_too_small", [](Args& a) { a.output_dims.h = 3; }, Status::kBadShape},
    {"output_w_too_large", [](Args& a) { a.output_dims.w = 9; }, Status::kBadShape},
    {"output_w_too_small", [](Args& a) { a.output_dims.w = 3; }, Status::kBadShape},
    // kBadParam
    {"stride_h_zero", [](Args& a) { a.params.stride_h = 0; }, Status::kBadParam},
    {"stride_w_negative", [](Args& a) { a.params.stride_w = -1; }, Status::kBadParam},
    {"dilation_h_negative", [](Args& a) { a.params.dilation_h = -1; }, Status::kBadParam},
    {"dilation_w_zero", [](Args& a) { a.params.dilation_w = 0; }, Status::kBadParam},
    {"pad_h_too_large", [](Args& a) { a.params.pad_h = 3; }, Status::kBadParam},
    {"pad_w_negative", [](Args& a) { a.params.pad_w = -1; }, Status::kBadParam},
    {"input_offset_too_small", [](Args& a) { a.params.input_offset = -128; }, Status::kBadParam},
    {"input_offset_too_large", [](Args& a) { a.params.input_offset = 129; }, Status::kBadParam},
    {"output_offset_too_small", [](Args& a) { a.params.output_offset = -129; }, Status::kBadParam},
    {"output_offset_too_large", [](Args& a) { a.params.output_offset = 128; }, Status::kBadParam},
    {"activation_min_above_max",
     [](Args& a) {
       a.params.activation = {10, 5};
     },
     Status::kBadParam},
    {"activation_min_below_int8", [](Args& a) { a.params.activation.min = -129; },
     Status::kBadParam},
    {"activation_max_above_int8", [](Args& a) { a.params.activation.max = 128; },
     Status::kBadParam},
    {"multiplier_negative", [](Args& a) { a.multiplier[5] = -1; }, Status::kBadParam},
    {"shift_too_large", [](Args& a) { a.shift[5] = 31; }, Status::kBadParam},
    {"shift_too_small", [](Args& a) { a.shift[0] = -32; }, Status::kBadParam},
    // kBufferTooSmall
    {"multiplier_short", [](Args& a) { a.multiplier.pop_back(); }, Status::kBufferTooSmall},
    {"shift_short", [](Args& a) { a.shift.pop_back(); }, Status::kBufferTooSmall},
    {"bias_short", [](Args& a) { a.bias.pop_back(); }, Status::kBufferTooSmall},
    {"input_short", [](Args& a) { a.input_len = 5 * 5 * 3 - 1; }, Status::kBufferTooSmall},
    {"filter_short", [](Args& a) { a.filter_len = 3 * 3 * 6 - 1; }, Status::kBufferTooSmall},
    {"output_short", [](Args& a) { a.output_len = 5 * 5 * 6 - 1; }, Status::kBufferTooSmall},
    {"scratch_short", [](Args& a) { a.scratch_delta = -1; }, Status::kScratchTooSmall},
    {"scratch_empty", [](Args& a) { a.scratch_delta = -100000; }, Status::kScratchTooSmall},
    {"null_scratch", [](Args& a) { a.null_scratch = true; }, Status::kNullPointer},
    {"valid_scratch_larger", [](Args& a) { a.scratch_delta = 3; }, Status::kOk},
    // kOverflow
    {"element_count_overflow", [](Args& a) { a.input_dims.n = a.output_dims.n = INT_MAX; },
     Status::kOverflow},
    {"input_h_overflow", [](Args& a) { a.input_dims.h = INT_MAX; }, Status::kOverflow},
    {"stride_h_overflow", [](Args& a) { a.params.stride_h = INT_MAX; }, Status::kOverflow},
    {"dilation_w_overflow", [](Args& a) { a.params.dilation_w = INT_MAX; }, Status::kOverflow},
};

// Runs depthwise_conv2d_s8_check and depthwise_conv2d_s8 (or the check only) on the arguments
// `a` describes.
Status CallWith(const Args& a, Call call) {
  const std::vector<int8_t> input = Pattern(Length(a.input_len, a.input_dims));
  const std::vector<int8_t> filter = Pattern(Length(a.filter_len, a.filter_dims));
  Guarded<int8_t> output(Length(a.output_len, a.output_dims));
  const int32_t scratch_bytes =
      tk::depthwise_conv2d_s8_scratch_size(a.params, a.input_dims, a.filter_dims, a.output_dims);
  Guarded<int8_t> scratch(
      static_cast<size_t>(std::max<int32_t>(scratch_bytes + a.scratch_delta, 0)));
  const tk::PerChannelQuant quant{ConstSpan(a.multiplier, a.null_multiplier),
                                  ConstSpan(a.shift, a.null_shift)};
  const Status status = CallKernel(
      call, KV_KERNEL(depthwise_conv2d_s8),
      std::make_tuple(a.params, quant, a.input_dims, ConstSpan(input, a.null_input), a.filter_dims,
                      ConstSpan(filter, a.null_filter), ConstSpan(a.bias, a.null_bias),
                      a.output_dims, output.span(a.null_output), scratch.span(a.null_scratch)),
      output, scratch);
  ExpectNoStrayWrites(status, output, "the output");
  ExpectNoStrayWrites(status, scratch, "the scratch");
  return status;
}

class KernelValidationDepthwiseConv : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationDepthwiseConv, Rule) {
  Args a;
  GetParam().mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, Call::kCheckThenKernel)),
               tk::status_name(GetParam().expected));
}

// What a loader relies on: the check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationDepthwiseConv, CheckAcceptsValidCallWithoutWriting) {
  EXPECT_EQ(CallWith(Args(), Call::kCheckOnly), Status::kOk);
}

// The scratch size is the same on every target (docs/kernels/conv.md): with the channels
// rounded up to 16, (2 * taps + 26) bytes per channel, then 4 per tap and 32 more.
TEST_F(KernelValidationDepthwiseConv, ScratchSize) {
  const Args a;  // 3x3 taps, 6 channels
  EXPECT_EQ(
      tk::depthwise_conv2d_s8_scratch_size(a.params, a.input_dims, a.filter_dims, a.output_dims),
      16 * (2 * 9 + 26) + 4 * 9 + 32);
  Dims4 f = a.filter_dims;
  f.h = INT_MAX;
  EXPECT_EQ(tk::depthwise_conv2d_s8_scratch_size(a.params, a.input_dims, f, a.output_dims), 0);
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationDepthwiseConv, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
