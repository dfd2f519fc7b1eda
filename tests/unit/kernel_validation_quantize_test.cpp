// SPDX-License-Identifier: Apache-2.0
// Argument validation of quantize_f32_s8, dequantize_s8_f32 and lut_s8
// (docs/kernels/quantize.md): every call starts from one valid argument set, breaks exactly one
// documented rule and must return the documented status without writing anything; valid calls
// must not write past the output span.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "tinyexec/kernels/quantize.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

enum Op { kQuantize = 1, kDequantize = 2, kLut = 4 };

// A valid call: 64 elements, scale 0.1, zero point 3, a 256-entry table.
struct Args {
  tk::AffineQuant quant{0.1f, 3};
  int32_t size = 64;
  size_t input_len = 64, output_len = 64, table_len = 256;
  bool null_input = false, null_output = false, null_table = false;
  bool in_place = false;  // lut_s8: the output buffer is the input too (allowed)
};

struct Rule {
  const char* name;
  int ops;  // the kernels the rule applies to
  void (*mutate)(Args&);
  Status expected;
};

constexpr int kAffine = kQuantize | kDequantize;
constexpr int kAll = kAffine | kLut;

// No scratch: no kScratchTooSmall case.
const Rule kRules[] = {
    {"valid", kAll, [](Args&) {}, Status::kOk},
    {"valid_size_1", kAll, [](Args& a) { a.size = 1; }, Status::kOk},
    {"valid_zero_point_min", kAffine, [](Args& a) { a.quant.zero_point = -128; }, Status::kOk},
    {"valid_zero_point_max", kAffine, [](Args& a) { a.quant.zero_point = 127; }, Status::kOk},
    {"valid_smallest_scale", kAffine,
     [](Args& a) { a.quant.scale = std::numeric_limits<float>::denorm_min(); }, Status::kOk},
    {"valid_largest_scale", kAffine, [](Args& a) { a.quant.scale = FLT_MAX; }, Status::kOk},
    {"valid_in_place", kLut, [](Args& a) { a.in_place = true; }, Status::kOk},
    // kNullPointer
    {"null_input", kAll, [](Args& a) { a.null_input = true; }, Status::kNullPointer},
    {"null_output", kAll, [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    {"null_table", kLut, [](Args& a) { a.null_table = true; }, Status::kNullPointer},
    // kBadShape
    {"size_zero", kAll, [](Args& a) { a.size = 0; }, Status::kBadShape},
    {"size_negative", kAll, [](Args& a) { a.size = -1; }, Status::kBadShape},
    // kBadParam
    {"scale_zero", kAffine, [](Args& a) { a.quant.scale = 0.0f; }, Status::kBadParam},
    {"scale_negative_zero", kAffine, [](Args& a) { a.quant.scale = -0.0f; }, Status::kBadParam},
    {"scale_negative", kAffine, [](Args& a) { a.quant.scale = -1.0f; }, Status::kBadParam},
    {"scale_infinite", kAffine, [](Args& a) { a.quant.scale = INFINITY; }, Status::kBadParam},
    {"scale_nan", kAffine, [](Args& a) { a.quant.scale = NAN; }, Status::kBadParam},
    {"zero_point_too_large", kAffine, [](Args& a) { a.quant.zero_point = 128; }, Status::kBadParam},
    {"zero_point_too_small", kAffine, [](Args& a) { a.quant.zero_point = -129; },
     Status::kBadParam},
    // kBufferTooSmall
    {"input_short", kAll, [](Args& a) { --a.input_len; }, Status::kBufferTooSmall},
    {"output_short", kAll, [](Args& a) { --a.output_len; }, Status::kBufferTooSmall},
    {"table_short", kLut, [](Args& a) { a.table_len = 255; }, Status::kBufferTooSmall},
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
  } kOps[] = {{kQuantize, "quantize_"}, {kDequantize, "dequantize_"}, {kLut, "lut_"}};
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
  const std::vector<int8_t> input = Pattern(a.input_len);
  std::vector<float> real_input(a.input_len);
  for (size_t i = 0; i < real_input.size(); ++i)
    real_input[i] = 0.37f * (static_cast<float>(i) - 32.0f);
  const std::vector<int8_t> table = Pattern(a.table_len);
  Guarded<int8_t> output(a.output_len);
  Guarded<float> real_output(a.output_len);
  Status status = Status::kOk;
  switch (op) {
    case kQuantize:
      status = CallKernel(call, KV_KERNEL(quantize_f32_s8),
                          std::make_tuple(a.quant, a.size, ConstSpan(real_input, a.null_input),
                                          output.span(a.null_output)),
                          output, real_output);
      break;
    case kDequantize:
      status = CallKernel(call, KV_KERNEL(dequantize_s8_f32),
                          std::make_tuple(a.quant, a.size, ConstSpan(input, a.null_input),
                                          real_output.span(a.null_output)),
                          output, real_output);
      break;
    case kLut: {
      const Span<int8_t> out = output.span(a.null_output);
      const Span<const int8_t> in =
          a.in_place ? Span<const int8_t>(out) : ConstSpan(input, a.null_input);
      status = CallKernel(call, KV_KERNEL(lut_s8),
                          std::make_tuple(a.size, in, ConstSpan(table, a.null_table), out), output,
                          real_output);
      break;
    }
  }
  ExpectNoStrayWrites(status, output, "the output");
  ExpectNoStrayWrites(status, real_output, "the float output");
  return status;
}

class KernelValidationQuantize : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationQuantize, Rule) {
  const Case& c = GetParam();
  Args a;
  c.rule->mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, c.op, Call::kCheckThenKernel)),
               tk::status_name(c.rule->expected));
}

// What a loader relies on: each check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationQuantize, CheckAcceptsValidCallWithoutWriting) {
  for (const Op op : {kQuantize, kDequantize, kLut}) {
    EXPECT_EQ(CallWith(Args(), op, Call::kCheckOnly), Status::kOk) << "op " << op;
  }
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationQuantize, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
