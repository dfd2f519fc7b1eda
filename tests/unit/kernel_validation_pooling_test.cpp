// SPDX-License-Identifier: Apache-2.0
// Argument validation of avg_pool_s8 and max_pool_s8 (docs/kernels/pooling.md, "Errors"): every
// call starts from one valid argument set, breaks exactly one documented rule and must return
// the documented status without writing anything; valid calls must not write past the output.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "tinyexec/kernels/pooling.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

enum Op { kAvg = 1, kMax = 2 };

constexpr int kNoValue = INT_MIN;

// A valid call: 1x8x8x2 input, 2x2 window, stride 2, no padding: 1x4x4x2 output.
struct Args {
  tk::PoolParams params{.filter_h = 2,
                        .filter_w = 2,
                        .stride_h = 2,
                        .stride_w = 2,
                        .pad_h = 0,
                        .pad_w = 0,
                        .activation = {}};
  Dims4 input_dims{1, 8, 8, 2};
  Dims4 output_dims{1, 4, 4, 2};
  int64_t input_len = kAuto, output_len = kAuto;
  bool null_input = false, null_output = false;
  int input_value = kNoValue;     // every input element, instead of a pattern
  int expected_value = kNoValue;  // every output element, when set
};

struct Rule {
  const char* name;
  int ops;  // the kernels the rule applies to
  void (*mutate)(Args&);
  Status expected;
};

constexpr int kBoth = kAvg | kMax;

const Rule kRules[] = {
    {"valid", kBoth, [](Args&) {}, Status::kOk},
    {"valid_same_padding", kBoth,
     [](Args& a) {
       a.params.filter_h = a.params.filter_w = 3, a.params.stride_h = a.params.stride_w = 1,
       a.params.pad_h = a.params.pad_w = 1, a.output_dims = {1, 8, 8, 2};
     },
     Status::kOk},
    {"valid_pad_at_max", kBoth, [](Args& a) { a.params.filter_h = 3, a.params.pad_h = 2; },
     Status::kOk},
    {"valid_output_h_largest", kBoth,
     [](Args& a) { a.params.filter_h = 3, a.params.stride_h = 1, a.output_dims.h = 8; },
     Status::kOk},
    {"valid_window_larger_than_input", kBoth,
     [](Args& a) { a.params.filter_w = 10, a.output_dims.w = 1; }, Status::kOk},
    {"valid_activation_single_value", kBoth,
     [](Args& a) {
       a.params.activation = {7, 7};
     },
     Status::kOk},
    // kNullPointer
    {"null_input", kBoth, [](Args& a) { a.null_input = true; }, Status::kNullPointer},
    {"null_output", kBoth, [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    // kBadShape
    {"input_n_negative", kBoth, [](Args& a) { a.input_dims.n = -1; }, Status::kBadShape},
    {"input_w_zero", kBoth, [](Args& a) { a.input_dims.w = 0; }, Status::kBadShape},
    {"output_h_zero", kBoth, [](Args& a) { a.output_dims.h = 0; }, Status::kBadShape},
    {"output_c_negative", kBoth, [](Args& a) { a.output_dims.c = -2; }, Status::kBadShape},
    {"output_n_not_input_n", kBoth, [](Args& a) { a.output_dims.n = 2; }, Status::kBadShape},
    {"output_c_not_input_c", kBoth, [](Args& a) { a.output_dims.c = 3; }, Status::kBadShape},
    {"output_h_too_large", kBoth, [](Args& a) { a.output_dims.h = 5; }, Status::kBadShape},
    {"output_h_too_small", kBoth, [](Args& a) { a.output_dims.h = 3; }, Status::kBadShape},
    {"output_w_too_large", kBoth, [](Args& a) { a.output_dims.w = 6; }, Status::kBadShape},
    {"output_w_too_small", kBoth, [](Args& a) { a.output_dims.w = 2; }, Status::kBadShape},
    // kBadParam
    {"filter_h_zero", kBoth, [](Args& a) { a.params.filter_h = 0; }, Status::kBadParam},
    {"filter_w_negative", kBoth, [](Args& a) { a.params.filter_w = -2; }, Status::kBadParam},
    {"stride_h_zero", kBoth, [](Args& a) { a.params.stride_h = 0; }, Status::kBadParam},
    {"stride_w_negative", kBoth, [](Args& a) { a.params.stride_w = -1; }, Status::kBadParam},
    {"pad_h_negative", kBoth, [](Args& a) { a.params.pad_h = -1; }, Status::kBadParam},
    {"pad_w_not_below_filter", kBoth, [](Args& a) { a.params.pad_w = 2; }, Status::kBadParam},
    {"activation_min_above_max", kBoth,
     [](Args& a) {
       a.params.activation = {0, -1};
     },
     Status::kBadParam},
    {"activation_min_below_int8", kBoth, [](Args& a) { a.params.activation.min = -129; },
     Status::kBadParam},
    {"activation_max_above_int8", kBoth, [](Args& a) { a.params.activation.max = 128; },
     Status::kBadParam},
    // kBufferTooSmall
    {"input_short", kBoth, [](Args& a) { a.input_len = 8 * 8 * 2 - 1; }, Status::kBufferTooSmall},
    {"output_short", kBoth, [](Args& a) { a.output_len = 4 * 4 * 2 - 1; }, Status::kBufferTooSmall},
    // kOverflow
    {"element_count_overflow", kBoth, [](Args& a) { a.input_dims.n = a.output_dims.n = INT_MAX; },
     Status::kOverflow},
    {"filter_h_overflow", kBoth, [](Args& a) { a.params.filter_h = INT_MAX; }, Status::kOverflow},
    {"stride_w_overflow", kBoth, [](Args& a) { a.params.stride_w = INT_MAX; }, Status::kOverflow},
    {"window_overflow", kBoth,
     [](Args& a) {
       a.params.filter_h = a.params.stride_h = INT_MAX, a.params.pad_h = 5, a.output_dims.h = 1;
     },
     Status::kOverflow},
    // kUnsupported: a window of more than 2^24 valid positions (the int32 sum could overflow).
    {"window_above_2pow24", kAvg,
     [](Args& a) {
       a.input_dims = {1, 4097, 4097, 1}, a.output_dims = {1, 1, 1, 1};
       a.params.filter_h = a.params.filter_w = 4097, a.params.stride_h = a.params.stride_w = 1;
     },
     Status::kUnsupported},
    // The largest supported window, all -128: the sum is INT32_MIN, and the rounding step must
    // not overflow (it once did: UBSan abort, or 127 instead of -128).
    {"window_of_2pow24_all_min", kAvg,
     [](Args& a) {
       a.input_dims = {1, 4096, 4096, 1}, a.output_dims = {1, 1, 1, 1};
       a.params.filter_h = a.params.filter_w = 4096, a.params.stride_h = a.params.stride_w = 1;
       a.input_value = a.expected_value = -128;
     },
     Status::kOk},
};

struct Case {
  std::string name;  // <kernel>_<rule>, DISABLED_ first when the rule is disabled
  Op op;
  const Rule* rule;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (const Rule& rule : kRules) {
    std::string name = rule.name;
    const std::string disabled = name.rfind("DISABLED_", 0) == 0 ? "DISABLED_" : "";
    name.erase(0, disabled.size());
    if (rule.ops & kAvg) cases.push_back({disabled + "avg_" + name, kAvg, &rule});
    if (rule.ops & kMax) cases.push_back({disabled + "max_" + name, kMax, &rule});
  }
  return cases;
}

// Runs op's _check and op (or the check only) on the arguments `a` describes.
Status CallWith(const Args& a, Op op, Call call) {
  std::vector<int8_t> input = Pattern(Length(a.input_len, a.input_dims));
  if (a.input_value != kNoValue) std::fill(input.begin(), input.end(), a.input_value);
  Guarded<int8_t> output(Length(a.output_len, a.output_dims));
  Guarded<int8_t> scratch(
      static_cast<size_t>(tk::avg_pool_s8_scratch_size(a.input_dims, a.output_dims)));
  const auto tensors = std::make_tuple(a.params, a.input_dims, ConstSpan(input, a.null_input),
                                       a.output_dims, output.span(a.null_output));
  const Status status =
      op == kAvg
          ? CallKernel(call, KV_KERNEL(avg_pool_s8),
                       std::tuple_cat(tensors, std::make_tuple(scratch.span())), output, scratch)
          : CallKernel(call, KV_KERNEL(max_pool_s8), tensors, output, scratch);
  ExpectNoStrayWrites(status, output, "the output");
  ExpectNoStrayWrites(status, scratch, "the scratch");
  if (call == Call::kCheckThenKernel && a.expected_value != kNoValue && status == Status::kOk) {
    const Span<int8_t> out = output.span();
    for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], a.expected_value) << "element " << i;
  }
  return status;
}

class KernelValidationPooling : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationPooling, Rule) {
  const Case& c = GetParam();
  Args a;
  c.rule->mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, c.op, Call::kCheckThenKernel)),
               tk::status_name(c.rule->expected));
}

// What a loader relies on: each check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationPooling, CheckAcceptsValidCallWithoutWriting) {
  for (const Op op : {kAvg, kMax}) {
    EXPECT_EQ(CallWith(Args(), op, Call::kCheckOnly), Status::kOk) << "op " << op;
  }
}

// The portable avg_pool_s8 needs no scratch, so no call can give kScratchTooSmall; a variant
// that needs scratch must add scratch rows to the table.
TEST_F(KernelValidationPooling, ScratchSizeIsZero) {
  const Args a;
  EXPECT_EQ(tk::avg_pool_s8_scratch_size(a.input_dims, a.output_dims), 0);
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationPooling, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
