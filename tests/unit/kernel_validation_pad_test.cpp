// SPDX-License-Identifier: Apache-2.0
// Argument validation of pad_s8 (docs/kernels/layout.md): every call starts from one valid
// argument set, breaks exactly one documented rule and must return the documented status without
// writing anything; valid calls must not write past the output span.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "tinyexec/kernels/pad.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

// A valid call: a [1, 2, 3, 4] input padded by {0, 1, 2, 0} before and {0, 0, 1, 1} after gives
// [1, 3, 6, 5].
struct Args {
  Dims4 input_dims{1, 2, 3, 4};
  Dims4 pre_pad{0, 1, 2, 0};
  Dims4 post_pad{0, 0, 1, 1};
  int8_t pad_value = -7;
  int64_t input_len = kAuto, output_len = kAuto;  // kAuto: what the dims and pads need
  bool null_input = false, null_output = false;
};

Dims4 OutputDims(const Args& a) {
  const auto sum = [](int32_t in, int32_t pre, int32_t post) {
    const int64_t n = int64_t{in} + pre + post;
    return n > 0 && n <= INT_MAX && in > 0 && pre >= 0 && post >= 0 ? static_cast<int32_t>(n) : 0;
  };
  const Dims4 &in = a.input_dims, &pre = a.pre_pad, &post = a.post_pad;
  return {sum(in.n, pre.n, post.n), sum(in.h, pre.h, post.h), sum(in.w, pre.w, post.w),
          sum(in.c, pre.c, post.c)};
}

using Case = RuleCase<Args>;

// No scratch: no kScratchTooSmall case.
const Case kCases[] = {
    {"valid", [](Args&) {}, Status::kOk},
    {"valid_no_padding",
     [](Args& a) {
       a.pre_pad = a.post_pad = {0, 0, 0, 0};
     },
     Status::kOk},
    {"valid_pad_every_dim",
     [](Args& a) {
       a.pre_pad = a.post_pad = {1, 1, 1, 1};
     },
     Status::kOk},
    // kNullPointer
    {"null_input", [](Args& a) { a.null_input = true; }, Status::kNullPointer},
    {"null_output", [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    // kBadShape
    {"input_n_zero", [](Args& a) { a.input_dims.n = 0; }, Status::kBadShape},
    {"input_h_negative", [](Args& a) { a.input_dims.h = -2; }, Status::kBadShape},
    {"input_c_zero", [](Args& a) { a.input_dims.c = 0; }, Status::kBadShape},
    // kBadParam
    {"pre_pad_n_negative", [](Args& a) { a.pre_pad.n = -1; }, Status::kBadParam},
    {"pre_pad_h_negative", [](Args& a) { a.pre_pad.h = -1; }, Status::kBadParam},
    {"pre_pad_c_negative", [](Args& a) { a.pre_pad.c = -1; }, Status::kBadParam},
    {"post_pad_w_negative", [](Args& a) { a.post_pad.w = -2; }, Status::kBadParam},
    {"post_pad_c_negative", [](Args& a) { a.post_pad.c = -1; }, Status::kBadParam},
    // kOverflow
    {"output_dim_overflow", [](Args& a) { a.pre_pad.h = INT_MAX; }, Status::kOverflow},
    {"output_count_overflow", [](Args& a) { a.pre_pad.h = a.post_pad.w = 100000; },
     Status::kOverflow},
    {"input_count_overflow",
     [](Args& a) {
       a.input_dims = {65536, 65536, 1, 1};
     },
     Status::kOverflow},
    // kBufferTooSmall
    {"input_short", [](Args& a) { a.input_len = 2 * 3 * 4 - 1; }, Status::kBufferTooSmall},
    {"output_short", [](Args& a) { a.output_len = 3 * 6 * 5 - 1; }, Status::kBufferTooSmall},
};

// Runs pad_s8_check and pad_s8 (or the check only) on the arguments `a` describes.
Status CallWith(const Args& a, Call call) {
  const std::vector<int8_t> input = Pattern(Length(a.input_len, a.input_dims));
  Guarded<int8_t> output(Length(a.output_len, OutputDims(a)));
  const Status status =
      CallKernel(call, KV_KERNEL(pad_s8),
                 std::make_tuple(a.input_dims, ConstSpan(input, a.null_input), a.pre_pad,
                                 a.post_pad, a.pad_value, output.span(a.null_output)),
                 output);
  ExpectNoStrayWrites(status, output, "the output");
  return status;
}

class KernelValidationPad : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationPad, Rule) {
  Args a;
  GetParam().mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, Call::kCheckThenKernel)),
               tk::status_name(GetParam().expected));
}

// What a loader relies on: the check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationPad, CheckAcceptsValidCallWithoutWriting) {
  EXPECT_EQ(CallWith(Args(), Call::kCheckOnly), Status::kOk);
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationPad, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
