// SPDX-License-Identifier: Apache-2.0
// Argument validation of transpose_conv2d_s8 (docs/kernels/conv.md, "Errors"): every call starts
// from one valid argument set, breaks exactly one documented rule and must return the documented
// status without writing anything; valid calls must not write past the output or scratch span.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "tinyexec/kernels/transpose_conv.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

// A valid call: 1x4x4x3 input, 3x3 filter, 5 output channels, stride 2, SAME (1x8x8x5 output,
// pad 0, one column / row cropped after).
struct Args {
  tk::TransposeConv2dParams params{.stride_h = 2,
                                   .stride_w = 2,
                                   .pad_h = 0,
                                   .pad_w = 0,
                                   .input_offset = 3,
                                   .output_offset = -2,
                                   .activation = {}};
  Dims4 input_dims{1, 4, 4, 3};
  Dims4 filter_dims{5, 3, 3, 3};
  Dims4 output_dims{1, 8, 8, 5};
  std::vector<int32_t> bias = std::vector<int32_t>(5, 5);
  std::vector<int32_t> multiplier = std::vector<int32_t>(5, 1 << 30);
  std::vector<int32_t> shift = std::vector<int32_t>(5, -3);
  int64_t input_len = kAuto, filter_len = kAuto, output_len = kAuto;
  int64_t scratch_len = kAuto;  // kAuto: transpose_conv2d_s8_scratch_size()
  bool misalign_scratch = false;
  bool null_input = false, null_filter = false, null_bias = false, null_output = false;
  bool null_multiplier = false, null_shift = false, null_scratch = false;
};

using Case = RuleCase<Args>;

constexpr int64_t kScratchBytes = 4 * 8 * 5;  // one output row of int32 accumulators

const Case kCases[] = {
    {"valid", [](Args&) {}, Status::kOk},
    {"valid_no_bias", [](Args& a) { a.bias.clear(); }, Status::kOk},
    {"valid_valid_padding", [](Args& a) { a.output_dims.h = a.output_dims.w = 9; }, Status::kOk},
    {"valid_output_w_most_cropped", [](Args& a) { a.output_dims.w = 7; }, Status::kOk},
    {"valid_pad_at_max", [](Args& a) { a.params.pad_w = 2, a.output_dims.w = 7; }, Status::kOk},
    {"valid_kernel_smaller_than_stride", [](Args& a) { a.filter_dims.h = a.filter_dims.w = 1; },
     Status::kOk},
    {"valid_offsets_at_lower_bounds",
     [](Args& a) { a.params.input_offset = -127, a.params.output_offset = -128; }, Status::kOk},
    {"valid_offsets_at_upper_bounds",
     [](Args& a) { a.params.input_offset = 128, a.params.output_offset = 127; }, Status::kOk},
    {"valid_quant_at_bounds",
     [](Args& a) {
       a.shift[0] = -31, a.shift[1] = 30, a.multiplier[2] = 0, a.multiplier[3] = INT_MAX;
     },
     Status::kOk},
    {"valid_scratch_larger", [](Args& a) { a.scratch_len = kScratchBytes + 3; }, Status::kOk},
    // kNullPointer
    {"null_input", [](Args& a) { a.null_input = true; }, Status::kNullPointer},
    {"null_filter", [](Args& a) { a.null_filter = true; }, Status::kNullPointer},
    {"null_output", [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    {"null_multiplier", [](Args& a) { a.null_multiplier = true; }, Status::kNullPointer},
    {"null_shift", [](Args& a) { a.null_shift = true; }, Status::kNullPointer},
    {"null_nonempty_bias", [](Args& a) { a.null_bias = true; }, Status::kNullPointer},
    {"null_scratch", [](Args& a) { a.null_scratch = true; }, Status::kNullPointer},
    // kBadShape: dims <= 0
    {"input_n_negative", [](Args& a) { a.input_dims.n = -1; }, Status::kBadShape},
    {"input_h_zero", [](Args& a) { a.input_dims.h = 0; }, Status::kBadShape},
    {"input_c_zero", [](Args& a) { a.input_dims.c = 0; }, Status::kBadShape},
    {"filter_n_zero", [](Args& a) { a.filter_dims.n = 0; }, Status::kBadShape},
    {"filter_h_negative", [](Args& a) { a.filter_dims.h = -3; }, Status::kBadShape},
    {"filter_w_zero", [](Args& a) { a.filter_dims.w = 0; }, Status::kBadShape},
    {"output_w_zero", [](Args& a) { a.output_dims.w = 0; }, Status::kBadShape},
    {"output_c_negative", [](Args& a) { a.output_dims.c = -5; }, Status::kBadShape},
    // kBadShape: inconsistent shapes
    {"filter_c_not_input_c", [](Args& a) { a.filter_dims.c = 2; }, Status::kBadShape},
    {"output_n_not_input_n", [](Args& a) { a.output_dims.n = 2; }, Status::kBadShape},
    {"output_c_not_filter_n", [](Args& a) { a.output_dims.c = 4; }, Status::kBadShape},
    {"output_h_too_large", [](Args& a) { a.output_dims.h = 10; }, Status::kBadShape},
    {"output_h_too_small", [](Args& a) { a.output_dims.h = 6; }, Status::kBadShape},
    {"output_w_too_large", [](Args& a) { a.output_dims.w = 10; }, Status::kBadShape},
    {"output_w_too_small", [](Args& a) { a.output_dims.w = 4; }, Status::kBadShape},
    {"kernel_smaller_than_stride_output_too_large",
     [](Args& a) { a.filter_dims.h = a.filter_dims.w = 1, a.output_dims.h = 9; },
     Status::kBadShape},
    // kBadParam
    {"stride_h_zero", [](Args& a) { a.params.stride_h = 0; }, Status::kBadParam},
    {"stride_w_negative", [](Args& a) { a.params.stride_w = -1; }, Status::kBadParam},
    {"pad_h_negative", [](Args& a) { a.params.pad_h = -1; }, Status::kBadParam},
    {"pad_w_too_large", [](Args& a) { a.params.pad_w = 3; }, Status::kBadParam},
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
    {"multiplier_negative", [](Args& a) { a.multiplier[4] = -1; }, Status::kBadParam},
    {"shift_too_large", [](Args& a) { a.shift[4] = 31; }, Status::kBadParam},
    {"shift_too_small", [](Args& a) { a.shift[0] = -32; }, Status::kBadParam},
    {"scratch_misaligned", [](Args& a) { a.misalign_scratch = true; }, Status::kBadParam},
    // kBufferTooSmall
    {"multiplier_short", [](Args& a) { a.multiplier.pop_back(); }, Status::kBufferTooSmall},
    {"shift_short", [](Args& a) { a.shift.pop_back(); }, Status::kBufferTooSmall},
    {"bias_short", [](Args& a) { a.bias.pop_back(); }, Status::kBufferTooSmall},
    {"input_short", [](Args& a) { a.input_len = 4 * 4 * 3 - 1; }, Status::kBufferTooSmall},
    {"filter_short", [](Args& a) { a.filter_len = 5 * 3 * 3 * 3 - 1; }, Status::kBufferTooSmall},
    {"output_short", [](Args& a) { a.output_len = 8 * 8 * 5 - 1; }, Status::kBufferTooSmall},
    // kScratchTooSmall
    {"scratch_short", [](Args& a) { a.scratch_len = kScratchBytes - 1; }, Status::kScratchTooSmall},
    {"scratch_empty", [](Args& a) { a.scratch_len = 0; }, Status::kScratchTooSmall},
    // kOverflow
    {"element_count_overflow", [](Args& a) { a.input_dims.n = a.output_dims.n = INT_MAX; },
     Status::kOverflow},
    {"input_w_overflow", [](Args& a) { a.input_dims.w = INT_MAX; }, Status::kOverflow},
    {"stride_w_overflow", [](Args& a) { a.params.stride_w = INT_MAX; }, Status::kOverflow},
};

// Runs transpose_conv2d_s8_check and transpose_conv2d_s8 (or the check only) on the arguments
// `a` describes.
Status CallWith(const Args& a, Call call) {
  const std::vector<int8_t> input = Pattern(Length(a.input_len, a.input_dims));
  const std::vector<int8_t> filter = Pattern(Length(a.filter_len, a.filter_dims));
  Guarded<int8_t> output(Length(a.output_len, a.output_dims));
  const size_t scratch_len = a.scratch_len != kAuto
                                 ? static_cast<size_t>(a.scratch_len)
                                 : static_cast<size_t>(tk::transpose_conv2d_s8_scratch_size(
                                       a.params, a.input_dims, a.filter_dims, a.output_dims));
  // A misaligned scratch span starts one byte into a buffer one byte larger.
  Guarded<int8_t> scratch(scratch_len + (a.misalign_scratch ? 1 : 0));
  Span<int8_t> scratch_span = scratch.span(a.null_scratch);
  if (a.misalign_scratch) scratch_span = {scratch_span.data() + 1, scratch_len};
  const tk::PerChannelQuant quant{ConstSpan(a.multiplier, a.null_multiplier),
                                  ConstSpan(a.shift, a.null_shift)};
  const Status status = CallKernel(
      call, KV_KERNEL(transpose_conv2d_s8),
      std::make_tuple(a.params, quant, a.input_dims, ConstSpan(input, a.null_input), a.filter_dims,
                      ConstSpan(filter, a.null_filter), ConstSpan(a.bias, a.null_bias),
                      a.output_dims, output.span(a.null_output), scratch_span),
      output, scratch);
  ExpectNoStrayWrites(status, output, "the output");
  ExpectNoStrayWrites(status, scratch, "the scratch");
  return status;
}

class KernelValidationTransposeConv : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationTransposeConv, Rule) {
  Args a;
  GetParam().mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, Call::kCheckThenKernel)),
               tk::status_name(GetParam().expected));
}

// What a loader relies on: the check alone accepts a valid call and writes neither the output
// nor the scratch.
TEST_F(KernelValidationTransposeConv, CheckAcceptsValidCallWithoutWriting) {
  EXPECT_EQ(CallWith(Args(), Call::kCheckOnly), Status::kOk);
}

// 4 * OW * C_out bytes; 0 for invalid or overflowing dims (the kernel then reports the error).
TEST_F(KernelValidationTransposeConv, ScratchSize) {
  Args a;
  EXPECT_EQ(
      tk::transpose_conv2d_s8_scratch_size(a.params, a.input_dims, a.filter_dims, a.output_dims),
      kScratchBytes);
  a.output_dims.c = 0;
  EXPECT_EQ(
      tk::transpose_conv2d_s8_scratch_size(a.params, a.input_dims, a.filter_dims, a.output_dims),
      0);
  a.output_dims.c = 5, a.output_dims.w = 1 << 28;  // 4 * OW * C_out > INT32_MAX
  EXPECT_EQ(
      tk::transpose_conv2d_s8_scratch_size(a.params, a.input_dims, a.filter_dims, a.output_dims),
      0);
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationTransposeConv, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
