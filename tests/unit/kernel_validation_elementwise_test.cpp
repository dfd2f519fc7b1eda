// SPDX-License-Identifier: Apache-2.0
// Argument validation of add_s8, mul_s8, maximum_s8 and minimum_s8 (docs/kernels/elementwise.md):
// every call starts from one valid argument set, breaks exactly one documented rule and must
// return the documented status without writing anything; valid calls must not write past the
// output span.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "tinyexec/kernels/elementwise.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

enum Op { kAdd = 1, kMul = 2, kMaximum = 4, kMinimum = 8 };

// A valid call: input1 [1, 2, 3, 4] and input2 [1, 2, 1, 4] (broadcast along w) give
// [1, 2, 3, 4].
struct Args {
  tk::AddParams add{.input1_offset = 3,
                    .input2_offset = -5,
                    .left_shift = 20,
                    .input1 = {1 << 30, 0},
                    .input2 = {1 << 30, -1},
                    .output = {1 << 30, -19},
                    .output_offset = -2,
                    .activation = {}};
  tk::MulParams mul{.input1_offset = 3,
                    .input2_offset = -5,
                    .output = {1 << 30, -7},
                    .output_offset = -2,
                    .activation = {}};
  Dims4 input1_dims{1, 2, 3, 4};
  Dims4 input2_dims{1, 2, 1, 4};
  Dims4 output_dims{1, 2, 3, 4};
  int64_t input1_len = kAuto, input2_len = kAuto, output_len = kAuto;
  bool null_input1 = false, null_input2 = false, null_output = false;
  bool in_place = false;  // the output buffer is input1 too (allowed: same dims)
};

struct Rule {
  const char* name;
  int ops;  // the kernels the rule applies to
  void (*mutate)(Args&);
  Status expected;
};

constexpr int kAll = kAdd | kMul | kMaximum | kMinimum;

// Extreme but valid requantization: arithmetic wraps like the target, without undefined
// behaviour (checked under UBSan by the host-asan preset).
void ExtremeQuant(Args& a) {
  a.add.left_shift = 22;
  a.add.input1 = a.add.input2 = a.add.output = a.mul.output = {INT_MAX, 30};
  a.add.input1_offset = a.add.input2_offset = a.mul.input1_offset = a.mul.input2_offset = 128;
}

// No scratch in this family: no kScratchTooSmall case.
const Rule kRules[] = {
    {"valid", kAll, [](Args&) {}, Status::kOk},
    {"valid_same_shapes", kAll, [](Args& a) { a.input2_dims = a.output_dims; }, Status::kOk},
    {"valid_scalar_input1", kAll,
     [](Args& a) {
       a.input1_dims = {1, 1, 1, 1};
     },
     Status::kOk},
    {"valid_both_broadcast", kAll,
     [](Args& a) {
       a.input1_dims = {1, 1, 3, 4}, a.input2_dims = {1, 2, 1, 1};
     },
     Status::kOk},
    {"valid_output_n_broadcast", kAll, [](Args& a) { a.output_dims.n = 2; }, Status::kOk},
    {"valid_in_place", kAll, [](Args& a) { a.in_place = true; }, Status::kOk},
    {"valid_extreme_quant", kAdd | kMul, ExtremeQuant, Status::kOk},
    {"valid_params_at_lower_bounds", kAdd | kMul,
     [](Args& a) {
       a.add.input1_offset = a.add.input2_offset = -127, a.add.output_offset = -128;
       a.mul.input1_offset = a.mul.input2_offset = -127, a.mul.output_offset = -128;
       a.add.left_shift = 0, a.add.input1 = a.add.input2 = a.add.output = a.mul.output = {0, -31};
     },
     Status::kOk},
    {"valid_offsets_at_upper_bounds", kAdd | kMul,
     [](Args& a) {
       a.add.input1_offset = a.add.input2_offset = a.mul.input1_offset = a.mul.input2_offset = 128;
       a.add.output_offset = a.mul.output_offset = 127;
     },
     Status::kOk},
    // kNullPointer
    {"null_input1", kAll, [](Args& a) { a.null_input1 = true; }, Status::kNullPointer},
    {"null_input2", kAll, [](Args& a) { a.null_input2 = true; }, Status::kNullPointer},
    {"null_output", kAll, [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    // kBadShape
    {"input1_n_zero", kAll, [](Args& a) { a.input1_dims.n = 0; }, Status::kBadShape},
    {"input2_h_negative", kAll, [](Args& a) { a.input2_dims.h = -2; }, Status::kBadShape},
    {"output_c_zero", kAll, [](Args& a) { a.output_dims.c = 0; }, Status::kBadShape},
    {"output_w_negative", kAll, [](Args& a) { a.output_dims.w = -3; }, Status::kBadShape},
    {"input1_not_broadcastable", kAll, [](Args& a) { a.input1_dims.c = 5; }, Status::kBadShape},
    {"input2_not_broadcastable", kAll, [](Args& a) { a.input2_dims.w = 2; }, Status::kBadShape},
    {"output_smaller_than_input", kAll, [](Args& a) { a.output_dims.w = 1; }, Status::kBadShape},
    // kBadParam (add)
    {"input1_offset_too_large", kAdd, [](Args& a) { a.add.input1_offset = 129; },
     Status::kBadParam},
    {"input2_offset_too_small", kAdd, [](Args& a) { a.add.input2_offset = -128; },
     Status::kBadParam},
    {"left_shift_negative", kAdd, [](Args& a) { a.add.left_shift = -1; }, Status::kBadParam},
    {"left_shift_too_large", kAdd, [](Args& a) { a.add.left_shift = 23; }, Status::kBadParam},
    {"input1_multiplier_negative", kAdd, [](Args& a) { a.add.input1.multiplier = -1; },
     Status::kBadParam},
    {"input1_shift_too_small", kAdd, [](Args& a) { a.add.input1.shift = -32; }, Status::kBadParam},
    {"input2_multiplier_negative", kAdd, [](Args& a) { a.add.input2.multiplier = -1; },
     Status::kBadParam},
    {"input2_shift_too_large", kAdd, [](Args& a) { a.add.input2.shift = 31; }, Status::kBadParam},
    {"output_multiplier_negative", kAdd, [](Args& a) { a.add.output.multiplier = INT_MIN; },
     Status::kBadParam},
    {"output_shift_too_small", kAdd, [](Args& a) { a.add.output.shift = -32; }, Status::kBadParam},
    {"output_shift_too_large", kAdd, [](Args& a) { a.add.output.shift = 31; }, Status::kBadParam},
    {"output_offset_too_large", kAdd, [](Args& a) { a.add.output_offset = 128; },
     Status::kBadParam},
    {"output_offset_too_small", kAdd, [](Args& a) { a.add.output_offset = -129; },
     Status::kBadParam},
    {"activation_min_above_max", kAdd,
     [](Args& a) {
       a.add.activation = {10, 5};
     },
     Status::kBadParam},
    {"activation_min_below_int8", kAdd, [](Args& a) { a.add.activation.min = -129; },
     Status::kBadParam},
    {"activation_max_above_int8", kAdd, [](Args& a) { a.add.activation.max = 128; },
     Status::kBadParam},
    // kBadParam (mul)
    {"input1_offset_too_small", kMul, [](Args& a) { a.mul.input1_offset = -128; },
     Status::kBadParam},
    {"input2_offset_too_large", kMul, [](Args& a) { a.mul.input2_offset = 129; },
     Status::kBadParam},
    {"output_multiplier_negative", kMul, [](Args& a) { a.mul.output.multiplier = -1; },
     Status::kBadParam},
    {"output_shift_too_large", kMul, [](Args& a) { a.mul.output.shift = 31; }, Status::kBadParam},
    {"output_shift_too_small", kMul, [](Args& a) { a.mul.output.shift = -32; }, Status::kBadParam},
    {"output_offset_too_large", kMul, [](Args& a) { a.mul.output_offset = 128; },
     Status::kBadParam},
    {"output_offset_too_small", kMul, [](Args& a) { a.mul.output_offset = -129; },
     Status::kBadParam},
    {"activation_min_above_max", kMul,
     [](Args& a) {
       a.mul.activation = {10, 5};
     },
     Status::kBadParam},
    {"activation_min_below_int8", kMul, [](Args& a) { a.mul.activation.min = -129; },
     Status::kBadParam},
    {"activation_max_above_int8", kMul, [](Args& a) { a.mul.activation.max = 128; },
     Status::kBadParam},
    // kBufferTooSmall
    {"input1_short", kAll, [](Args& a) { a.input1_len = 2 * 3 * 4 - 1; }, Status::kBufferTooSmall},
    {"input2_short", kAll, [](Args& a) { a.input2_len = 2 * 4 - 1; }, Status::kBufferTooSmall},
    {"output_short", kAll, [](Args& a) { a.output_len = 2 * 3 * 4 - 1; }, Status::kBufferTooSmall},
    // kOverflow
    {"output_count_overflow", kAll,
     [](Args& a) {
       a.input1_dims = {65536, 1, 1, 1}, a.input2_dims = {1, 65536, 1, 1};
       a.output_dims = {65536, 65536, 1, 1};
     },
     Status::kOverflow},
    {"input_count_overflow", kAll,
     [](Args& a) {
       a.input1_dims = a.output_dims = {65536, 65536, 2, 1}, a.input2_dims = {1, 1, 1, 1};
     },
     Status::kOverflow},
};

struct Case {
  std::string name;  // <kernel>_<rule>
  Op op;
  const Rule* rule;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

std::vector<Case> Cases() {
  static constexpr struct {
    Op op;
    const char* name;
  } kOps[] = {{kAdd, "add_"}, {kMul, "mul_"}, {kMaximum, "maximum_"}, {kMinimum, "minimum_"}};
  std::vector<Case> cases;
  for (const Rule& rule : kRules) {
    for (const auto& op : kOps) {
      if (rule.ops & op.op) cases.push_back({std::string(op.name) + rule.name, op.op, &rule});
    }
  }
  return cases;
}

// Runs op's _check and op (or the check only) on the arguments `a` describes.
Status CallWith(const Args& a, Op op, Call call) {
  const std::vector<int8_t> input1 = Pattern(Length(a.input1_len, a.input1_dims));
  const std::vector<int8_t> input2 = Pattern(Length(a.input2_len, a.input2_dims));
  Guarded<int8_t> output(Length(a.output_len, a.output_dims));
  const Span<int8_t> out = output.span(a.null_output);
  const Span<const int8_t> in1 =
      a.in_place ? Span<const int8_t>(out) : ConstSpan(input1, a.null_input1);
  const Span<const int8_t> in2 = ConstSpan(input2, a.null_input2);
  const auto tensors = std::make_tuple(a.input1_dims, in1, a.input2_dims, in2, a.output_dims, out);
  Status status = Status::kOk;
  switch (op) {
    case kAdd:
      status = CallKernel(call, KV_KERNEL(add_s8), std::tuple_cat(std::make_tuple(a.add), tensors),
                          output);
      break;
    case kMul:
      status = CallKernel(call, KV_KERNEL(mul_s8), std::tuple_cat(std::make_tuple(a.mul), tensors),
                          output);
      break;
    case kMaximum: status = CallKernel(call, KV_KERNEL(maximum_s8), tensors, output); break;
    case kMinimum: status = CallKernel(call, KV_KERNEL(minimum_s8), tensors, output); break;
  }
  ExpectNoStrayWrites(status, output, "the output");
  return status;
}

class KernelValidationElementwise : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationElementwise, Rule) {
  const Case& c = GetParam();
  Args a;
  c.rule->mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, c.op, Call::kCheckThenKernel)),
               tk::status_name(c.rule->expected));
}

// What a loader relies on: each check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationElementwise, CheckAcceptsValidCallWithoutWriting) {
  for (const Op op : {kAdd, kMul, kMaximum, kMinimum}) {
    EXPECT_EQ(CallWith(Args(), op, Call::kCheckOnly), Status::kOk) << "op " << op;
  }
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationElementwise, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
