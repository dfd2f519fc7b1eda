// SPDX-License-Identifier: Apache-2.0
// cortex_m.quantized_conv2d / quantized_depthwise_conv2d / quantized_transpose_conv2d /
// quantized_linear / quantized_batch_matmul: one-node graphs with hand-set quantization and
// params run through reference::run, compared with hand-computed values and with a float
// computation on the dequantized values re-quantized (within one output quantum); error cases
// name the node.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "reference/interpreter.h"
#include "tinyexec/kernels/requant.h"
#include "cortex_m_op_test_support.h"

namespace {


// --- conv and depthwise

// The per-channel params for output scale `out` given input scale and weight scales.
ir::Attributes with_requant(ir::Attributes a, double in_scale, const std::vector<float>& w_scales,
                            double out_scale, const char* multipliers = "multipliers",
                            const char* shifts = "shifts") {
  Ints m, s;
  for (float ws : w_scales) {
    const auto [mm, ss] = multiplier_of(in_scale * ws / out_scale);
    m.push_back(mm);
    s.push_back(ss);
  }
  a.set(multipliers, m);
  a.set(shifts, s);
  return a;
}

TEST(CortexMConv, HandComputed2x2) {
  // Input 1..4 (zero point 1), all-ones 2x2 filter, bias 5, output zero point -3, scales 1:
  // sum(q - 1) = 6, + 5 = 11, + (-3) = 8.
  const Args args = {Arg{i8({1, 2, 2, 1}, {1, 2, 3, 4}), per_tensor(1.0f, 1)},
                     Arg{i8({1, 2, 2, 1}, {1, 1, 1, 1}), per_channel({1.0f}, 0)},
                     Arg{i32({1}, {5}), std::nullopt}};
  const ir::Tensor y = run("cortex_m.quantized_conv2d", args, per_tensor(1.0f, -3),
                           with_requant({}, 1.0, {1.0f}, 1.0));
  EXPECT_EQ(y.shape(), (ir::Shape{1, 1, 1, 1}));
  EXPECT_EQ(values_of(y), std::vector<int8_t>{8});
  // Scale 0.5 on the output doubles the result: 11 * 2 - 3 = 19; activation_max clamps it.
  EXPECT_EQ(values_of(run("cortex_m.quantized_conv2d", args, per_tensor(0.5f, -3),
                          with_requant({}, 1.0, {1.0f}, 0.5))),
            std::vector<int8_t>{19});
  EXPECT_EQ(
      values_of(run("cortex_m.quantized_conv2d", args, per_tensor(0.5f, -3),
                    with_requant(attrs({{"activation_max", int64_t{10}}}), 1.0, {1.0f}, 0.5))),
      std::vector<int8_t>{10});
}

struct ConvSetup {
  ir::Shape x_shape;   // NHWC
  ir::Shape w_shape;   // conv: [Co, KH, KW, Ci/g]; depthwise: [1, KH, KW, Co]
  int64_t groups = 1;  // conv only
  Ints strides{1, 1}, pads{0, 0, 0, 0}, dilations{1, 1};
  int act_min = -128, act_max = 127;
};

// Float NHWC convolution of dequantized values, re-quantized to the output.
std::vector<int> float_conv(const ConvSetup& c, bool depthwise, const ir::Tensor& x,
                            const ir::QuantParams& xq, const ir::Tensor& w,
                            const std::vector<float>& ws, const ir::Tensor& bias,
                            const ir::QuantParams& yq, ir::Shape* out_shape) {
  const int64_t n = c.x_shape[0], h = c.x_shape[1], wd = c.x_shape[2], ci = c.x_shape[3];
  const int64_t kh = c.w_shape[1], kw = c.w_shape[2];
  const int64_t co = depthwise ? c.w_shape[3] : c.w_shape[0];
  const int64_t oh =
      (h + c.pads[0] + c.pads[2] - ((kh - 1) * c.dilations[0] + 1)) / c.strides[0] + 1;
  const int64_t ow =
      (wd + c.pads[1] + c.pads[3] - ((kw - 1) * c.dilations[1] + 1)) / c.strides[1] + 1;
  *out_shape = {n, oh, ow, co};
  const int64_t cig = depthwise ? 1 : c.w_shape[3];  // input channels each output reads
  const auto xs = x.data<int8_t>();
  const auto wv = w.data<int8_t>();
  const auto bs = bias.data<int32_t>();
  std::vector<int> result;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo)
        for (int64_t o = 0; o < co; ++o) {
          const int64_t first = depthwise ? o / (co / ci) : (o / (co / c.groups)) * cig;
          double acc = bs[o] * static_cast<double>(xq.scales[0]) * ws[o];
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j) {
              const int64_t iy = y * c.strides[0] - c.pads[0] + i * c.dilations[0];
              const int64_t ix = xo * c.strides[1] - c.pads[1] + j * c.dilations[1];
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
              for (int64_t k = 0; k < cig; ++k) {
                const int8_t xv = xs[((b * h + iy) * wd + ix) * ci + first + k];
                const int8_t wq =
                    depthwise ? wv[(i * kw + j) * co + o] : wv[((o * kh + i) * kw + j) * cig + k];
                acc += dequant(xv, xq.scales[0], xq.zero_points[0]) * (wq * double{ws[o]});
              }
            }
          result.push_back(quantize_ref(acc, yq, c.act_min, c.act_max));
        }
  return result;
}

void check_conv_against_float(const ConvSetup& c, bool depthwise, uint32_t seed) {
  const int64_t co = depthwise ? c.w_shape[3] : c.w_shape[0];
  const ir::QuantParams xq = per_tensor(0.05f, -7);
  const ir::QuantParams yq = per_tensor(0.2f, 5);
  std::vector<float> ws;
  for (int64_t o = 0; o < co; ++o) ws.push_back(0.01f + 0.004f * static_cast<float>(o));
  const ir::Tensor x = random_i8(c.x_shape, seed);
  const ir::Tensor w = random_i8(c.w_shape, seed + 1, -127, 127);
  std::vector<int32_t> bias_values;
  for (int64_t o = 0; o < co; ++o) bias_values.push_back(static_cast<int32_t>(o * 37 - 60));
  const ir::Tensor bias = i32({co}, bias_values);
  ir::Attributes a = attrs({{"strides", c.strides},
                            {"pads", c.pads},
                            {"dilations", c.dilations},
                            {"activation_min", int64_t{c.act_min}},
                            {"activation_max", int64_t{c.act_max}}});
  if (!depthwise) a.set("groups", c.groups);
  a = with_requant(a, xq.scales[0], ws, yq.scales[0]);
  const Args args = {Arg{x, xq}, Arg{w, per_channel(ws, depthwise ? 3 : 0)}, Arg{bias, {}}};
  const std::string op =
      depthwise ? "cortex_m.quantized_depthwise_conv2d" : "cortex_m.quantized_conv2d";
  const ir::Tensor y = run(op, args, yq, a);
  ir::Shape expected_shape;
  const std::vector<int> expected =
      float_conv(c, depthwise, x, xq, w, ws, bias, yq, &expected_shape);
  EXPECT_EQ(y.shape(), expected_shape);
  expect_within_one(y, expected);
}

TEST(CortexMConv, MatchesFloat) {
  check_conv_against_float({{1, 5, 6, 3}, {4, 3, 3, 3}, 1, {1, 1}, {1, 1, 1, 1}, {1, 1}}, false, 1);
  check_conv_against_float({{2, 7, 6, 4}, {5, 3, 2, 4}, 1, {2, 1}, {1, 0, 1, 1}, {1, 2}}, false, 2);
  check_conv_against_float({{1, 4, 4, 8}, {6, 1, 1, 8}, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}, 0, 127},
                           false, 3);
}

TEST(CortexMConv, GroupedMatchesFloat) {
  check_conv_against_float({{1, 5, 5, 4}, {6, 3, 3, 2}, 2, {1, 1}, {1, 1, 1, 1}, {1, 1}}, false, 4);
}

TEST(CortexMConv, MacsAndShape) {
  const Args args = {Arg{random_i8({1, 8, 8, 3}, 5), per_tensor(0.1f, 0)},
                     Arg{random_i8({4, 3, 3, 3}, 6), per_channel({1, 1, 1, 1}, 0)}};
  // Output [1, 4, 4, 4] (stride 2, pads 1): 64 outputs x 27 products.
  EXPECT_EQ(macs("cortex_m.quantized_conv2d", args, per_tensor(0.1f, 0),
                 attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}})),
            64 * 27);
}

TEST(CortexMConv, Errors) {
  const Arg x{random_i8({1, 4, 4, 2}, 7), per_tensor(0.1f, 0)};
  const Arg w{random_i8({3, 3, 3, 2}, 8), per_channel({0.1f, 0.1f, 0.1f}, 0)};
  const ir::Attributes params = with_requant({}, 0.1, {0.1f, 0.1f, 0.1f}, 0.1);
  const std::string op = "cortex_m.quantized_conv2d";
  expect_error(op, {x, w}, per_tensor(0.1f, 0), {}, "(params) attribute 'multipliers'");
  expect_error(op, {Arg{x.tensor, std::nullopt}, w}, per_tensor(0.1f, 0), params,
               "input 0 ('in0') has no quantization");
  expect_error(op, {x, w}, std::nullopt, params, "output 0 ('out') has no quantization");
  expect_error(op, {x, Arg{w.tensor, std::nullopt}}, per_tensor(0.1f, 0), params,
               "has no quantization");
  expect_error(op, {Arg{tensor<float>({1, 4, 4, 2}, std::vector<float>(32)), x.quant}, w},
               per_tensor(0.1f, 0), params, "is f32, it must be i8");
  expect_error(op, {x, w, Arg{tensor<float>({3}, {0, 0, 0}), {}}}, per_tensor(0.1f, 0), params,
               "is f32, it must be i32");
  expect_error(op, {x, Arg{w.tensor, ir::QuantParams{{0.1f, 0.1f, 0.1f}, {0, 1, 0}, 0}}},
               per_tensor(0.1f, 0), params, "it must be 0");
  ir::Attributes bad_pads = params;
  bad_pads.set("pads", Ints{3, 0, 0, 0});
  expect_error(op, {x, w}, per_tensor(0.1f, 0), bad_pads, "attribute 'pads'");
  ir::Attributes bad_shift = params;
  bad_shift.set("shifts", Ints{0, 40, 0});
  expect_error(op, {x, w}, per_tensor(0.1f, 0), bad_shift, "'shifts'[1] is 40");
  ir::Attributes short_params = params;
  short_params.set("multipliers", Ints{1 << 30});
  expect_error(op, {x, w}, per_tensor(0.1f, 0), short_params, "has 1 values, expected 3");
  ir::Attributes groups = params;
  groups.set("groups", int64_t{2});
  expect_error(op, {x, w}, per_tensor(0.1f, 0), groups, "groups 2");
}

TEST(CortexMDepthwiseConv, HandComputed) {
  // Two channels, multiplier 1, 1x2 filter per channel: channel 0 weights (1, 2), channel 1
  // (-1, 1); input [[1, 10], [2, 20]] along W (zero point 0), no bias.
  const Args args = {Arg{i8({1, 1, 2, 2}, {1, 10, 2, 20}), per_tensor(1.0f, 0)},
                     Arg{i8({1, 1, 2, 2}, {1, -1, 2, 1}), per_channel({1.0f, 1.0f}, 3)}};
  const ir::Tensor y = run("cortex_m.quantized_depthwise_conv2d", args, per_tensor(1.0f, 0),
                           with_requant({}, 1.0, {1.0f, 1.0f}, 1.0));
  EXPECT_EQ(y.shape(), (ir::Shape{1, 1, 1, 2}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{1 * 1 + 2 * 2, -10 + 20}));
}

TEST(CortexMDepthwiseConv, MatchesFloat) {
  check_conv_against_float({{1, 6, 5, 3}, {1, 3, 3, 3}, 1, {1, 1}, {1, 1, 1, 1}, {1, 1}}, true, 11);
  // Depth multiplier 2, stride 2, dilation 2, fused ReLU6-like clamp.
  check_conv_against_float({{2, 7, 7, 2}, {1, 3, 2, 4}, 1, {2, 2}, {2, 1, 2, 1}, {2, 1}, -5, 30},
                           true, 12);
}

TEST(CortexMDepthwiseConv, MacsAndErrors) {
  const Arg x{random_i8({1, 4, 4, 2}, 7), per_tensor(0.1f, 0)};
  const Arg w{random_i8({1, 3, 3, 4}, 8), per_channel({0.1f, 0.1f, 0.1f, 0.1f}, 3)};
  const std::string op = "cortex_m.quantized_depthwise_conv2d";
  EXPECT_EQ(macs(op, {x, w}, per_tensor(0.1f, 0), attrs({{"pads", Ints{1, 1, 1, 1}}})),
            4 * 4 * 4 * 9);
  const ir::Attributes params = with_requant({}, 0.1, {0.1f, 0.1f, 0.1f, 0.1f}, 0.1);
  expect_error(op, {x, w}, per_tensor(0.1f, 0), {}, "(params) attribute 'multipliers'");
  expect_error(op, {x, Arg{w.tensor, per_channel({0.1f, 0.1f, 0.1f, 0.1f}, 0)}},
               per_tensor(0.1f, 0), params, "it must be axis 3");
  expect_error(op, {x, Arg{random_i8({1, 3, 3, 3}, 9), per_channel({1, 1, 1}, 3)}},
               per_tensor(0.1f, 0), params, "multiple of the input channels");
}

// --- transpose conv

TEST(CortexMTransposeConv, HandComputed) {
  // Input [1, 2] x [1, 1] (one row, two columns), filter 1x2 of ones, stride 2: the full
  // result is [1, 1, 2, 2] along W.
  const Args args = {Arg{i8({1, 1, 2, 1}, {1, 2}), per_tensor(1.0f, 0)},
                     Arg{i8({1, 1, 2, 1}, {1, 1}), per_channel({1.0f}, 0)},
                     Arg{i32({1}, {3}), std::nullopt}};
  const ir::Tensor y =
      run("cortex_m.quantized_transpose_conv2d", args, per_tensor(1.0f, 0),
          with_requant(attrs({{"strides", Ints{1, 2}}, {"pads", Ints{0, 0}}}), 1.0, {1.0f}, 1.0));
  EXPECT_EQ(y.shape(), (ir::Shape{1, 1, 4, 1}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{4, 4, 5, 5}));
  // pads (top, left, bottom, right) = (0, 1, 0, 1) crops one column at each end.
  const ir::Tensor cropped = run(
      "cortex_m.quantized_transpose_conv2d", args, per_tensor(1.0f, 0),
      with_requant(attrs({{"strides", Ints{1, 2}}, {"pads", Ints{0, 1, 0, 1}}}), 1.0, {1.0f}, 1.0));
  EXPECT_EQ(values_of(cropped), (std::vector<int8_t>{4, 5}));
  EXPECT_EQ(macs("cortex_m.quantized_transpose_conv2d", args, per_tensor(1.0f, 0),
                 attrs({{"strides", Ints{1, 2}}})),
            2 * 2);
}

TEST(CortexMTransposeConv, MatchesFloat) {
  // Input [2, 3, 4, 3], filter [5, 3, 3, 3], stride 2, pads (1, 1, 1, 0):
  // out h = 2 * 2 + 3 - 1 - 1 = 5, w = 3 * 2 + 3 - 1 - 0 = 8.
  const ir::QuantParams xq = per_tensor(0.04f, 6), yq = per_tensor(0.1f, -4);
  const std::vector<float> ws = {0.01f, 0.012f, 0.014f, 0.016f, 0.018f};
  const ir::Tensor x = random_i8({2, 3, 4, 3}, 81), w = random_i8({5, 3, 3, 3}, 82, -127, 127);
  const ir::Tensor bias = i32({5}, {10, -20, 30, 0, -5});
  const ir::Tensor y = run(
      "cortex_m.quantized_transpose_conv2d",
      {Arg{x, xq}, Arg{w, per_channel(ws, 0)}, Arg{bias, {}}}, yq,
      with_requant(attrs({{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 0}}}), 0.04, ws, 0.1));
  ASSERT_EQ(y.shape(), (ir::Shape{2, 5, 8, 5}));
  std::vector<double> acc(2 * 5 * 8 * 5);
  for (int n = 0; n < 2; ++n)
    for (int oy = 0; oy < 5; ++oy)
      for (int ox = 0; ox < 8; ++ox)
        for (int o = 0; o < 5; ++o) {
          acc[((n * 5 + oy) * 8 + ox) * 5 + o] = bias.data<int32_t>()[o] * 0.04 * ws[o];
        }
  const auto xs = x.data<int8_t>(), wv = w.data<int8_t>();
  for (int n = 0; n < 2; ++n)
    for (int iy = 0; iy < 3; ++iy)
      for (int ix = 0; ix < 4; ++ix)
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            const int oy = iy * 2 + ky - 1, ox = ix * 2 + kx - 1;  // cropped by the begin pads
            if (oy < 0 || oy >= 5 || ox < 0 || ox >= 8) continue;
            for (int o = 0; o < 5; ++o)
              for (int c = 0; c < 3; ++c) {
                acc[((n * 5 + oy) * 8 + ox) * 5 + o] +=
                    dequant(xs[((n * 3 + iy) * 4 + ix) * 3 + c], 0.04f, 6) *
                    (wv[((o * 3 + ky) * 3 + kx) * 3 + c] * double{ws[o]});
              }
          }
  std::vector<int> expected;
  for (double a : acc) expected.push_back(quantize_ref(a, yq));
  expect_within_one(y, expected);
}

// --- linear

TEST(CortexMLinear, HandComputed) {
  // [1, 2, 3] x [[1, 0, -1], [2, 2, 2]]^T + [1, -2] = [-1, 10].
  const Args args = {Arg{i8({1, 3}, {1, 2, 3}), per_tensor(1.0f, 0)},
                     Arg{i8({2, 3}, {1, 0, -1, 2, 2, 2}), per_tensor(1.0f, 0)},
                     Arg{i32({2}, {1, -2}), std::nullopt}};
  const auto [m, s] = multiplier_of(1.0);
  const ir::Attributes a =
      attrs({{"multipliers", Ints{m}}, {"shifts", Ints{s}}, {"kernel_sums", Ints{1, -2}}});
  const ir::Tensor y = run("cortex_m.quantized_linear", args, per_tensor(1.0f, 0), a);
  EXPECT_EQ(y.shape(), (ir::Shape{1, 2}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{-1, 10}));
  EXPECT_EQ(macs("cortex_m.quantized_linear", args, per_tensor(1.0f, 0), {}), 6);
}

void check_linear_against_float(bool per_channel_weights, int32_t weight_zp, uint32_t seed) {
  const int64_t b = 3, k = 17, o = 5;
  const ir::QuantParams xq = per_tensor(0.03f, 11);
  const ir::QuantParams yq = per_tensor(0.25f, -20);
  std::vector<float> ws;
  for (int64_t i = 0; i < (per_channel_weights ? o : 1); ++i) {
    ws.push_back(0.02f + 0.005f * static_cast<float>(i));
  }
  ir::QuantParams wq = per_channel_weights ? per_channel(ws, 0) : per_tensor(ws[0], weight_zp);
  const ir::Tensor x = random_i8({b, k}, seed);
  const ir::Tensor w = random_i8({o, k}, seed + 1, -127, 127);
  const ir::Tensor bias = i32({o}, {100, -50, 0, 400, -1000});
  Ints m, s, sums;
  for (float scale : ws) {
    const auto [mm, ss] = multiplier_of(double{xq.scales[0]} * scale / yq.scales[0]);
    m.push_back(mm);
    s.push_back(ss);
  }
  std::vector<int> expected;
  const auto xs = x.data<int8_t>();
  const auto wv = w.data<int8_t>();
  // Kernel sums: bias + input offset * sum of (weight - weight zero point).
  for (int64_t r = 0; r < o; ++r) {
    int64_t sum = 0;
    for (int64_t i = 0; i < k; ++i) sum += wv[r * k + i] - (per_channel_weights ? 0 : weight_zp);
    sums.push_back(bias.data<int32_t>()[r] - int64_t{xq.zero_points[0]} * sum);
  }
  for (int64_t r = 0; r < b; ++r) {
    for (int64_t c = 0; c < o; ++c) {
      const float scale = ws[per_channel_weights ? c : 0];
      double acc = bias.data<int32_t>()[c] * double{xq.scales[0]} * scale;
      for (int64_t i = 0; i < k; ++i) {
        acc += dequant(xs[r * k + i], xq.scales[0], xq.zero_points[0]) *
               dequant(wv[c * k + i], scale, per_channel_weights ? 0 : weight_zp);
      }
      expected.push_back(quantize_ref(acc, yq));
    }
  }
  const ir::Tensor y = run("cortex_m.quantized_linear", {Arg{x, xq}, Arg{w, wq}, Arg{bias, {}}}, yq,
                           attrs({{"multipliers", m}, {"shifts", s}, {"kernel_sums", sums}}));
  EXPECT_EQ(y.shape(), (ir::Shape{b, o}));
  expect_within_one(y, expected);
}

TEST(CortexMLinear, MatchesFloat) {
  check_linear_against_float(false, 0, 21);
  check_linear_against_float(false, 3, 22);  // asymmetric per-tensor weights
  check_linear_against_float(true, 0, 23);
}

TEST(CortexMLinear, Errors) {
  const Arg x{random_i8({2, 4}, 1), per_tensor(0.1f, 0)};
  const Arg w{i8({2, 4}, {1, 1, 1, 1, 2, 2, 2, 2}), per_tensor(0.1f, 0)};
  const std::string op = "cortex_m.quantized_linear";
  const auto [m, s] = multiplier_of(0.1);
  const ir::Attributes params =
      attrs({{"multipliers", Ints{m}}, {"shifts", Ints{s}}, {"kernel_sums", Ints{0, 0}}});
  EXPECT_NO_THROW(run(op, {x, w}, per_tensor(0.1f, 0), params));
  ir::Attributes no_sums = params;
  no_sums.erase("kernel_sums");
  expect_error(op, {x, w}, per_tensor(0.1f, 0), no_sums, "(params) attribute 'kernel_sums'");
  ir::Attributes wrong_sums = params;
  wrong_sums.set("kernel_sums", Ints{0, 1});
  expect_error(op, {x, w}, per_tensor(0.1f, 0), wrong_sums, "does not match");
  ir::Attributes three = params;
  three.set("multipliers", Ints{m, m, m});
  expect_error(op, {x, w}, per_tensor(0.1f, 0), three, "expected 1 or 2");
  expect_error(op, {Arg{x.tensor, std::nullopt}, w}, per_tensor(0.1f, 0), params,
               "no quantization");
  expect_error(op, {x, Arg{random_i8({2, 5}, 3), w.quant}}, per_tensor(0.1f, 0), params, "K = 4");
  expect_error(
      op, {x, w}, per_tensor(0.1f, 0),
      [&] {
        ir::Attributes a = params;
        a.set("activation_min", int64_t{50});
        a.set("activation_max", int64_t{10});
        return a;
      }(),
      "activation_min");
}

// --- batch matmul

TEST(CortexMBatchMatmul, HandComputedWithBroadcast) {
  // lhs [2, 1, 2] (two batches of one row), rhs [1, 2, 2] transposed (columns as rows),
  // broadcast over the batch: out[b, 0, c] = sum_k lhs[b, 0, k] * rhs[0, c, k].
  const Args args = {Arg{i8({2, 1, 2}, {1, 2, 3, 4}), per_tensor(1.0f, 0)},
                     Arg{i8({1, 2, 2}, {1, 0, 1, -1}), per_tensor(1.0f, 0)}};
  const auto [m, s] = multiplier_of(1.0);
  const ir::Tensor y = run("cortex_m.quantized_batch_matmul", args, per_tensor(1.0f, 0),
                           attrs({{"multiplier", m}, {"shift", s}}));
  EXPECT_EQ(y.shape(), (ir::Shape{2, 1, 2}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{1, -1, 3, -1}));
  EXPECT_EQ(macs("cortex_m.quantized_batch_matmul", args, per_tensor(1.0f, 0), {}), 4 * 2);
  expect_error("cortex_m.quantized_batch_matmul", args, per_tensor(1.0f, 0),
               attrs({{"multiplier", m}}), "(params) attribute 'shift'");
  expect_error("cortex_m.quantized_batch_matmul",
               {args[0], Arg{i8({1, 2, 3}, {1, 2, 3, 4, 5, 6}), per_tensor(1.0f, 0)}},
               per_tensor(1.0f, 0), attrs({{"multiplier", m}, {"shift", s}}), "share the depth");
}

TEST(CortexMBatchMatmul, MatchesFloatWithZeroPoints) {
  const ir::QuantParams lq = per_tensor(0.04f, -3), rq = per_tensor(0.02f, 7),
                        yq = per_tensor(0.3f, 2);
  const ir::Tensor lhs = random_i8({2, 3, 4, 9}, 31), rhs = random_i8({1, 3, 5, 9}, 32);
  const auto [m, s] = multiplier_of(0.04 * 0.02 / 0.3);
  const ir::Tensor y = run("cortex_m.quantized_batch_matmul", {Arg{lhs, lq}, Arg{rhs, rq}}, yq,
                           attrs({{"multiplier", m}, {"shift", s}}));
  ASSERT_EQ(y.shape(), (ir::Shape{2, 3, 4, 5}));
  std::vector<int> expected;
  const auto l = lhs.data<int8_t>(), r = rhs.data<int8_t>();
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 3; ++h)
      for (int row = 0; row < 4; ++row)
        for (int col = 0; col < 5; ++col) {
          double acc = 0;
          for (int k = 0; k < 9; ++k) {
            acc += dequant(l[((n * 3 + h) * 4 + row) * 9 + k], 0.04f, -3) *
                   dequant(r[(h * 5 + col) * 9 + k], 0.02f, 7);
          }
          expected.push_back(quantize_ref(acc, yq));
        }
  expect_within_one(y, expected);
}

}  // namespace
