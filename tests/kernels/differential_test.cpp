// SPDX-License-Identifier: Apache-2.0
// Differential tests: every kernel against its textbook version (textbook.h) on random shapes,
// parameters and data, bit for bit. The same program runs on the host and on every board.
//
// usage: kernel_differential_test [CASES_PER_KERNEL] [SEED]
// A failure prints the kernel, the case number and its parameters; rerun with the same seed.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "textbook.h"
#include "tinyexec/kernels/batch_matmul.h"
#include "tinyexec/kernels/concat.h"
#include "tinyexec/kernels/conv.h"
#include "tinyexec/kernels/depthwise_conv.h"
#include "tinyexec/kernels/elementwise.h"
#include "tinyexec/kernels/fully_connected.h"
#include "tinyexec/kernels/pad.h"
#include "tinyexec/kernels/pooling.h"
#include "tinyexec/kernels/quantize.h"
#include "tinyexec/kernels/softmax.h"
#include "tinyexec/kernels/transpose.h"
#include "tinyexec/kernels/transpose_conv.h"

namespace tk = tinyexec::kernels;
namespace tb = tinyexec::textbook;

namespace {

constexpr int32_t kBuffer = 8192;
alignas(16) int8_t g_input[kBuffer];
alignas(16) int8_t g_input2[kBuffer];
alignas(16) int8_t g_filter[kBuffer];
alignas(16) int8_t g_expected[kBuffer];
alignas(16) int8_t g_actual[kBuffer];
alignas(16) int8_t g_scratch[4 * kBuffer];
alignas(16) int32_t g_accumulators[kBuffer];
int32_t g_bias[64];
int32_t g_multiplier[64];
int32_t g_shift[64];

uint32_t g_state = 1;
uint32_t next() {  // xorshift32
  g_state ^= g_state << 13;
  g_state ^= g_state >> 17;
  g_state ^= g_state << 5;
  return g_state;
}
int32_t range(int32_t lo, int32_t hi) {  // inclusive
  const uint32_t span = static_cast<uint32_t>(static_cast<int64_t>(hi) - lo) + 1u;  // 0: all
  const uint32_t offset = span == 0 ? next() : next() % span;
  return static_cast<int32_t>(static_cast<int64_t>(lo) + offset);
}
bool chance(int32_t percent) { return range(1, 100) <= percent; }

void fill(int8_t* data, int32_t count) {
  for (int32_t i = 0; i < count; ++i) data[i] = static_cast<int8_t>(next());
}
int32_t count_of(const tb::Dims& d) { return d.n * d.h * d.w * d.c; }
tk::Dims4 dims4(const tb::Dims& d) { return {d.n, d.h, d.w, d.c}; }

// Random requantization: mostly realistic scales, sometimes the extremes.
void random_quant(int32_t count, int32_t typical_shift_lo, int32_t typical_shift_hi) {
  for (int32_t i = 0; i < count; ++i) {
    g_multiplier[i] = chance(5) ? INT32_MAX : (1 << 30) + range(0, (1 << 30) - 1);
    g_shift[i] = chance(5) ? range(-31, 2) : range(typical_shift_lo, typical_shift_hi);
  }
}
void random_activation(int32_t* lo, int32_t* hi) {
  *lo = chance(50) ? -128 : range(-128, 0);
  *hi = chance(50) ? 127 : range(*lo, 127);
}

int g_failures = 0;
int g_cases = 0;

bool compare(const char* kernel, int case_number, tk::Status status, int32_t count,
             const char* params) {
  ++g_cases;
  if (status != tk::Status::kOk) {
    std::printf("FAIL %s case %d: kernel returned %s (%s)\n", kernel, case_number,
                tk::status_name(status), params);
    ++g_failures;
    return false;
  }
  for (int32_t i = 0; i < count; ++i) {
    if (g_actual[i] != g_expected[i]) {
      std::printf("FAIL %s case %d: element %ld is %d, textbook says %d (%s)\n", kernel,
                  case_number, static_cast<long>(i), g_actual[i], g_expected[i], params);
      ++g_failures;
      return false;
    }
  }
  return true;
}

// One spatial axis of a (dilated) convolution or pool with a valid SAME/VALID-style output size.
struct Axis {
  int32_t in, filter, stride, dilation, pad, out;
};
Axis random_axis(int32_t max_in, int32_t max_filter, int32_t max_stride, int32_t max_dilation) {
  for (;;) {
    Axis a{range(1, max_in), range(1, max_filter), range(1, max_stride), range(1, max_dilation), 0, 0};
    const int32_t effective = (a.filter - 1) * a.dilation + 1;
    a.pad = range(0, effective - 1);
    const int32_t pad_after = range(0, effective - 1);
    const int32_t span = a.in + a.pad + pad_after - effective;
    if (span < 0) continue;
    a.out = span / a.stride + 1;
    return a;
  }
}

// The kernel's parameters for a textbook convolution.
tk::Conv2dParams conv_params(const tb::ConvArgs& a) {
  tk::Conv2dParams p;
  p.stride_h = a.stride_h, p.stride_w = a.stride_w, p.pad_h = a.pad_h, p.pad_w = a.pad_w;
  p.dilation_h = a.dilation_h, p.dilation_w = a.dilation_w;
  p.input_offset = a.input_offset, p.output_offset = a.output_offset;
  p.activation = {a.act_min, a.act_max};
  return p;
}

// conv2d_s8 and depthwise_conv2d_s8 share one signature: call either on the global buffers.
using ConvKernel = tk::Status (*)(const tk::Conv2dParams&, const tk::PerChannelQuant&,
                                  const tk::Dims4&, tk::Span<const int8_t>, const tk::Dims4&,
                                  tk::Span<const int8_t>, tk::Span<const int32_t>,
                                  const tk::Dims4&, tk::Span<int8_t>, tk::Span<int8_t>);
tk::Status call_conv(ConvKernel kernel, const tk::Conv2dParams& p, const tb::ConvArgs& a,
                     const tb::Dims& in, const tb::Dims& f, const tb::Dims& out, int32_t scratch) {
  const size_t channels = static_cast<size_t>(out.c);
  return kernel(p, {{g_multiplier, channels}, {g_shift, channels}}, dims4(in),
                {g_input, static_cast<size_t>(count_of(in))}, dims4(f),
                {g_filter, static_cast<size_t>(count_of(f))},
                {a.bias, a.bias != nullptr ? channels : 0}, dims4(out),
                {g_actual, static_cast<size_t>(count_of(out))},
                {g_scratch, static_cast<size_t>(scratch)});
}

void test_conv(int cases) {
  for (int i = 0; i < cases; ++i) {
    const int32_t groups = chance(70) ? 1 : range(2, 3);
    const Axis y = random_axis(9, 4, 3, 2), x = random_axis(9, 4, 3, 2);
    const tb::Dims in{range(1, 2), y.in, x.in, groups * range(1, 8)};
    const tb::Dims f{groups * range(1, 6), y.filter, x.filter, in.c / groups};
    const tb::Dims out{in.n, y.out, x.out, f.n};
    tb::ConvArgs a{y.stride, x.stride, y.pad, x.pad, y.dilation, x.dilation,
                   range(-127, 128), range(-128, 127), 0, 0, g_multiplier, g_shift,
                   chance(80) ? g_bias : nullptr};
    random_activation(&a.act_min, &a.act_max);
    fill(g_input, count_of(in));
    fill(g_filter, count_of(f));
    for (int32_t c = 0; c < out.c; ++c) g_bias[c] = range(-5000, 5000);
    random_quant(out.c, -12, -5);
    tb::conv2d(a, in, g_input, f, g_filter, out, g_expected);
    const tk::Conv2dParams p = conv_params(a);
    const tk::Dims4 in4 = dims4(in), f4 = dims4(f), out4 = dims4(out);
    const int32_t scratch = tk::conv2d_s8_scratch_size(p, in4, f4, out4);
    const tk::Status status = call_conv(tk::conv2d_s8, p, a, in, f, out, scratch);
    char params[512];
    std::snprintf(params, sizeof params,
                  "in %ldx%ldx%ldx%ld filter %ldx%ldx%ldx%ld stride %ld,%ld pad %ld,%ld dil %ld,%ld",
                  (long)in.n, (long)in.h, (long)in.w, (long)in.c, (long)f.n, (long)f.h, (long)f.w,
                  (long)f.c, (long)a.stride_h, (long)a.stride_w, (long)a.pad_h, (long)a.pad_w,
                  (long)a.dilation_h, (long)a.dilation_w);
    compare("conv2d_s8", i, status, count_of(out), params);
  }
}

void test_depthwise(int cases) {
  for (int i = 0; i < cases; ++i) {
    const Axis y = random_axis(9, 4, 3, 2), x = random_axis(9, 4, 3, 2);
    const tb::Dims in{range(1, 2), y.in, x.in, range(1, 12)};
    const int32_t multiplier = chance(70) ? 1 : range(2, 4);
    const tb::Dims f{1, y.filter, x.filter, in.c * multiplier};
    const tb::Dims out{in.n, y.out, x.out, f.c};
    tb::ConvArgs a{y.stride, x.stride, y.pad, x.pad, y.dilation, x.dilation,
                   range(-127, 128), range(-128, 127), 0, 0, g_multiplier, g_shift,
                   chance(80) ? g_bias : nullptr};
    random_activation(&a.act_min, &a.act_max);
    fill(g_input, count_of(in));
    fill(g_filter, count_of(f));
    for (int32_t c = 0; c < out.c; ++c) g_bias[c] = range(-5000, 5000);
    random_quant(out.c, -10, -4);
    tb::depthwise_conv2d(a, in, g_input, f, g_filter, out, g_expected);
    const tk::Conv2dParams p = conv_params(a);
    const tk::Dims4 in4 = dims4(in), f4 = dims4(f), out4 = dims4(out);
    const int32_t scratch = tk::depthwise_conv2d_s8_scratch_size(p, in4, f4, out4);
    const tk::Status status = call_conv(tk::depthwise_conv2d_s8, p, a, in, f, out, scratch);
    char params[512];
    std::snprintf(params, sizeof params, "in %ldx%ldx%ldx%ld mult %ld filter %ldx%ld",
                  (long)in.n, (long)in.h, (long)in.w, (long)in.c, (long)multiplier, (long)f.h,
                  (long)f.w);
    compare("depthwise_conv2d_s8", i, status, count_of(out), params);
  }
}

void test_transpose_conv(int cases) {
  for (int i = 0; i < cases; ++i) {
    int32_t dims[2][5];  // per axis: in, filter, stride, pad, out
    for (auto& axis : dims) {
      for (;;) {
        const int32_t in = range(1, 6), filter = range(1, 4), stride = range(1, 3);
        const int32_t full = (in - 1) * stride + filter;
        const int32_t pad = range(0, filter - 1);
        const int32_t min_after = filter - stride < 0 ? filter - stride : 0;
        const int32_t out = full - pad - range(min_after, filter - 1);
        if (out < 1) continue;
        axis[0] = in, axis[1] = filter, axis[2] = stride, axis[3] = pad, axis[4] = out;
        break;
      }
    }
    const tb::Dims in{range(1, 2), dims[0][0], dims[1][0], range(1, 6)};
    const tb::Dims f{range(1, 6), dims[0][1], dims[1][1], in.c};
    const tb::Dims out{in.n, dims[0][4], dims[1][4], f.n};
    tb::ConvArgs a{dims[0][2], dims[1][2], dims[0][3], dims[1][3], 1, 1, range(-127, 128),
                   range(-128, 127), 0, 0, g_multiplier, g_shift, chance(80) ? g_bias : nullptr};
    random_activation(&a.act_min, &a.act_max);
    fill(g_input, count_of(in));
    fill(g_filter, count_of(f));
    for (int32_t c = 0; c < out.c; ++c) g_bias[c] = range(-5000, 5000);
    random_quant(out.c, -10, -4);
    tb::transpose_conv2d(a, in, g_input, f, g_filter, out, g_accumulators, g_expected);
    tk::TransposeConv2dParams p;
    p.stride_h = a.stride_h, p.stride_w = a.stride_w, p.pad_h = a.pad_h, p.pad_w = a.pad_w;
    p.input_offset = a.input_offset, p.output_offset = a.output_offset;
    p.activation = {a.act_min, a.act_max};
    const tk::Dims4 in4 = dims4(in), f4 = dims4(f), out4 = dims4(out);
    const int32_t scratch = tk::transpose_conv2d_s8_scratch_size(p, in4, f4, out4);
    const tk::Status status = tk::transpose_conv2d_s8(
        p, {{g_multiplier, static_cast<size_t>(out.c)}, {g_shift, static_cast<size_t>(out.c)}},
        in4, {g_input, static_cast<size_t>(count_of(in))}, f4,
        {g_filter, static_cast<size_t>(count_of(f))},
        {a.bias, a.bias != nullptr ? static_cast<size_t>(out.c) : 0}, out4,
        {g_actual, static_cast<size_t>(count_of(out))},
        {g_scratch, static_cast<size_t>(scratch > 0 ? scratch : 0)});
    char params[512];
    std::snprintf(params, sizeof params, "in %ldx%ldx%ldx%ld out %ldx%ld stride %ld,%ld pad %ld,%ld",
                  (long)in.n, (long)in.h, (long)in.w, (long)in.c, (long)out.h, (long)out.w,
                  (long)a.stride_h, (long)a.stride_w, (long)a.pad_h, (long)a.pad_w);
    compare("transpose_conv2d_s8", i, status, count_of(out), params);
  }
}

void test_fully_connected(int cases) {
  for (int i = 0; i < cases; ++i) {
    const int32_t batches = range(1, 3), depth = range(1, 300), outputs = range(1, 24);
    const bool per_channel = chance(50);
    const int32_t input_offset = range(-127, 128);
    const int32_t filter_offset = chance(70) ? 0 : range(-127, 128);
    const int32_t output_offset = range(-128, 127);
    int32_t lo, hi;
    random_activation(&lo, &hi);
    const bool has_bias = chance(80);
    fill(g_input, batches * depth);
    fill(g_filter, outputs * depth);
    for (int32_t c = 0; c < outputs; ++c) g_bias[c] = range(-20000, 20000);
    random_quant(outputs, -14, -6);
    tb::fully_connected(batches, depth, outputs, input_offset, filter_offset, output_offset, lo,
                        hi, g_multiplier, g_shift, per_channel, g_input, g_filter,
                        has_bias ? g_bias : nullptr, g_expected);
    tk::FullyConnectedParams p;
    p.input_offset = input_offset, p.filter_offset = filter_offset;
    p.output_offset = output_offset, p.activation = {lo, hi};
    const tk::FullyConnectedShape shape{batches, depth, outputs};
    const int32_t scratch = tk::fully_connected_s8_scratch_size(shape);
    const tk::Span<const int8_t> input{g_input, static_cast<size_t>(batches * depth)};
    const tk::Span<const int8_t> weights{g_filter, static_cast<size_t>(outputs * depth)};
    const tk::Span<const int32_t> bias{has_bias ? g_bias : nullptr,
                                       has_bias ? static_cast<size_t>(outputs) : 0};
    const tk::Span<int8_t> output{g_actual, static_cast<size_t>(batches * outputs)};
    const tk::Span<int8_t> scratch_span{g_scratch, static_cast<size_t>(scratch)};
    const tk::Status status =
        per_channel
            ? tk::fully_connected_s8(p,
                                     tk::PerChannelQuant{{g_multiplier, static_cast<size_t>(outputs)},
                                                         {g_shift, static_cast<size_t>(outputs)}},
                                     shape, input, weights, bias, output, scratch_span)
            : tk::fully_connected_s8(p, tk::PerTensorQuant{g_multiplier[0], g_shift[0]}, shape,
                                     input, weights, bias, output, scratch_span);
    char params[512];
    std::snprintf(params, sizeof params, "batches %ld depth %ld outputs %ld per-channel %d",
                  (long)batches, (long)depth, (long)outputs, per_channel ? 1 : 0);
    compare("fully_connected_s8", i, status, batches * outputs, params);
  }
}

// One batch matmul case (the caller has set g_multiplier[0] / g_shift[0]): random operands and
// activation, against the textbook reference; `what` names the group of cases in a failure.
void run_batch_matmul_case(const char* what, int i, const tb::Dims& lhs, const tb::Dims& rhs,
                           const tb::Dims& out, int32_t lhs_offset, int32_t rhs_offset,
                           int32_t output_offset) {
  int32_t lo, hi;
  random_activation(&lo, &hi);
  fill(g_input, count_of(lhs));
  fill(g_input2, count_of(rhs));
  tb::batch_matmul(lhs, g_input, rhs, g_input2, out, lhs_offset, rhs_offset, output_offset, lo, hi,
                   g_multiplier[0], g_shift[0], g_expected);
  tk::BatchMatmulParams p;
  p.lhs_offset = lhs_offset, p.rhs_offset = rhs_offset, p.output_offset = output_offset;
  p.activation = {lo, hi};
  const tk::Dims4 lhs4 = dims4(lhs), rhs4 = dims4(rhs), out4 = dims4(out);
  const int32_t scratch = tk::batch_matmul_s8_scratch_size(lhs4, rhs4, out4);
  const tk::Status status = tk::batch_matmul_s8(
      p, {g_multiplier[0], g_shift[0]}, lhs4, {g_input, static_cast<size_t>(count_of(lhs))}, rhs4,
      {g_input2, static_cast<size_t>(count_of(rhs))}, out4,
      {g_actual, static_cast<size_t>(count_of(out))}, {g_scratch, static_cast<size_t>(scratch)});
  char params[512];
  std::snprintf(params, sizeof params, "lhs %ldx%ldx%ldx%ld rhs %ldx%ldx%ldx%ld offsets %ld,%ld",
                (long)lhs.n, (long)lhs.h, (long)lhs.w, (long)lhs.c, (long)rhs.n, (long)rhs.h,
                (long)rhs.w, (long)rhs.c, (long)lhs_offset, (long)rhs_offset);
  compare(what, i, status, count_of(out), params);
}

void test_batch_matmul(int cases) {
  for (int i = 0; i < cases; ++i) {
    const int32_t n = range(1, 2), h = range(1, 3), rows = range(1, 8), cols = range(1, 8),
                  depth = range(1, 20);
    const tb::Dims lhs{chance(30) ? 1 : n, chance(30) ? 1 : h, rows, depth};
    const tb::Dims rhs{chance(30) ? 1 : n, chance(30) ? 1 : h, cols, depth};
    const tb::Dims out{lhs.n > rhs.n ? lhs.n : rhs.n, lhs.h > rhs.h ? lhs.h : rhs.h, rows, cols};
    const int32_t lhs_offset = range(-127, 128), rhs_offset = range(-127, 128),
                  output_offset = range(-128, 127);
    random_quant(1, -14, -7);
    run_batch_matmul_case("batch_matmul_s8", i, lhs, rhs, out, lhs_offset, rhs_offset,
                          output_offset);
  }
}

// ---- Conv, depthwise, fully connected, batch matmul: edge cases for the DSP / Helium
// variants (channel counts past every tile and vector tail, 1x1 / 1xN / 3x3 paths, K below and
// above 16, extreme offsets and requantization parameters).

// -zero point of an input, [-127, 128]: the extremes and 0 often.
int32_t mac_input_offset() {
  const int32_t pick = range(0, 9);
  if (pick == 0) return 128;
  if (pick == 1) return -127;
  if (pick == 2) return 0;
  return range(-127, 128);
}
int32_t mac_output_offset() { return chance(30) ? (chance(50) ? -128 : 127) : range(-128, 127); }

// Requantization of `count` channels, each from a different regime: the usual right shifts,
// shift 0 and left shifts, very large right shifts, multipliers 0 / 2^30 / INT32_MAX.
void mac_quant(int32_t count) {
  for (int32_t i = 0; i < count; ++i) {
    const int32_t pick = range(0, 19), kind = range(0, 19);
    g_multiplier[i] = pick == 0   ? 0
                      : pick == 1 ? INT32_MAX
                      : pick == 2 ? 1 << 30
                                  : (1 << 30) + range(0, (1 << 30) - 1);
    g_shift[i] = kind == 0   ? range(0, 4)
                 : kind == 1 ? range(-31, -22)
                 : kind == 2 ? -1
                             : range(-12, -4);
  }
}

void test_conv_edges(int cases) {
  for (int i = 0; i < cases; ++i) {
    tb::ConvArgs a{1, 1, 0, 0, 1, 1, mac_input_offset(), mac_output_offset(), 0, 0,
                   g_multiplier, g_shift, chance(80) ? g_bias : nullptr};
    random_activation(&a.act_min, &a.act_max);
    tb::Dims in{}, f{};
    Axis y{}, x{};
    int32_t groups = 1;
    switch (i % 6) {
      case 0:  // 1x1, any stride: K = input channels (below and above 16)
        y = random_axis(7, 1, 2, 1), x = random_axis(7, 1, 2, 1);
        in = {range(1, 2), y.in, x.in, range(1, 40)};
        f = {range(1, 40), 1, 1, in.c};
        break;
      case 1:  // 1xN
        y = {1, 1, 1, 1, 0, 1}, x = random_axis(12, 5, 2, 1);
        in = {range(1, 2), 1, x.in, range(1, 20)};
        f = {range(1, 24), 1, x.filter, in.c};
        break;
      case 2:  // 3x3 with padding
        y = random_axis(8, 3, 2, 1), x = random_axis(8, 3, 2, 1);
        y.filter = x.filter = 3;
        y.pad = range(0, 1), x.pad = range(0, 1);
        y.out = (y.in + 2 * y.pad - 3) / y.stride + 1;
        x.out = (x.in + 2 * x.pad - 3) / x.stride + 1;
        if (y.out < 1 || x.out < 1) y = x = {3, 3, 1, 1, 0, 1};
        in = {range(1, 2), y.in, x.in, range(1, 16)};
        f = {range(1, 24), 3, 3, in.c};
        break;
      case 3:  // groups
        groups = range(2, 4);
        y = random_axis(6, 3, 2, 2), x = random_axis(6, 3, 2, 2);
        in = {1, y.in, x.in, groups * range(1, 6)};
        f = {groups * range(1, 7), y.filter, x.filter, in.c / groups};
        break;
      case 4:  // anything: dilation, asymmetric padding
        y = random_axis(8, 4, 3, 3), x = random_axis(8, 4, 3, 3);
        in = {range(1, 2), y.in, x.in, range(1, 12)};
        f = {range(1, 20), y.filter, x.filter, in.c};
        break;
      default:  // large windows (K from 128 to 600)
        y = random_axis(5, 3, 2, 1), x = random_axis(5, 3, 2, 1);
        in = {1, y.in, x.in, range(16, 64)};
        f = {range(1, 13), y.filter, x.filter, in.c};
        if (f.h * f.w * f.c < 128) f.c = in.c = 128 / (f.h * f.w) + range(0, 8);
        break;
    }
    if (count_of(in) > kBuffer || count_of(f) > kBuffer) continue;
    a.stride_h = y.stride, a.stride_w = x.stride, a.pad_h = y.pad, a.pad_w = x.pad;
    a.dilation_h = y.dilation, a.dilation_w = x.dilation;
    const tb::Dims out{in.n, y.out, x.out, f.n};
    if (count_of(out) > kBuffer) continue;
    fill(g_input, count_of(in));
    fill(g_filter, count_of(f));
    for (int32_t c = 0; c < out.c; ++c) {
      g_bias[c] = chance(10) ? range(INT32_MIN / 2, INT32_MAX / 2) : range(-30000, 30000);
    }
    mac_quant(out.c);
    tb::conv2d(a, in, g_input, f, g_filter, out, g_expected);
    const tk::Conv2dParams p = conv_params(a);
    const int32_t scratch = tk::conv2d_s8_scratch_size(p, dims4(in), dims4(f), dims4(out));
    if (scratch > static_cast<int32_t>(sizeof g_scratch)) continue;
    const tk::Status status = call_conv(tk::conv2d_s8, p, a, in, f, out, scratch);
    char params[512];
    std::snprintf(params, sizeof params,
                  "in %ldx%ldx%ldx%ld filter %ldx%ldx%ldx%ld stride %ld,%ld pad %ld,%ld dil "
                  "%ld,%ld offsets %ld,%ld",
                  (long)in.n, (long)in.h, (long)in.w, (long)in.c, (long)f.n, (long)f.h, (long)f.w,
                  (long)f.c, (long)a.stride_h, (long)a.stride_w, (long)a.pad_h, (long)a.pad_w,
                  (long)a.dilation_h, (long)a.dilation_w, (long)a.input_offset,
                  (long)a.output_offset);
    compare("conv2d_s8 (edges)", i, status, count_of(out), params);
  }
}

// One depthwise case on the y and x axes (out sizes set), in.c input channels times the depth
// multiplier: extreme offsets, every requantization regime, random activation; `what` names
// the group of cases in a failure.
void run_depthwise_case(const char* what, int i, const Axis& y, const Axis& x, int32_t batches,
                        int32_t in_c, int32_t multiplier) {
  const tb::Dims in{batches, y.in, x.in, in_c};
  const tb::Dims f{1, y.filter, x.filter, in_c * multiplier};
  const tb::Dims out{in.n, y.out, x.out, f.c};
  if (out.h < 1 || out.w < 1) return;
  if (count_of(in) > kBuffer || count_of(f) > kBuffer || count_of(out) > kBuffer) return;
  tb::ConvArgs a{y.stride, x.stride, y.pad, x.pad, y.dilation, x.dilation, mac_input_offset(),
                 mac_output_offset(), 0, 0, g_multiplier, g_shift, chance(80) ? g_bias : nullptr};
  random_activation(&a.act_min, &a.act_max);
  fill(g_input, count_of(in));
  fill(g_filter, count_of(f));
  for (int32_t c = 0; c < out.c; ++c) g_bias[c] = range(-30000, 30000);
  mac_quant(out.c);
  tb::depthwise_conv2d(a, in, g_input, f, g_filter, out, g_expected);
  const tk::Conv2dParams p = conv_params(a);
  const int32_t scratch = tk::depthwise_conv2d_s8_scratch_size(p, dims4(in), dims4(f), dims4(out));
  if (scratch > static_cast<int32_t>(sizeof g_scratch)) return;
  const tk::Status status = call_conv(tk::depthwise_conv2d_s8, p, a, in, f, out, scratch);
  char params[512];
  std::snprintf(params, sizeof params,
                "in %ldx%ldx%ldx%ld mult %ld filter %ldx%ld stride %ld,%ld pad %ld,%ld dil "
                "%ld,%ld offsets %ld,%ld",
                (long)in.n, (long)in.h, (long)in.w, (long)in.c, (long)multiplier, (long)f.h,
                (long)f.w, (long)a.stride_h, (long)a.stride_w, (long)a.pad_h, (long)a.pad_w,
                (long)a.dilation_h, (long)a.dilation_w, (long)a.input_offset,
                (long)a.output_offset);
  char name[64];
  std::snprintf(name, sizeof name, "depthwise_conv2d_s8 (%s)", what);
  compare(name, i, status, count_of(out), params);
}

// A 3x3 axis with the given size, stride, dilation and padding (both sides).
Axis axis3(int32_t in, int32_t stride, int32_t dilation, int32_t pad) {
  const int32_t span = in + 2 * pad - 2 * dilation - 1;
  return Axis{in, 3, stride, dilation, pad, span < 0 ? 0 : span / stride + 1};
}

void test_depthwise_edges(int cases) {
  for (int i = 0; i < cases; ++i) {
    Axis y{}, x{};
    if (i % 2 == 0) {  // 3x3 (the unrolled interior path), SAME-like padding
      const int32_t stride = range(1, 2);
      y = axis3(range(1, 8), stride, 1, range(0, 1));
      x = axis3(range(1, 8), stride, 1, range(0, 1));
      if (y.out < 1 || x.out < 1) y = x = {3, 3, 1, 1, 0, 1};
    } else {
      y = random_axis(8, 5, 2, 2), x = random_axis(8, 5, 2, 2);
    }
    const int32_t multiplier = chance(80) ? 1 : range(2, 3);
    run_depthwise_case("edges", i, y, x, range(1, 2), range(1, 64 / multiplier), multiplier);
  }
}

// Depthwise 3x3 with 1, 2, 4 or 8 channels, stride 1 along x and rows long enough that the
// Helium variant packs 16 / channels neighbouring pixels into one vector (and leaves a rest).
void test_depthwise_packed(int cases) {
  for (int i = 0; i < cases; ++i) {
    const int32_t channels = 1 << range(0, 3);
    const int32_t dilation = chance(25) ? 2 : 1, pad = range(0, 1) * dilation;
    const Axis y = axis3(range(3, 7), range(1, 2), dilation, pad);
    const Axis x = axis3(range(2 * dilation + 1, 48), 1, dilation, pad);
    run_depthwise_case("packed pixels", i, y, x, 1, channels, 1);
  }
}

// Depthwise 3x3 with a multiple of 16 channels: the Helium variant runs whole rows per call,
// edge windows with tap tables (rows wider than the scratch holds tables for, windows partly
// or wholly in the padding, several images).
void test_depthwise_rows(int cases) {
  for (int i = 0; i < cases; ++i) {
    const int32_t channels = 16 * range(1, 4);
    Axis axes[2];  // y, x
    for (Axis& axis : axes) {
      const int32_t dilation = chance(25) ? 2 : 1;
      axis = axis3(range(1, 12), range(1, 2), dilation, range(0, 2 * dilation));
    }
    run_depthwise_case("rows", i, axes[0], axes[1], range(1, 2), channels, 1);
  }
}

// Fully connected with every depth tail (1..100), output counts past every tile, the
// precomputed kernel sums (the Helium variant's fast path) or none, asymmetric weights.
void test_fully_connected_edges(int cases) {
  static int32_t sums[64];
  for (int i = 0; i < cases; ++i) {
    const int32_t batches = range(1, 4), depth = 1 + i % 100, outputs = range(1, 40);
    if (batches * depth > kBuffer || outputs * depth > kBuffer) continue;
    const bool per_channel = chance(50);
    const int32_t input_offset = mac_input_offset();
    const int32_t filter_offset = chance(70) ? 0 : mac_input_offset();
    const int32_t output_offset = mac_output_offset();
    int32_t lo, hi;
    random_activation(&lo, &hi);
    const bool has_bias = chance(80), with_sums = chance(50);
    fill(g_input, batches * depth);
    fill(g_filter, outputs * depth);
    for (int32_t c = 0; c < outputs; ++c) g_bias[c] = range(-100000, 100000);
    mac_quant(outputs);
    tb::fully_connected(batches, depth, outputs, input_offset, filter_offset, output_offset, lo,
                        hi, g_multiplier, g_shift, per_channel, g_input, g_filter,
                        has_bias ? g_bias : nullptr, g_expected);
    tk::FullyConnectedParams p;
    p.input_offset = input_offset, p.filter_offset = filter_offset;
    p.output_offset = output_offset, p.activation = {lo, hi};
    const tk::FullyConnectedShape shape{batches, depth, outputs};
    const tk::Span<const int8_t> weights{g_filter, static_cast<size_t>(outputs * depth)};
    const tk::Span<const int32_t> bias{has_bias ? g_bias : nullptr,
                                       has_bias ? static_cast<size_t>(outputs) : 0};
    if (with_sums) {
      tk::fully_connected_s8_kernel_sums(p, shape, weights, bias,
                                         {sums, static_cast<size_t>(outputs)});
    }
    const tk::Span<const int32_t> kernel_sums{with_sums ? sums : nullptr,
                                              with_sums ? static_cast<size_t>(outputs) : 0};
    const int32_t scratch = tk::fully_connected_s8_scratch_size(shape);
    const tk::Span<const int8_t> input{g_input, static_cast<size_t>(batches * depth)};
    const tk::Span<int8_t> output{g_actual, static_cast<size_t>(batches * outputs)};
    const tk::Span<int8_t> scratch_span{g_scratch, static_cast<size_t>(scratch)};
    const tk::PerChannelQuant channel_quant{{g_multiplier, static_cast<size_t>(outputs)},
                                            {g_shift, static_cast<size_t>(outputs)}};
    const tk::Status status =
        per_channel ? tk::fully_connected_s8(p, channel_quant, shape, input, weights, bias,
                                             output, scratch_span, kernel_sums)
                    : tk::fully_connected_s8(p, tk::PerTensorQuant{g_multiplier[0], g_shift[0]},
                                             shape, input, weights, bias, output, scratch_span,
                                             kernel_sums);
    char params[512];
    std::snprintf(params, sizeof params,
                  "batches %ld depth %ld outputs %ld per-channel %d sums %d offsets %ld,%ld,%ld",
                  (long)batches, (long)depth, (long)outputs, per_channel ? 1 : 0, with_sums ? 1 : 0,
                  (long)input_offset, (long)filter_offset, (long)output_offset);
    compare("fully_connected_s8 (edges)", i, status, batches * outputs, params);
  }
}

// Fully connected with more than 64 outputs (per tensor): the Helium path's column chunks
// when there is no bias.
void test_fully_connected_wide(int cases) {
  static int32_t bias[160], sums[160];
  for (int i = 0; i < cases; ++i) {
    const int32_t batches = range(1, 2), depth = range(1, 48), outputs = range(65, 160);
    const int32_t input_offset = mac_input_offset(), output_offset = mac_output_offset();
    int32_t lo, hi;
    random_activation(&lo, &hi);
    const bool has_bias = chance(50), with_sums = chance(50);
    fill(g_input, batches * depth);
    fill(g_filter, outputs * depth);
    for (int32_t c = 0; c < outputs; ++c) bias[c] = range(-100000, 100000);
    mac_quant(1);
    tb::fully_connected(batches, depth, outputs, input_offset, 0, output_offset, lo, hi,
                        g_multiplier, g_shift, false, g_input, g_filter, has_bias ? bias : nullptr,
                        g_expected);
    tk::FullyConnectedParams p;
    p.input_offset = input_offset, p.output_offset = output_offset, p.activation = {lo, hi};
    const tk::FullyConnectedShape shape{batches, depth, outputs};
    const tk::Span<const int8_t> weights{g_filter, static_cast<size_t>(outputs * depth)};
    if (with_sums) {
      tk::fully_connected_s8_kernel_sums(
          p, shape, weights, {has_bias ? bias : nullptr, has_bias ? static_cast<size_t>(outputs) : 0},
          {sums, static_cast<size_t>(outputs)});
    }
    const tk::Status status = tk::fully_connected_s8(
        p, tk::PerTensorQuant{g_multiplier[0], g_shift[0]}, shape,
        {g_input, static_cast<size_t>(batches * depth)}, weights,
        {has_bias ? bias : nullptr, has_bias ? static_cast<size_t>(outputs) : 0},
        {g_actual, static_cast<size_t>(batches * outputs)},
        {g_scratch, static_cast<size_t>(tk::fully_connected_s8_scratch_size(shape))},
        {with_sums ? sums : nullptr, with_sums ? static_cast<size_t>(outputs) : 0});
    char params[512];
    std::snprintf(params, sizeof params,
                  "batches %ld depth %ld outputs %ld bias %d sums %d offsets %ld,%ld",
                  (long)batches, (long)depth, (long)outputs, has_bias ? 1 : 0, with_sums ? 1 : 0,
                  (long)input_offset, (long)output_offset);
    compare("fully_connected_s8 (wide)", i, status, batches * outputs, params);
  }
}

// Batch matmul with depths past every tail and both offsets at the extremes.
void test_batch_matmul_edges(int cases) {
  for (int i = 0; i < cases; ++i) {
    const int32_t rows = range(1, 6), cols = range(1, 13), depth = 1 + i % 70;
    const tb::Dims lhs{range(1, 2), 1, rows, depth};
    const tb::Dims rhs{chance(50) ? 1 : lhs.n, 1, cols, depth};
    const tb::Dims out{lhs.n, 1, rows, cols};
    const int32_t lhs_offset = mac_input_offset(), rhs_offset = mac_input_offset(),
                  output_offset = mac_output_offset();
    mac_quant(1);
    run_batch_matmul_case("batch_matmul_s8 (edges)", i, lhs, rhs, out, lhs_offset, rhs_offset,
                          output_offset);
  }
}

// Two shapes that broadcast to `out`: each dim of an input is the output's or 1.
void random_broadcast(tb::Dims* out, tb::Dims* a, tb::Dims* b) {
  *out = {range(1, 2), range(1, 6), range(1, 6), range(1, 20)};
  int32_t* o = &out->n;
  int32_t* pa = &a->n;
  int32_t* pb = &b->n;
  const bool broadcast = chance(60);
  for (int k = 0; k < 4; ++k) {
    pa[k] = broadcast && chance(30) ? 1 : o[k];
    pb[k] = broadcast && chance(30) ? 1 : o[k];
  }
}

void test_elementwise(int cases) {
  for (int i = 0; i < cases; ++i) {
    tb::Dims out{}, d1{}, d2{};
    random_broadcast(&out, &d1, &d2);
    fill(g_input, count_of(d1));
    fill(g_input2, count_of(d2));
    const tk::Dims4 o4 = dims4(out), a4 = dims4(d1), b4 = dims4(d2);
    const tk::Span<const int8_t> in1{g_input, static_cast<size_t>(count_of(d1))};
    const tk::Span<const int8_t> in2{g_input2, static_cast<size_t>(count_of(d2))};
    const tk::Span<int8_t> output{g_actual, static_cast<size_t>(count_of(out))};
    char params[512];
    std::snprintf(params, sizeof params, "out %ldx%ldx%ldx%ld in1 %ldx%ldx%ldx%ld", (long)out.n,
                  (long)out.h, (long)out.w, (long)out.c, (long)d1.n, (long)d1.h, (long)d1.w,
                  (long)d1.c);
    const int kind = static_cast<int>(range(0, 3));
    if (kind == 0) {
      tb::AddArgs a{range(-127, 128), range(-127, 128), 20, 0, 0, 0, 0, 0, 0, range(-128, 127),
                    0, 0};
      random_quant(3, -8, -1);
      a.input1_multiplier = g_multiplier[0], a.input1_shift = g_shift[0] > 0 ? 0 : g_shift[0];
      a.input2_multiplier = g_multiplier[1], a.input2_shift = g_shift[1] > 0 ? 0 : g_shift[1];
      a.output_multiplier = g_multiplier[2], a.output_shift = range(-24, -16);
      random_activation(&a.act_min, &a.act_max);
      tb::add(a, d1, g_input, d2, g_input2, out, g_expected);
      tk::AddParams p{a.input1_offset, a.input2_offset, a.left_shift,
                      {a.input1_multiplier, a.input1_shift}, {a.input2_multiplier, a.input2_shift},
                      {a.output_multiplier, a.output_shift}, a.output_offset,
                      {a.act_min, a.act_max}};
      compare("add_s8", i, tk::add_s8(p, a4, in1, b4, in2, o4, output), count_of(out), params);
    } else if (kind == 1) {
      const int32_t off1 = range(-127, 128), off2 = range(-127, 128), zp = range(-128, 127);
      int32_t lo, hi;
      random_activation(&lo, &hi);
      random_quant(1, -16, -6);
      tb::mul(off1, off2, g_multiplier[0], g_shift[0], zp, lo, hi, d1, g_input, d2, g_input2, out,
              g_expected);
      tk::MulParams p{off1, off2, {g_multiplier[0], g_shift[0]}, zp, {lo, hi}};
      compare("mul_s8", i, tk::mul_s8(p, a4, in1, b4, in2, o4, output), count_of(out), params);
    } else {
      const bool maximum = kind == 2;
      tb::maximum_or_minimum(maximum, d1, g_input, d2, g_input2, out, g_expected);
      const tk::Status status = maximum ? tk::maximum_s8(a4, in1, b4, in2, o4, output)
                                        : tk::minimum_s8(a4, in1, b4, in2, o4, output);
      compare(maximum ? "maximum_s8" : "minimum_s8", i, status, count_of(out), params);
    }
  }
}

// One pooling case (average or max) on g_input against the textbook; `suffix` tells the test
// the case comes from ("", " (edges)", " (large)").
void run_pool_case(const char* suffix, int i, bool average, const tb::PoolArgs& a,
                   const tb::Dims& in, const tb::Dims& out) {
  tb::pool(average, a, in, g_input, out, g_expected);
  const tk::PoolParams p{a.filter_h, a.filter_w, a.stride_h, a.stride_w, a.pad_h, a.pad_w,
                         {a.act_min, a.act_max}};
  const tk::Dims4 in4 = dims4(in), out4 = dims4(out);
  const tk::Span<const int8_t> input{g_input, static_cast<size_t>(count_of(in))};
  const tk::Span<int8_t> output{g_actual, static_cast<size_t>(count_of(out))};
  const int32_t scratch = tk::avg_pool_s8_scratch_size(in4, out4);
  const tk::Status status = average ? tk::avg_pool_s8(p, in4, input, out4, output,
                                                      {g_scratch, static_cast<size_t>(scratch)})
                                    : tk::max_pool_s8(p, in4, input, out4, output);
  char name[64], params[512];
  std::snprintf(name, sizeof name, "%s%s", average ? "avg_pool_s8" : "max_pool_s8", suffix);
  std::snprintf(params, sizeof params,
                "in %ldx%ldx%ldx%ld filter %ldx%ld stride %ld,%ld pad %ld,%ld act %ld,%ld",
                (long)in.n, (long)in.h, (long)in.w, (long)in.c, (long)a.filter_h, (long)a.filter_w,
                (long)a.stride_h, (long)a.stride_w, (long)a.pad_h, (long)a.pad_w, (long)a.act_min,
                (long)a.act_max);
  compare(name, i, status, count_of(out), params);
}

void test_pooling(int cases) {
  for (int i = 0; i < cases; ++i) {
    Axis y = random_axis(12, 5, 3, 1), x = random_axis(12, 5, 3, 1);
    if (chance(20)) {  // global pooling
      y = {y.in, y.in, 1, 1, 0, 1};
      x = {x.in, x.in, 1, 1, 0, 1};
    }
    const tb::Dims in{range(1, 2), y.in, x.in, range(1, 20)};
    const tb::Dims out{in.n, y.out, x.out, in.c};
    tb::PoolArgs a{y.filter, x.filter, y.stride, x.stride, y.pad, x.pad, 0, 0};
    random_activation(&a.act_min, &a.act_max);
    fill(g_input, count_of(in));
    run_pool_case("", i, chance(50), a, in, out);
  }
}

void test_layout(int cases) {
  for (int i = 0; i < cases; ++i) {
    const tb::Dims in{range(1, 3), range(1, 6), range(1, 6), range(1, 10)};
    fill(g_input, count_of(in));
    const tk::Span<const int8_t> input{g_input, static_cast<size_t>(count_of(in))};
    char params[512];
    std::snprintf(params, sizeof params, "in %ldx%ldx%ldx%ld", (long)in.n, (long)in.h, (long)in.w,
                  (long)in.c);
    // pad
    const tb::Dims pre{range(0, 1), range(0, 2), range(0, 2), range(0, 3)};
    const tb::Dims post{range(0, 1), range(0, 2), range(0, 2), range(0, 3)};
    const tb::Dims padded{in.n + pre.n + post.n, in.h + pre.h + post.h, in.w + pre.w + post.w,
                          in.c + pre.c + post.c};
    const int8_t value = static_cast<int8_t>(next());
    tb::pad(in, g_input, pre, padded, value, g_expected);
    compare("pad_s8", i,
            tk::pad_s8(dims4(in), input, dims4(pre), dims4(post), value,
                       {g_actual, static_cast<size_t>(count_of(padded))}),
            count_of(padded), params);
    // transpose: a random permutation
    tk::TransposeParams perm{{0, 1, 2, 3}};
    for (int k = 3; k > 0; --k) {
      const int j = static_cast<int>(range(0, k));
      const int32_t t = perm.perm[k];
      perm.perm[k] = perm.perm[j];
      perm.perm[j] = t;
    }
    tb::transpose(in, perm.perm, g_input, g_expected);
    compare("transpose_s8", i,
            tk::transpose_s8(dims4(in), perm, input,
                             {g_actual, static_cast<size_t>(count_of(in))}),
            count_of(in), params);
    // concat of two tensors along a random axis: in, then `second`, which differs along it
    const int32_t axis = range(0, 3);
    tb::Dims second = in;
    (&second.n)[axis] = range(1, 4);
    fill(g_input2, count_of(second));
    tb::Dims joined = in;
    (&joined.n)[axis] += (&second.n)[axis];
    // Textbook concat: copy blocks of the dims after `axis`.
    int32_t outer = 1, inner_a = 1, inner_b = 1;
    for (int k = 0; k < axis; ++k) outer *= (&in.n)[k];
    for (int k = axis; k < 4; ++k) {
      inner_a *= (&in.n)[k];
      inner_b *= (&second.n)[k];
    }
    int8_t* out_cursor = g_expected;
    for (int32_t o = 0; o < outer; ++o) {
      std::memcpy(out_cursor, g_input + o * inner_a, static_cast<size_t>(inner_a));
      out_cursor += inner_a;
      std::memcpy(out_cursor, g_input2 + o * inner_b, static_cast<size_t>(inner_b));
      out_cursor += inner_b;
    }
    const tk::ConcatInput parts[2] = {
        {dims4(in), input}, {dims4(second), {g_input2, static_cast<size_t>(count_of(second))}}};
    compare("concat_s8", i,
            tk::concat_s8({parts, 2}, axis, {g_actual, static_cast<size_t>(count_of(joined))}),
            count_of(joined), params);
    // LUT: a random table
    int8_t table[256];
    fill(table, 256);
    for (int32_t k = 0; k < count_of(in); ++k) g_expected[k] = table[g_input[k] + 128];
    compare("lut_s8", i,
            tk::lut_s8(count_of(in), input, {table, 256},
                       {g_actual, static_cast<size_t>(count_of(in))}),
            count_of(in), params);
  }
}

// ---- Element-wise, pooling, softmax, quantize: edge cases for the DSP / Helium variants -----

// A requantization multiplier: mostly Q31 values in [2^30, 2^31), sometimes the extremes.
int32_t edge_multiplier() {
  const int32_t pick = range(0, 19);
  if (pick == 0) return 0;
  if (pick == 1) return INT32_MAX;
  if (pick == 2) return 1 << 30;
  return (1 << 30) + range(0, (1 << 30) - 1);
}
int32_t edge_offset() {  // -zero point, [-127, 128]
  return chance(25) ? (chance(50) ? -127 : 128) : range(-127, 128);
}
void edge_activation(int32_t* lo, int32_t* hi) {
  if (chance(10)) {  // a single value
    *lo = *hi = range(-128, 127);
    return;
  }
  random_activation(lo, hi);
}

// Shapes for the element-wise edge cases: every run length 1..67 (every SIMD tail), and
// broadcasts that make runs with a constant operand (scalar, channel vector, per pixel).
void edge_broadcast(int i, tb::Dims* out, tb::Dims* a, tb::Dims* b) {
  *out = {range(1, 2), range(1, 5), range(1, 5), range(1, 40)};
  *a = *out;
  *b = *out;
  switch (i % 6) {
    case 0: *out = *a = *b = {1, 1, 1, 1 + i % 67}; break;
    case 1: *b = {1, 1, 1, 1}; break;
    case 2: *b = {1, 1, 1, out->c}; break;
    case 3: *b = {out->n, out->h, out->w, 1}; break;
    case 4: *a = {1, 1, 1, 1}; break;
    default: random_broadcast(out, a, b); break;
  }
}

void test_elementwise_edges(int cases) {
  for (int i = 0; i < cases; ++i) {
    tb::Dims out{}, d1{}, d2{};
    edge_broadcast(i, &out, &d1, &d2);
    fill(g_input, count_of(d1));
    fill(g_input2, count_of(d2));
    const bool in_place =
        chance(20) && d1.n == out.n && d1.h == out.h && d1.w == out.w && d1.c == out.c;
    const tk::Dims4 o4 = dims4(out), a4 = dims4(d1), b4 = dims4(d2);
    // In place: the output is input1's buffer (allowed when their dims are equal).
    if (in_place) std::memcpy(g_actual, g_input, static_cast<size_t>(count_of(d1)));
    const tk::Span<const int8_t> in1{in_place ? g_actual : g_input,
                                     static_cast<size_t>(count_of(d1))};
    const tk::Span<const int8_t> in2{g_input2, static_cast<size_t>(count_of(d2))};
    const tk::Span<int8_t> output{g_actual, static_cast<size_t>(count_of(out))};
    const int kind = (i / 6) % 4;
    char params[512];
    int32_t lo = 0, hi = 0;
    edge_activation(&lo, &hi);
    if (kind == 0) {
      tb::AddArgs a{edge_offset(),
                    edge_offset(),
                    chance(70) ? 20 : range(0, 22),
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    range(-128, 127),
                    lo,
                    hi};
      if (chance(60)) {  // TFLite: the larger input scale gives (2^30, 0)
        const bool first = chance(50);
        const int32_t m = (1 << 30) + range(0, (1 << 30) - 1), s = chance(30) ? 0 : range(-8, -1);
        a.input1_multiplier = first ? 1 << 30 : m, a.input1_shift = first ? 0 : s;
        a.input2_multiplier = first ? m : 1 << 30, a.input2_shift = first ? s : 0;
        a.output_multiplier = (1 << 30) + range(0, (1 << 30) - 1);
        a.output_shift = range(-24, -14);
      } else {
        a.input1_multiplier = edge_multiplier(), a.input1_shift = range(-31, 3);
        a.input2_multiplier = edge_multiplier(), a.input2_shift = range(-31, 3);
        a.output_multiplier = edge_multiplier();
        a.output_shift = chance(80) ? range(-31, -8) : range(-31, 30);
      }
      tb::add(a, d1, g_input, d2, g_input2, out, g_expected);
      const tk::AddParams p{a.input1_offset,
                            a.input2_offset,
                            a.left_shift,
                            {a.input1_multiplier, a.input1_shift},
                            {a.input2_multiplier, a.input2_shift},
                            {a.output_multiplier, a.output_shift},
                            a.output_offset,
                            {lo, hi}};
      std::snprintf(params, sizeof params,
                    "out %ldx%ldx%ldx%ld in1 c %ld in2 %ldx%ldx%ldx%ld offsets %ld,%ld ls %ld "
                    "q1 %ld,%ld q2 %ld,%ld qo %ld,%ld zp %ld act %ld,%ld",
                    (long)out.n, (long)out.h, (long)out.w, (long)out.c, (long)d1.c, (long)d2.n,
                    (long)d2.h, (long)d2.w, (long)d2.c, (long)a.input1_offset,
                    (long)a.input2_offset, (long)a.left_shift, (long)a.input1_multiplier,
                    (long)a.input1_shift, (long)a.input2_multiplier, (long)a.input2_shift,
                    (long)a.output_multiplier, (long)a.output_shift, (long)a.output_offset,
                    (long)lo, (long)hi);
      compare("add_s8 (edges)", i, tk::add_s8(p, a4, in1, b4, in2, o4, output), count_of(out),
              params);
    } else if (kind == 1) {
      const int32_t off1 = edge_offset(), off2 = edge_offset(), zp = range(-128, 127);
      const int32_t m = edge_multiplier();
      const int32_t s = chance(80) ? range(-20, -6) : range(-31, 30);
      tb::mul(off1, off2, m, s, zp, lo, hi, d1, g_input, d2, g_input2, out, g_expected);
      const tk::MulParams p{off1, off2, {m, s}, zp, {lo, hi}};
      std::snprintf(params, sizeof params,
                    "out %ldx%ldx%ldx%ld in2 %ldx%ldx%ldx%ld offsets %ld,%ld q %ld,%ld zp %ld "
                    "act %ld,%ld",
                    (long)out.n, (long)out.h, (long)out.w, (long)out.c, (long)d2.n, (long)d2.h,
                    (long)d2.w, (long)d2.c, (long)off1, (long)off2, (long)m, (long)s, (long)zp,
                    (long)lo, (long)hi);
      compare("mul_s8 (edges)", i, tk::mul_s8(p, a4, in1, b4, in2, o4, output), count_of(out),
              params);
    } else {
      const bool maximum = kind == 2;
      tb::maximum_or_minimum(maximum, d1, g_input, d2, g_input2, out, g_expected);
      const tk::Status status = maximum ? tk::maximum_s8(a4, in1, b4, in2, o4, output)
                                        : tk::minimum_s8(a4, in1, b4, in2, o4, output);
      std::snprintf(params, sizeof params, "out %ldx%ldx%ldx%ld in2 %ldx%ldx%ldx%ld", (long)out.n,
                    (long)out.h, (long)out.w, (long)out.c, (long)d2.n, (long)d2.h, (long)d2.w,
                    (long)d2.c);
      compare(maximum ? "maximum_s8 (edges)" : "minimum_s8 (edges)", i, status, count_of(out),
              params);
    }
  }
}

// Pooling with odd channel counts (1..67: every SIMD tail), padded windows, global windows of
// up to 20x20 (more valid positions than an int16 accumulator holds) and extreme activations.
void test_pooling_edges(int cases) {
  for (int i = 0; i < cases; ++i) {
    const int32_t channels = 1 + i % 67;
    const int32_t max_in = channels > 20 ? 8 : 12;
    Axis y = random_axis(max_in, 5, 3, 1), x = random_axis(max_in, 5, 3, 1);
    if (i % 5 == 0) {  // global pooling, up to 20x20 when few channels
      const int32_t limit = channels <= 20 ? 20 : 8;
      const int32_t h = range(1, limit), w = range(1, limit);
      y = {h, h, 1, 1, 0, 1};
      x = {w, w, 1, 1, 0, 1};
    } else if (i % 5 == 1) {  // SAME padding with a 3x3 window
      const int32_t h = range(1, max_in), w = range(1, max_in), stride = range(1, 2);
      const int32_t oh = (h + stride - 1) / stride, ow = (w + stride - 1) / stride;
      const int32_t ph = (oh - 1) * stride + 3 - h, pw = (ow - 1) * stride + 3 - w;
      y = {h, 3, stride, 1, ph > 0 ? ph / 2 : 0, oh};
      x = {w, 3, stride, 1, pw > 0 ? pw / 2 : 0, ow};
    }
    const tb::Dims in{range(1, 2), y.in, x.in, channels};
    const tb::Dims out{in.n, y.out, x.out, in.c};
    if (count_of(in) > kBuffer || count_of(out) > kBuffer) continue;
    tb::PoolArgs a{y.filter, x.filter, y.stride, x.stride, y.pad, x.pad, 0, 0};
    edge_activation(&a.act_min, &a.act_max);
    fill(g_input, count_of(in));
    if (chance(10))
      std::memset(g_input, chance(50) ? -128 : 127, static_cast<size_t>(count_of(in)));
    run_pool_case(" (edges)", i, chance(50), a, in, out);
  }
}

// Pooling over large windows: rows of more than 256 valid positions (the fast variants split
// their 16-bit sums into column strips) and windows of up to 8192 positions (beyond what a 32-bit
// reciprocal alone divides exactly), some with all inputs -128 or 127 for the extreme sums.
void test_pooling_large(int cases) {
  for (int i = 0; i < cases; ++i) {
    Axis y{1, 1, 1, 1, 0, 1}, x{1, 1, 1, 1, 0, 1};
    int32_t channels = 1;
    if (i % 2 == 0) {  // wide: 257.. columns, 1..19 channels
      channels = range(1, 19);
      x.in = range(257, kBuffer / channels);
      y.in = range(1, kBuffer / (channels * x.in));
      x.filter = chance(50) ? x.in : range(200, x.in);
      x.stride = range(1, 3);
      y.filter = range(1, y.in);
    } else {  // tall and wide: more than 5780 positions, one channel
      x.in = range(60, 128);
      y.in = range(5781 / x.in + 1, kBuffer / x.in);
      x.filter = chance(50) ? x.in : range(x.in / 2, x.in);
      y.filter = y.in;
    }
    x.out = (x.in - x.filter) / x.stride + 1;  // VALID padding
    y.out = (y.in - y.filter) / y.stride + 1;
    const tb::Dims in{1, y.in, x.in, channels};
    const tb::Dims out{1, y.out, x.out, channels};
    tb::PoolArgs a{y.filter, x.filter, y.stride, x.stride, 0, 0, 0, 0};
    edge_activation(&a.act_min, &a.act_max);
    fill(g_input, count_of(in));
    if (chance(30))
      std::memset(g_input, chance(50) ? -128 : 127, static_cast<size_t>(count_of(in)));
    run_pool_case(" (large)", i, chance(75), a, in, out);
  }
}

// Softmax rows of 1..67 elements (every SIMD tail) and up to 4095, TFLite's parameters and the
// extremes of diff_min; rows of equal values (the largest sums) and rows with one peak.
void test_softmax(int cases) {
  for (int i = 0; i < cases; ++i) {
    const int32_t depth = i % 3 == 0 ? 1 + i % 67 : (chance(70) ? range(1, 1100) : range(1, 4095));
    const int32_t rows = range(1, kBuffer / depth < 3 ? kBuffer / depth : 3);
    const int32_t count = rows * depth;
    const int32_t shift = chance(70) ? range(18, 26) : range(0, 31);
    const int32_t multiplier = edge_multiplier();
    const int32_t radius = static_cast<int32_t>((int64_t{31} << 26) >> shift);  // TFLite's
    const int32_t lowest = static_cast<int32_t>(INT32_MIN / (int64_t{1} << shift));
    int32_t diff_min = -radius;
    switch (range(0, 7)) {
      case 0: diff_min = 0; break;
      case 1: diff_min = -1; break;
      case 2: diff_min = -255; break;
      case 3: diff_min = lowest; break;
      case 4: diff_min = -range(0, 300); break;
      default: break;
    }
    if (diff_min < lowest) diff_min = lowest;  // diff_min * 2^shift must fit int32
    fill(g_input, count);
    const int pattern = static_cast<int>(range(0, 9));
    if (pattern == 0)
      std::memset(g_input, static_cast<int>(range(-128, 127)), static_cast<size_t>(count));
    if (pattern == 1) {
      std::memset(g_input, -128, static_cast<size_t>(count));
      for (int32_t r = 0; r < rows; ++r) g_input[r * depth + range(0, depth - 1)] = 127;
    }
    if (pattern == 2) {  // a narrow range of values
      for (int32_t k = 0; k < count; ++k) g_input[k] = static_cast<int8_t>(range(-3, 3));
    }
    tb::softmax(multiplier, shift, diff_min, rows, depth, g_input, g_expected);
    const bool in_place = chance(20);
    if (in_place) std::memcpy(g_actual, g_input, static_cast<size_t>(count));
    const tk::SoftmaxParams p{multiplier, shift, diff_min};
    const tk::Status status =
        tk::softmax_s8(p, rows, depth, {in_place ? g_actual : g_input, static_cast<size_t>(count)},
                       {g_actual, static_cast<size_t>(count)});
    char params[512];
    std::snprintf(params, sizeof params,
                  "rows %ld depth %ld multiplier %ld shift %ld diff_min %ld pattern %d in-place %d",
                  (long)rows, (long)depth, (long)multiplier, (long)shift, (long)diff_min, pattern,
                  in_place ? 1 : 0);
    compare("softmax_s8", i, status, count, params);
  }
}

// Quantize / dequantize / LUT on every length 1..67 and longer, ties, extremes, NaN, infinities.
float g_floats[1024];
float g_float_out[1024];

float random_float(float scale) {
  switch (range(0, 11)) {
    case 0: return (static_cast<float>(range(-300, 300)) + 0.5f) * scale;  // exact ties
    case 1: return static_cast<float>(range(-300, 300)) * scale;
    case 2: return chance(50) ? 1e30f : -1e30f;
    case 3: return chance(50) ? __builtin_inff() : -__builtin_inff();
    case 4: return __builtin_nanf("");
    case 5: return static_cast<float>(static_cast<int32_t>(next())) * 1e-38f;
    default:
      return static_cast<float>(static_cast<int32_t>(next() % 200001) - 100000) * 1e-3f * scale;
  }
}

void test_quantize(int cases) {
  for (int i = 0; i < cases; ++i) {
    const int32_t size = i % 2 == 0 ? 1 + i % 67 : range(1, 1024);
    const int32_t zero_point = chance(30) ? (chance(50) ? -128 : 127) : range(-128, 127);
    float scale;
    switch (range(0, 5)) {
      case 0: scale = 1.0f / static_cast<float>(1 << range(0, 20)); break;  // powers of two: ties
      case 1: scale = 1e-30f * static_cast<float>(range(1, 1000)); break;
      case 2: scale = static_cast<float>(range(1, 1000)); break;
      default: scale = static_cast<float>(range(1, 1 << 20)) * 1e-6f; break;
    }
    const tk::AffineQuant quant{scale, zero_point};
    char params[128];
    std::snprintf(params, sizeof params, "size %ld zero point %ld", (long)size, (long)zero_point);
    // quantize
    for (int32_t k = 0; k < size; ++k) {
      g_floats[k] = random_float(scale);
      g_expected[k] = tb::quantize(g_floats[k], scale, zero_point);
    }
    compare("quantize_f32_s8", i,
            tk::quantize_f32_s8(quant, size, {g_floats, static_cast<size_t>(size)},
                                {g_actual, static_cast<size_t>(size)}),
            size, params);
    // dequantize: compare the floats bit for bit
    fill(g_input, size);
    ++g_cases;
    const tk::Status status =
        tk::dequantize_s8_f32(quant, size, {g_input, static_cast<size_t>(size)},
                              {g_float_out, static_cast<size_t>(size)});
    for (int32_t k = 0; k < size; ++k) {
      const float expected = tb::dequantize(g_input[k], scale, zero_point);
      if (status != tk::Status::kOk ||
          std::memcmp(&expected, &g_float_out[k], sizeof expected) != 0) {
        std::printf("FAIL dequantize_s8_f32 case %d: element %ld (%s)\n", i, (long)k, params);
        ++g_failures;
        break;
      }
    }
    // LUT, sometimes in place
    int8_t table[256];
    fill(table, 256);
    fill(g_input, size);
    for (int32_t k = 0; k < size; ++k) g_expected[k] = table[g_input[k] + 128];
    const bool in_place = chance(30);
    if (in_place) std::memcpy(g_actual, g_input, static_cast<size_t>(size));
    compare("lut_s8", i,
            tk::lut_s8(size, {in_place ? g_actual : g_input, static_cast<size_t>(size)},
                       {table, 256}, {g_actual, static_cast<size_t>(size)}),
            size, params);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int cases = argc > 1 ? std::atoi(argv[1]) : 300;
  g_state = argc > 2 ? static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10)) : 20261127u;
  if (g_state == 0) g_state = 1;
  std::printf("differential tests: %d cases per kernel, seed %lu\n", cases,
              static_cast<unsigned long>(g_state));
  test_conv(cases);
  test_depthwise(cases);
  test_transpose_conv(cases);
  test_fully_connected(cases);
  test_batch_matmul(cases);
  test_conv_edges(cases);
  test_depthwise_edges(cases);
  test_depthwise_packed(cases);
  test_depthwise_rows(cases);
  test_fully_connected_edges(cases);
  test_fully_connected_wide(cases / 4 + 1);
  test_batch_matmul_edges(cases);
  test_elementwise(cases);
  test_pooling(cases);
  test_layout(cases);
  test_elementwise_edges(cases);
  test_pooling_edges(cases);
  test_pooling_large(cases / 10 + 4);
  test_softmax(cases);
  test_quantize(cases);
  std::printf("%d cases, %d failed\n", g_cases, g_failures);
  return g_failures == 0 ? 0 : 1;
}
