// SPDX-License-Identifier: Apache-2.0
// Argument validation of transpose_s8 (docs/kernels/layout.md): every call starts from one valid
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

#include "tinyexec/kernels/transpose.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

// A valid call: [1, 2, 3, 4] reversed to [4, 3, 2, 1].
struct Args {
  Dims4 input_dims{1, 2, 3, 4};
  tk::TransposeParams params{{3, 2, 1, 0}};
  int64_t input_len = kAuto, output_len = kAuto;
  bool null_input = false, null_output = false;
};

using Case = RuleCase<Args>;

// No scratch: no kScratchTooSmall case.
const Case kCases[] = {
    {"valid", [](Args&) {}, Status::kOk},
    {"valid_identity",
     [](Args& a) {
       a.params = {{0, 1, 2, 3}};
     },
     Status::kOk},
    {"valid_matrix_transpose",
     [](Args& a) {
       a.input_dims = {1, 1, 5, 20}, a.params = {{0, 1, 3, 2}};
     },
     Status::kOk},
    // kNullPointer
    {"null_input", [](Args& a) { a.null_input = true; }, Status::kNullPointer},
    {"null_output", [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    // kBadShape
    {"input_n_zero", [](Args& a) { a.input_dims.n = 0; }, Status::kBadShape},
    {"input_h_negative", [](Args& a) { a.input_dims.h = -2; }, Status::kBadShape},
    {"input_c_zero", [](Args& a) { a.input_dims.c = 0; }, Status::kBadShape},
    // kBadParam: perm is not a permutation of {0, 1, 2, 3}
    {"perm_repeated",
     [](Args& a) {
       a.params = {{3, 2, 1, 1}};
     },
     Status::kBadParam},
    {"perm_all_zero",
     [](Args& a) {
       a.params = {{0, 0, 0, 0}};
     },
     Status::kBadParam},
    {"perm_too_large",
     [](Args& a) {
       a.params = {{4, 2, 1, 0}};
     },
     Status::kBadParam},
    {"perm_negative",
     [](Args& a) {
       a.params = {{-1, 2, 1, 0}};
     },
     Status::kBadParam},
    {"perm_int_min",
     [](Args& a) {
       a.params = {{3, 2, 1, INT_MIN}};
     },
     Status::kBadParam},
    // kOverflow
    {"element_count_overflow",
     [](Args& a) {
       a.input_dims = {65536, 65536, 2, 1};
     },
     Status::kOverflow},
    // kBufferTooSmall
    {"input_short", [](Args& a) { a.input_len = 2 * 3 * 4 - 1; }, Status::kBufferTooSmall},
    {"output_short", [](Args& a) { a.output_len = 2 * 3 * 4 - 1; }, Status::kBufferTooSmall},
};

// Runs transpose_s8_check and transpose_s8 (or the check only) on the arguments `a` describes.
Status CallWith(const Args& a, Call call) {
  const std::vector<int8_t> input = Pattern(Length(a.input_len, a.input_dims));
  Guarded<int8_t> output(Length(a.output_len, a.input_dims));  // as many elements as the input
  const Status status =
      CallKernel(call, KV_KERNEL(transpose_s8),
                 std::make_tuple(a.input_dims, a.params, ConstSpan(input, a.null_input),
                                 output.span(a.null_output)),
                 output);
  ExpectNoStrayWrites(status, output, "the output");
  return status;
}

class KernelValidationTranspose : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationTranspose, Rule) {
  Args a;
  GetParam().mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, Call::kCheckThenKernel)),
               tk::status_name(GetParam().expected));
}

// What a loader relies on: the check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationTranspose, CheckAcceptsValidCallWithoutWriting) {
  EXPECT_EQ(CallWith(Args(), Call::kCheckOnly), Status::kOk);
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationTranspose, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
