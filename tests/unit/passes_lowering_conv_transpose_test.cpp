// SPDX-License-Identifier: Apache-2.0
// Lowering onnx.ConvTranspose (2-D and 1-D, group 1, dilation 1) to
// cortex_m.quantized_transpose_conv2d: float models quantized by the Tester on random data, the
// dialect of the lowered graph, the kernel's pads for ONNX's pads / auto_pad / output_shape /
// output_padding, the [Ci, Co, KH, KW] -> [Co, KH, KW, Ci] weight, the numerics against the QDQ
// reference, and the reasons given for what the kernel cannot express.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "lowering_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::lowering_test;

namespace {

// x [1, Ci, in..] -> ConvTranspose(weight [Ci, Co, K..], bias [Co]) named "deconv" -> Relu.
ir::Graph deconv_model(ir::Shape x_shape, ir::Shape w_shape, ir::Attributes attrs,
                       bool relu = true) {
  FloatBuilder b;
  ir::Value* x = b.input("x", x_shape);
  ir::Value* w = b.weight("w", w_shape, 3);
  const int64_t out_channels = w_shape[1] * attrs.int_or("group", 1);
  ir::Value* bias = b.weight("b", {out_channels}, 4, 0.2f);
  ir::Value* y = b.op("onnx.ConvTranspose", {x, w, bias}, std::move(attrs), "deconv");
  b.output(relu ? b.op("onnx.Relu", {y}) : y);
  return b.take();
}

const ir::Node* onnx_node(const ir::Graph& graph, const std::string& op) {
  for (const ir::Node* node : graph.nodes()) {
    if (node->op == op) return node;
  }
  return nullptr;
}

}  // namespace

TEST(LoweringConvTranspose, StridedPaddedBecomesOneTransposeConvWithOhwiWeights) {
  ir::Attributes attrs =
      ints_attrs({{"strides", {2, 2}}, {"pads", {1, 1, 1, 1}}, {"output_padding", {1, 1}}});
  tinyexec::testing::Tester tester = lowered(deconv_model({1, 3, 5, 5}, {3, 4, 3, 3}, attrs));
  EXPECT_TRUE(tester.lowering_report().float_nodes.empty()) << tester.lowering_report().to_string();
  EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                  {"cortex_m.transpose", 2},
                                  {"cortex_m.quantized_transpose_conv2d", 1},
                                  {"cortex_m.dequantize", 1}}));
  const ir::Node* node = only_node(tester.lowered_graph(), "cortex_m.quantized_transpose_conv2d");
  // full = (5 - 1) * 2 + 3 = 11, ONNX output 11 + 1 - 2 = 10: crop 1 at the start, 0 at the end.
  EXPECT_EQ(node->attrs.get_ints("strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(node->attrs.get_ints("pads"), (std::vector<int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(node->attrs.get_int("activation_min"), node->output(0)->quant->zero_points[0]);
  EXPECT_EQ(node->output(0)->shape, (ir::Shape{1, 10, 10, 4}));

  // The weight: the QDQ graph's int8 [Ci=3, Co=4, 3, 3] (per channel along axis 1) as
  // [Co, KH, KW, Ci] per channel along axis 0, same scales; the bias at s_in * s_w[o].
  const ir::Node* onnx_deconv = onnx_node(tester.qdq_graph(), "onnx.ConvTranspose");
  ASSERT_NE(onnx_deconv, nullptr);
  const ir::Value* q_weight = onnx_deconv->input(1)->producer->input(0);
  ASSERT_EQ(q_weight->quant->axis, 1);
  const auto source = q_weight->constant->data<int8_t>();
  const ir::Value* weight = node->input(1);
  ASSERT_EQ(weight->shape, (ir::Shape{4, 3, 3, 3}));
  EXPECT_EQ(weight->quant->axis, 0);
  EXPECT_EQ(weight->quant->scales, q_weight->quant->scales);
  const auto stored = weight->constant->data<int8_t>();
  for (int o = 0; o < 4; ++o)
    for (int h = 0; h < 3; ++h)
      for (int k = 0; k < 3; ++k)
        for (int i = 0; i < 3; ++i) {
          EXPECT_EQ(stored[((o * 3 + h) * 3 + k) * 3 + i], source[((i * 4 + o) * 3 + h) * 3 + k]);
        }
  const float input_scale = node->input(0)->quant->scales[0];
  for (int o = 0; o < 4; ++o) {
    EXPECT_FLOAT_EQ(node->input(2)->quant->scales[o], input_scale * q_weight->quant->scales[o]);
  }
  expect_numerics(tester, "conv_transpose 3x3 s2 p1 op1");
}

TEST(LoweringConvTranspose, AutoPadOutputShapeOutputPaddingAnd1d) {
  struct Case {
    const char* what;
    ir::Shape x, w;
    ir::Attributes attrs;
    std::vector<int64_t> strides, pads;  // expected kernel attributes
    ir::Shape lowered;                   // expected kernel output
    std::map<std::string, int> dialect;
  };
  const std::map<std::string, int> two_d{{"cortex_m.quantize", 1},
                                         {"cortex_m.transpose", 2},
                                         {"cortex_m.quantized_transpose_conv2d", 1},
                                         {"cortex_m.dequantize", 1}};
  ir::Attributes same = ints_attrs({{"strides", {2, 2}}});
  same.set("auto_pad", std::string("SAME_UPPER"));
  const std::vector<Case> cases{
      // full 9, output in * stride = 8: SAME_UPPER cuts the odd element at the end.
      {"SAME_UPPER", {1, 2, 4, 4}, {2, 3, 3, 3}, same, {2, 2}, {0, 0, 1, 1}, {1, 8, 8, 3}, two_d},
      // full 9, output_shape 8 (no auto_pad): the odd element is cut at the start.
      {"output_shape",
       {1, 2, 4, 4},
       {2, 3, 3, 3},
       ints_attrs({{"strides", {2, 2}}, {"output_shape", {8, 8}}}),
       {2, 2},
       {1, 1, 0, 0},
       {1, 8, 8, 3},
       two_d},
      // K = 2 < stride 3: output_padding 1 extends the result by one row / column of bias.
      {"K < stride, output_padding",
       {1, 2, 4, 3},
       {2, 3, 2, 2},
       ints_attrs({{"strides", {3, 3}}, {"output_padding", {1, 1}}}),
       {3, 3},
       {0, 0, -1, -1},
       {1, 12, 9, 3},
       two_d},
      // 1-D [N, C, W]: H = 1; in and out through [N,C,1,W] <-> [N,1,W,C].
      {"1-D",
       {1, 3, 7},
       {3, 2, 4},
       ints_attrs({{"strides", {2}}, {"pads", {1, 2}}}),
       {1, 2},
       {0, 1, 0, 2},
       {1, 1, 13, 2},
       {{"cortex_m.quantize", 1},
        {"cortex_m.reshape", 2},
        {"cortex_m.transpose", 2},
        {"cortex_m.quantized_transpose_conv2d", 1},
        {"cortex_m.dequantize", 1}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    tinyexec::testing::Tester tester = lowered(deconv_model(c.x, c.w, c.attrs));
    EXPECT_TRUE(tester.lowering_report().float_nodes.empty())
        << tester.lowering_report().to_string();
    EXPECT_TRUE(dialect_is(tester, c.dialect));
    const ir::Node* node = only_node(tester.lowered_graph(), "cortex_m.quantized_transpose_conv2d");
    if (node == nullptr) continue;
    EXPECT_EQ(node->attrs.get_ints("strides"), c.strides);
    EXPECT_EQ(node->attrs.get_ints("pads"), c.pads);
    EXPECT_EQ(node->output(0)->shape, c.lowered);
    expect_numerics(tester, std::string("conv_transpose ") + c.what);
  }
}

TEST(LoweringConvTranspose, WhatTheKernelCannotExpressIsReportedWithTheReason) {
  struct Case {
    const char* what;
    ir::Shape x, w;
    ir::Attributes attrs;
    const char* reason;
  };
  ir::Attributes grouped = ints_attrs({{"strides", {2, 2}}});
  grouped.set("group", int64_t{2});
  const std::vector<Case> cases{
      {"dilation 2",
       {1, 2, 4, 4},
       {2, 3, 3, 3},
       ints_attrs({{"dilations", {2, 2}}}),
       "attribute 'dilations'"},
      {"group 2", {1, 4, 4, 4}, {4, 1, 3, 3}, grouped, "attribute 'group'"},
      // A start crop of 3 > K - 1 = 2.
      {"pads > K - 1",
       {1, 2, 5, 5},
       {2, 3, 3, 3},
       ints_attrs({{"strides", {2, 2}}, {"pads", {3, 3, 3, 3}}}),
       "crops 3 at the start"},
      // output_shape 10 > full 9 with K >= stride: the kernel cannot extend the result.
      {"output_shape past the result",
       {1, 2, 4, 4},
       {2, 3, 3, 3},
       ints_attrs({{"strides", {2, 2}}, {"output_shape", {10, 10}}}),
       "extends spatial axis 0"},
      {"3-D", {1, 2, 3, 3, 3}, {2, 2, 2, 2, 2}, {}, "3-D transposed convolution"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    tinyexec::testing::Tester tester = lowered(deconv_model(c.x, c.w, c.attrs, /*relu=*/false));
    EXPECT_TRUE(rejected(tester.lowering_report(), "deconv", c.reason));
    EXPECT_EQ(op_counts(tester.lowered_graph())["cortex_m.quantized_transpose_conv2d"], 0);
    // It stays a float op between cortex_m.dequantize and cortex_m.quantize and still computes
    // the same as the QDQ graph.
    EXPECT_EQ(op_counts(tester.lowered_graph())["onnx.ConvTranspose"], 1);
    expect_numerics(tester, std::string("conv_transpose fallback ") + c.what);
  }
}
