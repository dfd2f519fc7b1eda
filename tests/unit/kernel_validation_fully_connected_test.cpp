// SPDX-License-Identifier: Apache-2.0
// Argument validation of fully_connected_s8 (per-tensor and per-channel overloads) and
// fully_connected_s8_kernel_sums (docs/kernels/matmul.md, "Errors"): every call starts from one
// valid argument set, breaks exactly one documented rule and must return the documented status
// without writing anything; valid calls must not write past the output span.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "tinyexec/kernels/fully_connected.h"
#include "kernel_validation_support.h"

namespace {

using namespace kernel_validation;  // NOLINT: the shared test helpers

enum Op { kPerTensor = 1, kPerChannel = 2, kKernelSums = 4 };

// A valid call: 2 batches, input depth 30, output depth 7.
struct Args {
  tk::FullyConnectedParams params{
      .input_offset = 3, .filter_offset = 0, .output_offset = -2, .activation = {}};
  tk::FullyConnectedShape shape{2, 30, 7};
  tk::PerTensorQuant quant{1 << 30, -2};
  std::vector<int32_t> bias = std::vector<int32_t>(7, 5);
  std::vector<int32_t> multiplier = std::vector<int32_t>(7, 1 << 30);  // per-channel
  std::vector<int32_t> shift = std::vector<int32_t>(7, -3);            // per-channel
  size_t input_len = 2 * 30, weights_len = 7 * 30, output_len = 2 * 7, sums_len = 7;
  bool null_input = false, null_weights = false, null_bias = false, null_output = false;
  bool null_multiplier = false, null_shift = false, null_sums = false;
  // fully_connected_s8's optional kernel_sums argument (0 entries: not passed) and scratch.
  size_t kernel_sums_len = 0;
  bool null_kernel_sums = false, null_scratch = false;
  int32_t scratch_delta = 0;  // bytes more (or less) than fully_connected_s8_scratch_size
};

struct Rule {
  const char* name;
  int ops;  // the kernels the rule applies to
  void (*mutate)(Args&);
  Status expected;
};

constexpr int kBoth = kPerTensor | kPerChannel;
constexpr int kAll = kBoth | kKernelSums;

const Rule kRules[] = {
    {"valid", kAll, [](Args&) {}, Status::kOk},
    {"valid_no_bias", kAll, [](Args& a) { a.bias.clear(); }, Status::kOk},
    {"valid_offsets_at_lower_bounds", kAll,
     [](Args& a) {
       a.params.input_offset = a.params.filter_offset = -127, a.params.output_offset = -128;
     },
     Status::kOk},
    {"valid_offsets_at_upper_bounds", kAll,
     [](Args& a) {
       a.params.input_offset = a.params.filter_offset = 128, a.params.output_offset = 127;
     },
     Status::kOk},
    {"valid_shift_at_lower_bound", kPerTensor,
     [](Args& a) {
       a.quant = {0, -31};
     },
     Status::kOk},
    {"valid_shift_at_upper_bound", kPerTensor,
     [](Args& a) {
       a.quant = {INT_MAX, 30};
     },
     Status::kOk},
    {"valid_quant_at_bounds", kPerChannel,
     [](Args& a) {
       a.shift[0] = -31, a.shift[1] = 30, a.multiplier[2] = 0, a.multiplier[3] = INT_MAX;
     },
     Status::kOk},
    {"valid_batches_ignored", kKernelSums, [](Args& a) { a.shape.batches = 0; }, Status::kOk},
    {"valid_with_kernel_sums", kBoth, [](Args& a) { a.kernel_sums_len = 7; }, Status::kOk},
    {"valid_with_long_kernel_sums", kBoth, [](Args& a) { a.kernel_sums_len = 9; }, Status::kOk},
    {"valid_scratch_larger", kBoth, [](Args& a) { a.scratch_delta = 5; }, Status::kOk},
    // kNullPointer
    {"null_input", kBoth, [](Args& a) { a.null_input = true; }, Status::kNullPointer},
    {"null_weights", kAll, [](Args& a) { a.null_weights = true; }, Status::kNullPointer},
    {"null_output", kBoth, [](Args& a) { a.null_output = true; }, Status::kNullPointer},
    {"null_nonempty_bias", kAll, [](Args& a) { a.null_bias = true; }, Status::kNullPointer},
    {"null_multiplier", kPerChannel, [](Args& a) { a.null_multiplier = true; },
     Status::kNullPointer},
    {"null_shift", kPerChannel, [](Args& a) { a.null_shift = true; }, Status::kNullPointer},
    {"null_kernel_sums", kKernelSums, [](Args& a) { a.null_sums = true; }, Status::kNullPointer},
    {"null_nonempty_kernel_sums_argument", kBoth,
     [](Args& a) { a.kernel_sums_len = 7, a.null_kernel_sums = true; }, Status::kNullPointer},
    {"null_scratch", kBoth, [](Args& a) { a.null_scratch = true; }, Status::kNullPointer},
    // kBadShape
    {"batches_zero", kBoth, [](Args& a) { a.shape.batches = 0; }, Status::kBadShape},
    {"input_depth_negative", kAll, [](Args& a) { a.shape.input_depth = -30; }, Status::kBadShape},
    {"input_depth_zero", kAll, [](Args& a) { a.shape.input_depth = 0; }, Status::kBadShape},
    {"output_depth_zero", kAll, [](Args& a) { a.shape.output_depth = 0; }, Status::kBadShape},
    // kBadParam
    {"input_offset_too_small", kAll, [](Args& a) { a.params.input_offset = -128; },
     Status::kBadParam},
    {"input_offset_too_large", kAll, [](Args& a) { a.params.input_offset = 129; },
     Status::kBadParam},
    {"filter_offset_too_small", kAll, [](Args& a) { a.params.filter_offset = -128; },
     Status::kBadParam},
    {"filter_offset_too_large", kAll, [](Args& a) { a.params.filter_offset = 200; },
     Status::kBadParam},
    {"output_offset_too_small", kBoth, [](Args& a) { a.params.output_offset = -129; },
     Status::kBadParam},
    {"output_offset_too_large", kBoth, [](Args& a) { a.params.output_offset = 128; },
     Status::kBadParam},
    {"activation_min_above_max", kBoth,
     [](Args& a) {
       a.params.activation = {10, 5};
     },
     Status::kBadParam},
    {"activation_min_below_int8", kBoth, [](Args& a) { a.params.activation.min = -129; },
     Status::kBadParam},
    {"activation_max_above_int8", kBoth, [](Args& a) { a.params.activation.max = 128; },
     Status::kBadParam},
    {"multiplier_negative", kPerTensor, [](Args& a) { a.quant.multiplier = -1; },
     Status::kBadParam},
    {"shift_too_large", kPerTensor, [](Args& a) { a.quant.shift = 31; }, Status::kBadParam},
    {"shift_too_small", kPerTensor, [](Args& a) { a.quant.shift = -32; }, Status::kBadParam},
    {"multiplier_negative", kPerChannel, [](Args& a) { a.multiplier[6] = -1; }, Status::kBadParam},
    {"shift_too_large", kPerChannel, [](Args& a) { a.shift[6] = 31; }, Status::kBadParam},
    {"shift_too_small", kPerChannel, [](Args& a) { a.shift[0] = -32; }, Status::kBadParam},
    // kBufferTooSmall
    {"input_short", kBoth, [](Args& a) { --a.input_len; }, Status::kBufferTooSmall},
    {"weights_short", kAll, [](Args& a) { --a.weights_len; }, Status::kBufferTooSmall},
    {"output_short", kBoth, [](Args& a) { --a.output_len; }, Status::kBufferTooSmall},
    {"bias_short", kAll, [](Args& a) { a.bias.pop_back(); }, Status::kBufferTooSmall},
    {"multiplier_short", kPerChannel, [](Args& a) { a.multiplier.pop_back(); },
     Status::kBufferTooSmall},
    {"shift_short", kPerChannel, [](Args& a) { a.shift.pop_back(); }, Status::kBufferTooSmall},
    {"kernel_sums_short", kKernelSums, [](Args& a) { --a.sums_len; }, Status::kBufferTooSmall},
    {"kernel_sums_argument_short", kBoth, [](Args& a) { a.kernel_sums_len = 6; },
     Status::kBufferTooSmall},
    // kScratchTooSmall
    {"scratch_short", kBoth, [](Args& a) { a.scratch_delta = -1; }, Status::kScratchTooSmall},
    {"scratch_empty", kBoth, [](Args& a) { a.scratch_delta = -1000000; },
     Status::kScratchTooSmall},
    // kOverflow
    {"input_count_overflow", kBoth, [](Args& a) { a.shape.batches = INT_MAX; }, Status::kOverflow},
    {"output_count_overflow", kBoth,
     [](Args& a) {
       a.shape = {65536, 1, 65536}, a.input_len = a.weights_len = 65536;
     },
     Status::kOverflow},
    {"weight_count_overflow", kAll,
     [](Args& a) { a.shape.input_depth = a.shape.output_depth = 65536; }, Status::kOverflow},
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
  std::vector<Case> cases;
  for (const Rule& rule : kRules) {
    if (rule.ops & kPerTensor)
      cases.push_back({std::string("per_tensor_") + rule.name, kPerTensor, &rule});
    if (rule.ops & kPerChannel)
      cases.push_back({std::string("per_channel_") + rule.name, kPerChannel, &rule});
    if (rule.ops & kKernelSums)
      cases.push_back({std::string("kernel_sums_") + rule.name, kKernelSums, &rule});
  }
  return cases;
}

// Runs op's _check and op (or the check only) on the arguments `a` describes.
Status CallWith(const Args& a, Op op, Call call) {
  const std::vector<int8_t> input = Pattern(a.input_len);
  const std::vector<int8_t> weights = Pattern(a.weights_len);
  Guarded<int8_t> output(a.output_len);
  Guarded<int32_t> sums(a.sums_len);
  const int32_t scratch_bytes = tk::fully_connected_s8_scratch_size(a.shape) + a.scratch_delta;
  Guarded<int8_t> scratch(static_cast<size_t>(std::max(scratch_bytes, 0)));
  const std::vector<int32_t> kernel_sums(a.kernel_sums_len, 3);
  const Span<const int32_t> sums_arg = ConstSpan(kernel_sums, a.null_kernel_sums);
  const Span<const int8_t> in = ConstSpan(input, a.null_input);
  const Span<const int8_t> w = ConstSpan(weights, a.null_weights);
  const Span<const int32_t> bias = ConstSpan(a.bias, a.null_bias);
  Status status = Status::kOk;
  switch (op) {
    case kPerTensor:
      status = CallKernel(call, KV_KERNEL(fully_connected_s8),
                          std::make_tuple(a.params, a.quant, a.shape, in, w, bias,
                                          output.span(a.null_output),
                                          scratch.span(a.null_scratch), sums_arg),
                          output, sums, scratch);
      break;
    case kPerChannel:
      status = CallKernel(
          call, KV_KERNEL(fully_connected_s8),
          std::make_tuple(a.params,
                          tk::PerChannelQuant{ConstSpan(a.multiplier, a.null_multiplier),
                                              ConstSpan(a.shift, a.null_shift)},
                          a.shape, in, w, bias, output.span(a.null_output),
                          scratch.span(a.null_scratch), sums_arg),
          output, sums, scratch);
      break;
    case kKernelSums:
      status =
          CallKernel(call, KV_KERNEL(fully_connected_s8_kernel_sums),
                     std::make_tuple(a.params, a.shape, w, bias, sums.span(a.null_sums)), output,
                     sums, scratch);
      break;
  }
  ExpectNoStrayWrites(status, output, "the output");
  ExpectNoStrayWrites(status, sums, "the kernel sums");
  ExpectNoStrayWrites(status, scratch, "the scratch");
  return status;
}

class KernelValidationFullyConnected : public ::testing::TestWithParam<Case> {};

TEST_P(KernelValidationFullyConnected, Rule) {
  const Case& c = GetParam();
  Args a;
  c.rule->mutate(a);
  EXPECT_STREQ(tk::status_name(CallWith(a, c.op, Call::kCheckThenKernel)),
               tk::status_name(c.rule->expected));
}

// What a loader relies on: each check alone accepts a valid call and writes no buffer.
TEST_F(KernelValidationFullyConnected, CheckAcceptsValidCallWithoutWriting) {
  for (const Op op : {kPerTensor, kPerChannel, kKernelSums}) {
    EXPECT_EQ(CallWith(Args(), op, Call::kCheckOnly), Status::kOk) << "op " << op;
  }
}

// The scratch size is the same on every target (docs/kernels/matmul.md): one input row widened
// to int16 (8 bytes per group of four values) plus 4 bytes of alignment; 0 when it cannot be
// sized.
TEST_F(KernelValidationFullyConnected, ScratchSize) {
  EXPECT_EQ(tk::fully_connected_s8_scratch_size(Args().shape), 8 * 8 + 4);
  EXPECT_EQ(tk::fully_connected_s8_scratch_size({1, 1, 1}), 12);
  EXPECT_EQ(tk::fully_connected_s8_scratch_size({1, INT_MAX, 1}), 0);
}

INSTANTIATE_TEST_SUITE_P(, KernelValidationFullyConnected, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
