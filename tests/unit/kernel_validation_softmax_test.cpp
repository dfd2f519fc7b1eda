// SPDX-License-Identifier: Apache-2.0
// Argument validation of softmax_s8 (docs/kernels/softmax.md, "Errors"): every call starts from
// one valid argument set, breaks exactly one documented rule and must return the documented
// status without writing anything; valid calls must not write past the output span.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "tinyexec/kernels/softmax.h"
#include "tinyexec/kernels/types.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

// A valid call: 2 rows of 5, parameters TFLite derives for beta 1 and input scale 1/16.
struct Args {
  tk::SoftmaxParams params{
      .input_multiplier = 1077952640, .input_left_shift = 19, .diff_min = -3968};
  int32_t num_rows = 2;
  int32_t row_size = 5;
  int64_t input_len = kAuto, output_len = kAuto;  // kAuto: num_rows * row_size (1 if invalid)
  bool null_input = false, null_output = false;
  bool in_place = false;  // the output buffer is the input too (allowed)
};

size_t Length(int64_t len, const Args& a) {
  if (len != kAuto) return static_cast<size_t>(len);
  int32_t count = 0;
  return tk::checked_mul(a.num_rows, a.row_size, &count) && count > 0 ? count : 1;
}

using Case = RuleCase<Args>;

// No scratch: no kScratchTooSmall case.
const Case kCases[] = {
    {"valid", [](Args&) {}, Status::kOk},
    {"valid_in_place", [](Args& a) { a.in_place = true; }, Status::kOk},
    {"valid_row_size_at_limit", [](Args& a) { a.row_size = 4095; }, Status::kOk},
    {"valid_zero_params",
     [](Args& a) {
       a.params = {0, 0, 0};
     },
     Status::kOk},
    {"valid_largest_params",
     [](Args& a) {
       a.params = {INT_MAX, 31, -1};
     },
     Status::kOk},
    {"valid_diff_min_scaled_to_int32_min", [](Args& a) { a.params.diff_min = -4096; }, Status::kOk},
    // kNullPointer
    {"null_input", [](Args& a) { a.null_input = true; }, Status::kNullPointer},
    {"null_output", [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    // kBadShape
    {"num_rows_zero", [](Args& a) { a.num_rows = 0; }, Status::kBadShape},
    {"num_rows_negative", [](Args& a) { a.num_rows = -2; }, Status::kBadShape},
    {"row_size_zero", [](Args& a) { a.row_size = 0; }, Status::kBadShape},
    {"row_size_negative", [](Args& a) { a.row_size = -5; }, Status::kBadShape},
    // kBadParam
    {"multiplier_negative", [](Args& a) { a.params.input_multiplier = -1; }, Status::kBadParam},
    {"left_shift_negative", [](Args& a) { a.params.input_left_shift = -1; }, Status::kBadParam},
    {"left_shift_too_large", [](Args& a) { a.params.input_left_shift = 32; }, Status::kBadParam},
    {"diff_min_positive", [](Args& a) { a.params.diff_min = 1; }, Status::kBadParam},
    {"diff_min_scaled_overflows", [](Args& a) { a.params.diff_min = -4097; }, Status::kBadParam},
    {"diff_min_scaled_overflows_shift_31",
     [](Args& a) {
       a.params = {1 << 30, 31, -2};
     },
     Status::kBadParam},
    // kUnsupported
    {"row_size_above_limit", [](Args& a) { a.row_size = 4096; }, Status::kUnsupported},
    // kOverflow
    {"element_count_overflow", [](Args& a) { a.num_rows = 1 << 20, a.row_size = 4095; },
     Status::kOverflow},
    // kBufferTooSmall
    {"input_short", [](Args& a) { a.input_len = 2 * 5 - 1; }, Status::kBufferTooSmall},
    {"output_short", [](Args& a) { a.output_len = 2 * 5 - 1; }, Status::kBufferTooSmall},
};

// Runs softmax_s8_check and softmax_s8 (or the check only) on the arguments `a` describes.
Status CallWith(const Args& a, Call call) {
  const std::vector<int8_t> input = Pattern(Length(a.input_len, a));
  Guarded<int8_t> output(Length(a.output_len, a));
  const Span<int8_t> out = output.span(a.null_output);
  const Span<const int8_t> in =
      a.in_place ? Span<const int8_t>(out) : ConstSpan(input, a.null_input);
  const Status status =
      CallKernel(call, KV_KERNEL(softmax_s8),
                 std::make_tuple(a.params, a.num_rows, a.row_size, in, out), output);
  ExpectNoStrayWrites(status, output, "the output");
  return status;
}

class KernelValidationSoftmax : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationSoftmax, Rule) {
  Args a;
  GetParam().mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, Call::kCheckThenKernel)),
               tk::status_name(GetParam().expected));
}

// What a loader relies on: the check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationSoftmax, CheckAcceptsValidCallWithoutWriting) {
  EXPECT_EQ(CallWith(Args(), Call::kCheckOnly), Status::kOk);
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationSoftmax, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
