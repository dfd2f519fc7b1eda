// SPDX-License-Identifier: Apache-2.0
// Argument validation of concat_s8 (docs/kernels/layout.md): every call starts from one valid
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

#include "tinyexec/kernels/concat.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

struct Input {
  Dims4 dims;
  int64_t len = kAuto;
  bool null = false;
};

// A valid call: [1, 2, 3, 4] and [1, 2, 3, 1] along c give [1, 2, 3, 5].
struct Args {
  std::vector<Input> inputs{{{1, 2, 3, 4}}, {{1, 2, 3, 1}}};
  int32_t axis = 3;
  int64_t output_len = kAuto;  // kAuto: the concatenation's element count (1 if invalid)
  bool null_inputs = false, null_output = false;
};

int64_t Dim(const Dims4& d, int32_t axis) {
  const int32_t dims[4] = {d.n, d.h, d.w, d.c};
  return dims[axis];
}

size_t OutputLength(const Args& a) {
  if (a.output_len != kAuto) return static_cast<size_t>(a.output_len);
  if (a.inputs.empty() || a.axis < 0 || a.axis > 3) return 1;
  int64_t count = 1;
  for (int32_t k = 0; k < 4; ++k) {
    int64_t dim = k == a.axis ? 0 : Dim(a.inputs[0].dims, k);
    if (k == a.axis) {
      for (const Input& in : a.inputs) dim += Dim(in.dims, k);
    }
    count = dim > 0 && count * dim <= INT_MAX ? count * dim : 0;
  }
  return count > 0 ? static_cast<size_t>(count) : 1;
}

using Case = RuleCase<Args>;

// No scratch: no kScratchTooSmall case. Not covered: an axis sum or output count over int32
// when every input's count fits (it takes inputs of 2^30 elements or more).
const Case kCases[] = {
    {"valid", [](Args&) {}, Status::kOk},
    {"valid_axis_n",
     [](Args& a) {
       a.axis = 0, a.inputs = {{{2, 2, 3, 4}}, {{1, 2, 3, 4}}};
     },
     Status::kOk},
    {"valid_axis_h",
     [](Args& a) {
       a.axis = 1, a.inputs = {{{1, 2, 3, 4}}, {{1, 5, 3, 4}}};
     },
     Status::kOk},
    {"valid_axis_w",
     [](Args& a) {
       a.axis = 2, a.inputs = {{{1, 2, 3, 4}}, {{1, 2, 1, 4}}};
     },
     Status::kOk},
    {"valid_single_input", [](Args& a) { a.inputs.pop_back(); }, Status::kOk},
    {"valid_three_inputs",
     [](Args& a) {
       a.inputs.push_back({{1, 2, 3, 2}});
     },
     Status::kOk},
    // kNullPointer
    {"null_inputs", [](Args& a) { a.null_inputs = true; }, Status::kNullPointer},
    {"null_empty_inputs", [](Args& a) { a.null_inputs = true, a.inputs.clear(); },
     Status::kNullPointer},
    {"null_input_data", [](Args& a) { a.inputs[1].null = true; }, Status::kNullPointer},
    {"null_output", [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    // kBadShape
    {"no_inputs", [](Args& a) { a.inputs.clear(); }, Status::kBadShape},
    {"input_n_zero", [](Args& a) { a.inputs[0].dims.n = 0; }, Status::kBadShape},
    {"input_h_negative", [](Args& a) { a.inputs[1].dims.h = -2; }, Status::kBadShape},
    {"input_axis_dim_zero", [](Args& a) { a.inputs[1].dims.c = 0; }, Status::kBadShape},
    {"input_n_mismatch", [](Args& a) { a.inputs[1].dims.n = 2; }, Status::kBadShape},
    {"input_w_mismatch", [](Args& a) { a.inputs[1].dims.w = 1; }, Status::kBadShape},
    {"inputs_differ_off_axis", [](Args& a) { a.axis = 2; }, Status::kBadShape},
    // kBadParam
    {"axis_too_large", [](Args& a) { a.axis = 4; }, Status::kBadParam},
    {"axis_negative", [](Args& a) { a.axis = -1; }, Status::kBadParam},
    // kOverflow
    {"input_count_overflow",
     [](Args& a) {
       a.inputs = {{{1, 65536, 65536, 1}}, {{1, 65536, 65536, 1}}};
     },
     Status::kOverflow},
    // kBufferTooSmall
    {"input_short", [](Args& a) { a.inputs[1].len = 2 * 3 - 1; }, Status::kBufferTooSmall},
    {"output_short", [](Args& a) { a.output_len = 2 * 3 * 5 - 1; }, Status::kBufferTooSmall},
};

// Runs concat_s8_check and concat_s8 (or the check only) on the arguments `a` describes.
Status CallWith(const Args& a, Call call) {
  std::vector<std::vector<int8_t>> data;
  data.reserve(a.inputs.size());
  std::vector<tk::ConcatInput> inputs(std::max<size_t>(a.inputs.size(), 1));  // never null
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    data.push_back(Pattern(Length(a.inputs[i].len, a.inputs[i].dims)));
    inputs[i] = {a.inputs[i].dims, ConstSpan(data.back(), a.inputs[i].null)};
  }
  Guarded<int8_t> output(OutputLength(a));
  const Span<const tk::ConcatInput> input_span(a.null_inputs ? nullptr : inputs.data(),
                                               a.inputs.size());
  const Status status =
      CallKernel(call, KV_KERNEL(concat_s8),
                 std::make_tuple(input_span, a.axis, output.span(a.null_output)), output);
  ExpectNoStrayWrites(status, output, "the output");
  return status;
}

class KernelValidationConcat : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationConcat, Rule) {
  Args a;
  GetParam().mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, Call::kCheckThenKernel)),
               tk::status_name(GetParam().expected));
}

// What a loader relies on: the check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationConcat, CheckAcceptsValidCallWithoutWriting) {
  EXPECT_EQ(CallWith(Args(), Call::kCheckOnly), Status::kOk);
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationConcat, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
