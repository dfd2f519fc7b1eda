// SPDX-License-Identifier: Apache-2.0
// Argument validation of batch_matmul_s8 (docs/kernels/matmul.md, "Errors"): every call starts
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

#include "tinyexec/kernels/batch_matmul.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

// A valid call: lhs [2, 1, 3, 8] times rhs (transposed) [1, 2, 4, 8] gives [2, 2, 3, 4]; the
// batch dimension n broadcasts from rhs, h from lhs.
struct Args {
  tk::BatchMatmulParams params{
      .lhs_offset = 1, .rhs_offset = -1, .output_offset = -2, .activation = {}};
  tk::PerTensorQuant quant{1 << 30, -2};
  Dims4 lhs_dims{2, 1, 3, 8};
  Dims4 rhs_dims{1, 2, 4, 8};
  Dims4 output_dims{2, 2, 3, 4};
  int64_t lhs_len = kAuto, rhs_len = kAuto, output_len = kAuto;
  bool null_lhs = false, null_rhs = false, null_output = false;
  int32_t scratch_delta = 0;  // bytes more (or less) than the kernel's scratch size
  bool null_scratch = false;
};

using Case = RuleCase<Args>;

const Case kCases[] = {
    {"valid", [](Args&) {}, Status::kOk},
    {"valid_no_broadcast", [](Args& a) { a.lhs_dims.h = 2, a.rhs_dims.n = 2; }, Status::kOk},
    {"valid_both_broadcast",
     [](Args& a) {
       a.lhs_dims = {3, 1, 3, 8}, a.rhs_dims = {1, 3, 4, 8}, a.output_dims = {3, 3, 3, 4};
     },
     Status::kOk},
    {"valid_offsets_at_lower_bounds",
     [](Args& a) { a.params.lhs_offset = a.params.rhs_offset = -127, a.params.output_offset = -128; },
     Status::kOk},
    {"valid_offsets_at_upper_bounds",
     [](Args& a) { a.params.lhs_offset = a.params.rhs_offset = 128, a.params.output_offset = 127; },
     Status::kOk},
    {"valid_shift_at_lower_bound",
     [](Args& a) {
       a.quant = {0, -31};
     },
     Status::kOk},
    {"valid_shift_at_upper_bound",
     [](Args& a) {
       a.quant = {INT_MAX, 30};
     },
     Status::kOk},
    // kNullPointer
    {"null_lhs", [](Args& a) { a.null_lhs = true; }, Status::kNullPointer},
    {"null_rhs", [](Args& a) { a.null_rhs = true; }, Status::kNullPointer},
    {"null_output", [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    // kBadShape: dims <= 0
    {"lhs_h_zero", [](Args& a) { a.lhs_dims.h = 0; }, Status::kBadShape},
    {"lhs_c_negative", [](Args& a) { a.lhs_dims.c = -8; }, Status::kBadShape},
    {"rhs_n_zero", [](Args& a) { a.rhs_dims.n = 0; }, Status::kBadShape},
    {"rhs_w_negative", [](Args& a) { a.rhs_dims.w = -4; }, Status::kBadShape},
    {"output_n_zero", [](Args& a) { a.output_dims.n = 0; }, Status::kBadShape},
    {"output_w_zero", [](Args& a) { a.output_dims.w = 0; }, Status::kBadShape},
    // kBadShape: inconsistent shapes
    {"depth_mismatch", [](Args& a) { a.rhs_dims.c = 7; }, Status::kBadShape},
    {"output_rows_not_lhs_rows", [](Args& a) { a.output_dims.w = 4; }, Status::kBadShape},
    {"output_cols_not_rhs_cols", [](Args& a) { a.output_dims.c = 5; }, Status::kBadShape},
    {"output_n_not_broadcast", [](Args& a) { a.output_dims.n = 3; }, Status::kBadShape},
    {"lhs_h_not_broadcastable", [](Args& a) { a.lhs_dims.h = 3, a.output_dims.h = 3; },
     Status::kBadShape},
    {"output_n_larger_than_both", [](Args& a) { a.lhs_dims.n = 1; }, Status::kBadShape},
    {"output_h_smaller_than_operand", [](Args& a) { a.output_dims.h = 1; }, Status::kBadShape},
    // kBadParam
    {"lhs_offset_too_small", [](Args& a) { a.params.lhs_offset = -128; }, Status::kBadParam},
    {"lhs_offset_too_large", [](Args& a) { a.params.lhs_offset = 129; }, Status::kBadParam},
    {"rhs_offset_too_small", [](Args& a) { a.params.rhs_offset = -128; }, Status::kBadParam},
    {"rhs_offset_too_large", [](Args& a) { a.params.rhs_offset = 129; }, Status::kBadParam},
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
    {"multiplier_negative", [](Args& a) { a.quant.multiplier = -1; }, Status::kBadParam},
    {"shift_too_large", [](Args& a) { a.quant.shift = 31; }, Status::kBadParam},
    {"shift_too_small", [](Args& a) { a.quant.shift = -32; }, Status::kBadParam},
    // kBufferTooSmall
    {"lhs_short", [](Args& a) { a.lhs_len = 2 * 3 * 8 - 1; }, Status::kBufferTooSmall},
    {"rhs_short", [](Args& a) { a.rhs_len = 2 * 4 * 8 - 1; }, Status::kBufferTooSmall},
    {"output_short", [](Args& a) { a.output_len = 2 * 2 * 3 * 4 - 1; }, Status::kBufferTooSmall},
    {"scratch_short", [](Args& a) { a.scratch_delta = -1; }, Status::kScratchTooSmall},
    {"scratch_empty", [](Args& a) { a.scratch_delta = -100000; }, Status::kScratchTooSmall},
    {"null_scratch", [](Args& a) { a.null_scratch = true; }, Status::kNullPointer},
    {"valid_scratch_larger", [](Args& a) { a.scratch_delta = 3; }, Status::kOk},
    // kOverflow
    {"lhs_count_overflow", [](Args& a) { a.lhs_dims.n = a.output_dims.n = INT_MAX; },
     Status::kOverflow},
    {"output_count_overflow",
     [](Args& a) {
       a.lhs_dims = {65536, 1, 1, 1}, a.rhs_dims = {1, 65536, 1, 1};
       a.output_dims = {65536, 65536, 1, 1};
     },
     Status::kOverflow},
};

// Runs batch_matmul_s8_check and batch_matmul_s8 (or the check only) on the arguments `a`
// describes.
Status CallWith(const Args& a, Call call) {
  const std::vector<int8_t> lhs = Pattern(Length(a.lhs_len, a.lhs_dims));
  const std::vector<int8_t> rhs = Pattern(Length(a.rhs_len, a.rhs_dims));
  Guarded<int8_t> output(Length(a.output_len, a.output_dims));
  const int32_t scratch_bytes =
      tk::batch_matmul_s8_scratch_size(a.lhs_dims, a.rhs_dims, a.output_dims);
  Guarded<int8_t> scratch(
      static_cast<size_t>(std::max<int32_t>(scratch_bytes + a.scratch_delta, 0)));
  const Status status =
      CallKernel(call, KV_KERNEL(batch_matmul_s8),
                 std::make_tuple(a.params, a.quant, a.lhs_dims, ConstSpan(lhs, a.null_lhs),
                                 a.rhs_dims, ConstSpan(rhs, a.null_rhs), a.output_dims,
                                 output.span(a.null_output), scratch.span(a.null_scratch)),
                 output, scratch);
  ExpectNoStrayWrites(status, output, "the output");
  ExpectNoStrayWrites(status, scratch, "the scratch");
  return status;
}

class KernelValidationBatchMatmul : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationBatchMatmul, Rule) {
  Args a;
  GetParam().mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, Call::kCheckThenKernel)),
               tk::status_name(GetParam().expected));
}

// What a loader relies on: the check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationBatchMatmul, CheckAcceptsValidCallWithoutWriting) {
  EXPECT_EQ(CallWith(Args(), Call::kCheckOnly), Status::kOk);
}

// The scratch size is the same on every target (docs/kernels/matmul.md): one lhs row widened
// to int16, 8 bytes per group of four depth values, plus 4.
TEST_F(KernelValidationBatchMatmul, ScratchSize) {
  const Args a;  // depth 8
  EXPECT_EQ(tk::batch_matmul_s8_scratch_size(a.lhs_dims, a.rhs_dims, a.output_dims), 2 * 8 + 4);
  Dims4 l = a.lhs_dims;
  l.c = INT_MAX;
  EXPECT_EQ(tk::batch_matmul_s8_scratch_size(l, a.rhs_dims, a.output_dims), 0);
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationBatchMatmul, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
