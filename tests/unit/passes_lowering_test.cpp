// SPDX-License-Identifier: Apache-2.0
// The lowering pass: hand-built QDQ graphs become cortex_m graphs. Structure (ops, attributes,
// rearranged weights) is checked against hand computations; numerics by running the float QDQ
// graph and the lowered int8 graph (after compute_kernel_params) with the reference
// interpreter: they agree to within a few output quantization steps, and a wrong layout or
// weight permutation would not.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "lowering_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::lowering_test;

TEST(LoweringConv, ConvReluBecomesOneQuantizedConv2dWithNhwcBoundaries) {
  QdqBuilder b;
  Numbers numbers;
  const float in_scale = 1.0f / 127;
  ir::Value* x = b.qdq(b.input("x", {1, 2, 5, 5}), in_scale, 0);
  const std::vector<int8_t> w_data = numbers.int8s(3 * 2 * 3 * 3);
  const std::vector<float> w_scales = channel_scales(3);
  ir::Value* w = b.weight("w", {3, 2, 3, 3}, w_data, w_scales);
  ir::Value* bias = b.bias("b", {100, -200, 300}, in_scale, w_scales);
  ir::Value* conv = b.op("onnx.Conv", {x, w, bias},
                         ints_attrs({{"pads", {1, 1, 1, 1}}, {"strides", {2, 2}}}), "conv");
  ir::Value* y = b.qdq(b.op("onnx.Relu", {conv}), 0.02f, -20);
  b.output(y);

  LoweringReport report;
  lower_and_compare(b, 0.02f, &report);
  EXPECT_EQ(report.lowered, 1);
  EXPECT_TRUE(report.float_nodes.empty()) << report.to_string();
  const std::map<std::string, int> expected{{"cortex_m.quantize", 1},
                                            {"cortex_m.transpose", 2},
                                            {"cortex_m.quantized_conv2d", 1},
                                            {"cortex_m.dequantize", 1}};
  EXPECT_EQ(op_counts(b.graph), expected);

  const ir::Node* node = only_node(b.graph, "cortex_m.quantized_conv2d");
  EXPECT_EQ(node->attrs.get_ints("strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(node->attrs.get_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(node->attrs.get_ints("dilations"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(node->attrs.get_int("groups"), 1);
  EXPECT_EQ(node->attrs.get_int("activation_min"), -20);  // Relu: the zero point
  EXPECT_EQ(node->attrs.get_int("activation_max"), 127);
  EXPECT_EQ(node->input(0)->shape, (ir::Shape{1, 5, 5, 2}));
  EXPECT_EQ(node->output(0)->shape, (ir::Shape{1, 3, 3, 3}));
  EXPECT_EQ(node->output(0)->quant, (ir::QuantParams{{0.02f}, {-20}, -1}));
  // Weight OIHW -> OHWI, per-channel axis 0.
  const ir::Value* weight = node->input(1);
  ASSERT_EQ(weight->shape, (ir::Shape{3, 3, 3, 2}));
  const auto stored = weight->constant->data<int8_t>();
  for (int o = 0; o < 3; ++o)
    for (int i = 0; i < 2; ++i)
      for (int h = 0; h < 3; ++h)
        for (int k = 0; k < 3; ++k) {
          EXPECT_EQ(stored[((o * 3 + h) * 3 + k) * 2 + i], w_data[((o * 2 + i) * 3 + h) * 3 + k]);
        }
  EXPECT_EQ(weight->quant->axis, 0);
  EXPECT_EQ(weight->quant->scales, w_scales);
  // Bias kept as stored (its scale is input scale * weight scale).
  EXPECT_EQ(node->input(2)->constant->to_int_vector(), (std::vector<int64_t>{100, -200, 300}));
  // The boundary transposes: NCHW -> NHWC after the input quantize, back before dequantize.
  const ir::Node* first = node->input(0)->producer;
  EXPECT_EQ(first->op, "cortex_m.transpose");
  EXPECT_EQ(first->attrs.get_ints("perm"), (std::vector<int64_t>{0, 2, 3, 1}));
  EXPECT_EQ(first->input(0)->producer->op, "cortex_m.quantize");
  const ir::Node* last = b.graph.outputs()[0]->producer;
  EXPECT_EQ(last->op, "cortex_m.dequantize");
  EXPECT_EQ(last->input(0)->producer->attrs.get_ints("perm"), (std::vector<int64_t>{0, 3, 1, 2}));
  EXPECT_EQ(b.graph.outputs()[0]->shape, (ir::Shape{1, 3, 3, 3}));
  EXPECT_EQ(b.graph.outputs()[0]->dtype, ir::DType::kFloat32);
}

TEST(LoweringConv, AutoPadIsResolvedToTopLeftBottomRight) {
  for (const auto& [auto_pad, pads] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"SAME_UPPER", {0, 0, 1, 1}}, {"SAME_LOWER", {1, 1, 0, 0}}, {"VALID", {0, 0, 0, 0}}}) {
    QdqBuilder b;
    Numbers numbers;
    ir::Value* x = b.qdq(b.input("x", {1, 1, 6, 6}), 0.01f, 0);
    ir::Value* w = b.weight("w", {2, 1, 3, 3}, numbers.int8s(18), channel_scales(2));
    ir::Attributes attrs = ints_attrs({{"strides", {2, 2}}});
    attrs.set("auto_pad", auto_pad);
    b.output(b.qdq(b.op("onnx.Conv", {x, w}, attrs), 0.02f, 3));
    lower_and_compare(b, 0.02f, nullptr);
    EXPECT_EQ(only_node(b.graph, "cortex_m.quantized_conv2d")->attrs.get_ints("pads"), pads)
        << auto_pad;
    // One input channel: NCHW -> NHWC moves only a size-1 dim, a reshape does it.
    EXPECT_EQ(op_counts(b.graph)["cortex_m.reshape"], 1) << auto_pad;
  }
}

TEST(LoweringConv, DepthwiseWeightsBecome1HWCoPerChannelAxis3) {
  QdqBuilder b;
  Numbers numbers;
  const float in_scale = 1.0f / 100;
  ir::Value* x = b.qdq(b.input("x", {1, 2, 4, 4}), in_scale, 5);
  const std::vector<int8_t> w_data = numbers.int8s(4 * 1 * 3 * 3);  // multiplier 2
  const std::vector<float> w_scales = channel_scales(4);
  ir::Value* w = b.weight("w", {4, 1, 3, 3}, w_data, w_scales);
  ir::Value* bias = b.bias("b", {10, 20, -30, 40}, in_scale, w_scales);
  ir::Attributes attrs = ints_attrs({{"pads", {1, 0, 1, 2}}, {"dilations", {1, 1}}});
  attrs.set("group", int64_t{2});
  b.output(b.qdq(b.op("onnx.Conv", {x, w, bias}, attrs), 0.01f, -5));
  LoweringReport report;
  lower_and_compare(b, 0.01f, &report);
  EXPECT_TRUE(report.float_nodes.empty()) << report.to_string();
  EXPECT_EQ(op_counts(b.graph)["cortex_m.quantized_conv2d"], 0);
  const ir::Node* node = only_node(b.graph, "cortex_m.quantized_depthwise_conv2d");
  EXPECT_EQ(node->attrs.get_ints("pads"), (std::vector<int64_t>{1, 0, 1, 2}));
  EXPECT_FALSE(node->attrs.has("groups"));
  const ir::Value* weight = node->input(1);
  ASSERT_EQ(weight->shape, (ir::Shape{1, 3, 3, 4}));
  EXPECT_EQ(weight->quant->axis, 3);
  const auto stored = weight->constant->data<int8_t>();
  for (int co = 0; co < 4; ++co)
    for (int h = 0; h < 3; ++h)
      for (int k = 0; k < 3; ++k)
        EXPECT_EQ(stored[(h * 3 + k) * 4 + co], w_data[(co * 3 + h) * 3 + k]);
}

TEST(LoweringLinear, FlattenOfNhwcConvOutputPermutesGemmWeightColumns) {
  QdqBuilder b;
  Numbers numbers;
  const float in_scale = 1.0f / 127;
  ir::Value* x = b.qdq(b.input("x", {1, 1, 4, 4}), in_scale, 0);
  ir::Value* w = b.weight("w", {2, 1, 3, 3}, numbers.int8s(18), {0.02f, 0.03f});
  ir::Value* conv = b.qdq(b.op("onnx.Conv", {x, w}), 0.03f, 0);  // [1,2,2,2]
  ir::Attributes flatten_attrs;
  flatten_attrs.set("axis", int64_t{1});
  ir::Value* flat = b.qdq(b.op("onnx.Flatten", {conv}, flatten_attrs), 0.03f, 0);  // [1,8]
  const std::vector<int8_t> fc = numbers.int8s(3 * 8);
  ir::Value* fc_w = b.weight("fc", {3, 8}, fc, {0.05f});
  ir::Attributes gemm_attrs;
  gemm_attrs.set("transB", int64_t{1});
  b.output(b.qdq(b.op("onnx.Gemm", {flat, fc_w}, gemm_attrs), 0.02f, 0));

  LoweringReport report;
  lower_and_compare(b, 0.02f, &report);
  EXPECT_EQ(report.lowered, 3);
  EXPECT_TRUE(report.float_nodes.empty()) << report.to_string();
  // quantize -> reshape (C = 1: NCHW -> NHWC is a reshape) -> conv -> reshape (flatten in NHWC
  // order) -> linear -> dequantize: no transpose at all.
  const std::map<std::string, int> expected{{"cortex_m.quantize", 1},
                                            {"cortex_m.reshape", 2},
                                            {"cortex_m.quantized_conv2d", 1},
                                            {"cortex_m.quantized_linear", 1},
                                            {"cortex_m.dequantize", 1}};
  EXPECT_EQ(op_counts(b.graph), expected);
  const ir::Node* linear = only_node(b.graph, "cortex_m.quantized_linear");
  EXPECT_EQ(linear->input(0)->producer->op, "cortex_m.reshape");
  EXPECT_EQ(linear->input(0)->shape, (ir::Shape{1, 8}));
  // NCHW flatten index c*4 + h*2 + w is NHWC flatten index (h*2 + w)*2 + c.
  const ir::Value* weight = linear->input(1);
  ASSERT_EQ(weight->shape, (ir::Shape{3, 8}));
  const auto stored = weight->constant->data<int8_t>();
  for (int o = 0; o < 3; ++o)
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h)
        for (int w2 = 0; w2 < 2; ++w2) {
          EXPECT_EQ(stored[o * 8 + (h * 2 + w2) * 2 + c], fc[o * 8 + c * 4 + h * 2 + w2]);
        }
  EXPECT_EQ(weight->quant, (ir::QuantParams{{0.05f}, {0}, -1}));
}

TEST(LoweringLinear, GlobalPoolThenFlattenKeepsWeightsAndMatMulTransposesThem) {
  QdqBuilder b;
  Numbers numbers;
  ir::Value* x = b.qdq(b.input("x", {1, 3, 4, 4}), 1.0f / 127, 0);
  ir::Value* w = b.weight("w", {4, 3, 1, 1}, numbers.int8s(12), channel_scales(4));
  ir::Value* conv = b.qdq(b.op("onnx.Conv", {x, w}), 0.01f, 0);
  ir::Value* pool = b.qdq(b.op("onnx.GlobalAveragePool", {conv}), 0.01f, 0);  // [1,4,1,1]
  ir::Value* flat = b.qdq(b.op("onnx.Flatten", {pool}), 0.01f, 0);            // [1,4]
  const std::vector<int8_t> mm = numbers.int8s(4 * 5);
  ir::Value* mm_w = b.weight("mm", {4, 5}, mm, {0.04f});  // MatMul weight [K, O]
  b.output(b.qdq(b.op("onnx.MatMul", {flat, mm_w}), 0.005f, 1));
  LoweringReport report;
  lower_and_compare(b, 0.005f, &report);
  EXPECT_TRUE(report.float_nodes.empty()) << report.to_string();
  const ir::Node* pool_node = only_node(b.graph, "cortex_m.avg_pool2d");
  EXPECT_EQ(pool_node->attrs.get_ints("kernel"), (std::vector<int64_t>{4, 4}));
  const ir::Node* linear = only_node(b.graph, "cortex_m.quantized_linear");
  const auto stored = linear->input(1)->constant->data<int8_t>();
  ASSERT_EQ(linear->input(1)->shape, (ir::Shape{5, 4}));
  for (int o = 0; o < 5; ++o)
    for (int k = 0; k < 4; ++k) EXPECT_EQ(stored[o * 4 + k], mm[k * 5 + o]);  // only B^T
}

TEST(LoweringFallback, UnsupportedOpStaysFloatBetweenDequantizeAndQuantize) {
  QdqBuilder b;
  Numbers numbers;
  ir::Value* x = b.qdq(b.input("x", {1, 2, 3, 3}), 1.0f / 127, 0);
  ir::Value* w1 = b.weight("w1", {2, 2, 1, 1}, numbers.int8s(4), channel_scales(2));
  ir::Value* a = b.qdq(b.op("onnx.Conv", {x, w1}), 0.01f, 0);
  ir::Attributes leaky;
  leaky.set("alpha", 0.1f);
  ir::Value* l = b.qdq(b.op("onnx.LeakyRelu", {a}, leaky, "leaky"), 0.01f, 0);
  ir::Value* w2 = b.weight("w2", {2, 2, 1, 1}, numbers.int8s(4), channel_scales(2));
  b.output(b.qdq(b.op("onnx.Conv", {l, w2}), 0.01f, 0));
  LoweringReport report;
  lower_and_compare(b, 0.01f, &report);
  EXPECT_EQ(report.lowered, 2);
  ASSERT_EQ(report.float_nodes.size(), 1u) << report.to_string();
  EXPECT_EQ(report.float_nodes[0].node, "leaky");
  EXPECT_EQ(report.float_nodes[0].op, "onnx.LeakyRelu");
  EXPECT_NE(report.float_nodes[0].reason.find("no cortex_m lowering"), std::string::npos);
  const std::map<std::string, int> expected{{"cortex_m.quantize", 2},
                                            {"cortex_m.dequantize", 2},
                                            {"cortex_m.transpose", 4},
                                            {"cortex_m.quantized_conv2d", 2},
                                            {"onnx.LeakyRelu", 1}};
  EXPECT_EQ(op_counts(b.graph), expected);
  // LeakyRelu reads a dequantized NCHW value and its output is quantized again.
  const ir::Node* leaky_node = only_node(b.graph, "onnx.LeakyRelu");
  EXPECT_EQ(leaky_node->input(0)->producer->op, "cortex_m.dequantize");
  EXPECT_EQ(leaky_node->input(0)->shape, (ir::Shape{1, 2, 3, 3}));
  EXPECT_EQ(leaky_node->output(0)->users.at(0)->op, "cortex_m.quantize");
}

TEST(LoweringFallback, UnsupportedAttributesAndQuantizationAreReported) {
  QdqBuilder b;
  Numbers numbers;
  ir::Value* x = b.qdq(b.input("x", {2, 6}), 1.0f / 127, 0);
  // Gemm B [K, O] quantized per channel along K (axis 0): not lowerable.
  ir::Value* w = b.weight("w", {6, 3}, numbers.int8s(18), channel_scales(6), /*axis=*/0);
  ir::Value* g = b.qdq(b.op("onnx.Gemm", {x, w}, {}, "gemm"), 0.02f, 0);
  ir::Value* g4 = b.qdq(
      b.op("onnx.Reshape",
           {g, b.graph.add_constant(
                   "shape", ir::Tensor::from<int64_t>({4}, std::vector<int64_t>{2, 3, 1, 1}))}),
      0.02f, 0);
  ir::Attributes pool = ints_attrs({{"kernel_shape", {1, 1}}, {"pads", {0, 0, 0, 0}}});
  pool.set("count_include_pad", int64_t{1});
  ir::Value* p = b.qdq(b.op("onnx.AveragePool", {g4}, pool, "pool_ok"), 0.02f, 0);
  b.output(p);
  LoweringReport report;
  lower_and_compare(b, 0.02f, &report);
  ASSERT_EQ(report.float_nodes.size(), 1u) << report.to_string();
  EXPECT_EQ(report.float_nodes[0].node, "gemm");
  EXPECT_NE(report.float_nodes[0].reason.find("per channel along K"), std::string::npos)
      << report.float_nodes[0].reason;
  // The weight's DequantizeLinear became a float constant for the float Gemm.
  EXPECT_EQ(op_counts(b.graph)["onnx.DequantizeLinear"], 0);
  EXPECT_EQ(op_counts(b.graph)["cortex_m.avg_pool2d"], 1);  // no padding: count_include_pad moot
}

TEST(LoweringActivation, ClipAndReluRangesInTheOutputInt8Domain) {
  struct Case {
    const char* op;
    float low, high;
    float scale;
    int zero_point;
    int64_t expected_min, expected_max;
  };
  const std::vector<Case> cases{
      {"onnx.Clip", 0.0f, 6.0f, 0.05f, -10, -10, 110},    // ReLU6: 6 / 0.05 - 10
      {"onnx.Clip", -1.0f, 20.0f, 0.05f, -10, -30, 127},  // upper bound saturates
      {"onnx.Clip", -10.0f, 0.5f, 0.05f, 0, -128, 10},    // lower bound saturates
      {"onnx.Clip", 0.0f, 6.0f, 6.0f / 255, -128, -128, 127},
      {"onnx.Relu", 0, 0, 0.1f, -128, -128, 127},
      {"onnx.Relu", 0, 0, 0.1f, 7, 7, 127},
  };
  for (const Case& c : cases) {
    QdqBuilder b;
    Numbers numbers;
    ir::Value* x = b.qdq(b.input("x", {1, 4}), 1.0f / 127, 0);
    ir::Value* w = b.weight("w", {3, 4}, numbers.int8s(12), {0.05f});
    ir::Attributes attrs;
    attrs.set("transB", int64_t{1});
    ir::Value* y = b.op("onnx.Gemm", {x, w}, attrs);
    ir::Value* act = std::string(c.op) == "onnx.Relu"
                         ? b.op(c.op, {y})
                         : b.op(c.op, {y, b.scalar(c.low), b.scalar(c.high)});
    b.output(b.qdq(act, c.scale, c.zero_point));
    lower_and_compare(b, c.scale, nullptr);
    const ir::Node* node = only_node(b.graph, "cortex_m.quantized_linear");
    EXPECT_EQ(node->attrs.get_int("activation_min"), c.expected_min) << c.op << " " << c.low;
    EXPECT_EQ(node->attrs.get_int("activation_max"), c.expected_max) << c.op << " " << c.high;
    EXPECT_EQ(op_counts(b.graph).size(), 3u);  // quantize, linear, dequantize
  }
}

TEST(LoweringNetwork, SmallCnnLowersToTheExpectedDialectOps) {
  QdqBuilder b;
  Numbers numbers;
  const float in_scale = 1.0f / 127;
  ir::Value* x = b.qdq(b.input("x", {1, 2, 8, 8}), in_scale, 0);
  const std::vector<float> s1 = channel_scales(4);
  ir::Value* c1 = b.op("onnx.Conv",
                       {x, b.weight("w1", {4, 2, 3, 3}, numbers.int8s(72), s1),
                        b.bias("b1", {50, -50, 25, 0}, in_scale, s1)},
                       ints_attrs({{"pads", {1, 1, 1, 1}}}));
  ir::Value* r1 = b.qdq(b.op("onnx.Relu", {c1}), 0.02f, -128);
  ir::Value* p1 =
      b.qdq(b.op("onnx.MaxPool", {r1}, ints_attrs({{"kernel_shape", {3, 3}}, {"strides", {2, 2}}})),
            0.02f, -128);  // [1,4,3,3], ceil_mode 0
  ir::Attributes dw = ints_attrs({{"pads", {1, 1, 1, 1}}});
  dw.set("group", int64_t{4});
  ir::Value* c2 =
      b.qdq(b.op("onnx.Conv",
                 {p1, b.weight("w2", {4, 1, 3, 3}, numbers.int8s(36), channel_scales(4))}, dw),
            0.02f, 0);
  ir::Value* sum = b.qdq(b.op("onnx.Add", {c2, p1}), 0.03f, -10);
  ir::Attributes avg = ints_attrs({{"kernel_shape", {2, 2}}, {"strides", {2, 2}}});
  avg.set("ceil_mode", int64_t{1});
  ir::Value* p2 = b.qdq(b.op("onnx.AveragePool", {sum}, avg), 0.03f, -10);  // [1,4,2,2]
  ir::Value* flat = b.qdq(b.op("onnx.Flatten", {p2}), 0.03f, -10);          // [1,16]
  ir::Attributes gemm;
  gemm.set("transB", int64_t{1});
  ir::Value* logits =
      b.qdq(b.op("onnx.Gemm", {flat, b.weight("fc", {5, 16}, numbers.int8s(80), {0.03f})}, gemm),
            0.05f, 3);
  b.output(b.qdq(b.op("onnx.Softmax", {logits}), 1.0f / 256, -128));

  LoweringReport report;
  lower_and_compare(b, 1.0f / 256, &report, 2.0);
  EXPECT_EQ(report.lowered, 8);
  EXPECT_TRUE(report.float_nodes.empty()) << report.to_string();
  const std::map<std::string, int> expected{{"cortex_m.quantize", 1},
                                            {"cortex_m.transpose", 1},
                                            {"cortex_m.quantized_conv2d", 1},
                                            {"cortex_m.max_pool2d", 1},
                                            {"cortex_m.quantized_depthwise_conv2d", 1},
                                            {"cortex_m.quantized_add", 1},
                                            {"cortex_m.avg_pool2d", 1},
                                            {"cortex_m.reshape", 1},
                                            {"cortex_m.quantized_linear", 1},
                                            {"cortex_m.softmax", 1},
                                            {"cortex_m.dequantize", 1}};
  EXPECT_EQ(op_counts(b.graph), expected);
  // ceil_mode: 3 -> 2 windows of 2 with stride 2 needs one row / column of end padding.
  EXPECT_EQ(only_node(b.graph, "cortex_m.avg_pool2d")->attrs.get_ints("pads"),
            (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(only_node(b.graph, "cortex_m.quantized_add")->output(0)->shape,
            (ir::Shape{1, 3, 3, 4}));
}

TEST(LoweringLut, SigmoidTanhHardSwishBecomeLutOnTheNhwcValue) {
  struct Case {
    const char* op;
    const char* function;
    float scale;
    int zero_point;
  };
  const std::vector<Case> cases{{"onnx.Sigmoid", "sigmoid", 1.0f / 256, -128},
                                {"onnx.Tanh", "tanh", 1.0f / 128, 0},
                                {"onnx.HardSwish", "hardswish", 0.012f, -97}};
  for (const Case& c : cases) {
    QdqBuilder b;
    Numbers numbers;
    ir::Value* x = b.qdq(b.input("x", {1, 2, 3, 3}), 1.0f / 127, 0);
    ir::Value* w = b.weight("w", {3, 2, 1, 1}, numbers.int8s(6), channel_scales(3));
    ir::Value* conv = b.qdq(b.op("onnx.Conv", {x, w}), 0.02f, 3);  // [1,3,3,3], NHWC lowered
    b.output(b.qdq(b.op(c.op, {conv}, {}, "act"), c.scale, c.zero_point));
    LoweringReport report;
    lower_and_compare(b, c.scale, &report);
    EXPECT_EQ(report.lowered, 2) << c.op;
    EXPECT_TRUE(report.float_nodes.empty()) << report.to_string();
    const std::map<std::string, int> expected{{"cortex_m.quantize", 1},
                                              {"cortex_m.transpose", 2},
                                              {"cortex_m.quantized_conv2d", 1},
                                              {"cortex_m.lut", 1},
                                              {"cortex_m.dequantize", 1}};
    EXPECT_EQ(op_counts(b.graph), expected) << c.op;
    const ir::Node* lut = only_node(b.graph, "cortex_m.lut");
    EXPECT_EQ(lut->attrs.get_string("function"), c.function);
    EXPECT_EQ(lut->input(0)->shape, (ir::Shape{1, 3, 3, 3}));  // stays NHWC
    EXPECT_EQ(lut->input(0)->producer->op, "cortex_m.quantized_conv2d");
    EXPECT_EQ(lut->output(0)->quant, (ir::QuantParams{{c.scale}, {c.zero_point}, -1}));
  }
}

TEST(LoweringConcat, AxisIsMappedToTheNhwcLayout) {
  for (const auto& [axis, nhwc_axis] :
       std::vector<std::pair<int64_t, int64_t>>{{1, 3}, {2, 1}, {-1, 2}, {0, 0}}) {
    QdqBuilder b;
    Numbers numbers;
    const float scale = 1.0f / 127;
    ir::Value* x = b.qdq(b.input("x", {1, 3, 3, 3}), scale, 0);
    ir::Value* w = b.weight("w", {3, 3, 1, 1}, numbers.int8s(9), channel_scales(3));
    ir::Value* conv = b.qdq(b.op("onnx.Conv", {x, w}), scale, 0);  // same quantization as x
    ir::Attributes attrs;
    attrs.set("axis", axis);
    b.output(b.qdq(b.op("onnx.Concat", {conv, x}, attrs, "concat"), scale, 0));
    LoweringReport report;
    lower_and_compare(b, scale, &report);
    EXPECT_EQ(report.lowered, 2) << axis;
    EXPECT_TRUE(report.float_nodes.empty()) << report.to_string();
    const std::map<std::string, int> expected{{"cortex_m.quantize", 1},
                                              {"cortex_m.transpose", 2},  // x once, result once
                                              {"cortex_m.quantized_conv2d", 1},
                                              {"cortex_m.concat", 1},
                                              {"cortex_m.dequantize", 1}};
    EXPECT_EQ(op_counts(b.graph), expected) << axis;
    const ir::Node* concat = only_node(b.graph, "cortex_m.concat");
    EXPECT_EQ(concat->attrs.get_int("axis"), nhwc_axis) << axis;
    EXPECT_EQ(concat->input(0)->rank(), 4);
  }
}

TEST(LoweringConcat, DifferentQuantizationStaysFloat) {
  QdqBuilder b;
  ir::Value* x = b.qdq(b.input("x", {2, 3}), 1.0f / 127, 0);
  ir::Value* y = b.qdq(x, 0.02f, 1);
  ir::Attributes attrs;
  attrs.set("axis", int64_t{1});
  b.output(b.qdq(b.op("onnx.Concat", {x, y}, attrs, "concat"), 1.0f / 127, 0));
  LoweringReport report;
  lower_and_compare(b, 0.02f, &report);
  EXPECT_EQ(op_counts(b.graph)["cortex_m.concat"], 0);
  ASSERT_FALSE(report.float_nodes.empty());
  bool found = false;
  for (const auto& node : report.float_nodes) found = found || node.node == "concat";
  EXPECT_TRUE(found) << report.to_string();
}

TEST(LoweringPad, ConstantZeroPadBecomesPadWithNhwcPads) {
  QdqBuilder b;
  Numbers numbers;
  ir::Value* x = b.qdq(b.input("x", {1, 2, 3, 3}), 1.0f / 127, 0);
  ir::Value* w = b.weight("w", {3, 2, 1, 1}, numbers.int8s(6), channel_scales(3));
  ir::Value* conv = b.qdq(b.op("onnx.Conv", {x, w}), 0.02f, 5);  // zero point 5: pad value
  // ONNX order N, C, H, W begins then ends.
  ir::Value* pads = b.graph.add_constant(
      "pads", ir::Tensor::from<int64_t>({8}, std::vector<int64_t>{0, 1, 2, 0, 0, 0, 1, 3}));
  b.output(b.qdq(b.op("onnx.Pad", {conv, pads, b.scalar(0.0f)}, {}, "pad"), 0.02f, 5));
  LoweringReport report;
  lower_and_compare(b, 0.02f, &report);
  EXPECT_EQ(report.lowered, 2);
  EXPECT_TRUE(report.float_nodes.empty()) << report.to_string();
  const std::map<std::string, int> expected{{"cortex_m.quantize", 1},
                                            {"cortex_m.transpose", 2},
                                            {"cortex_m.quantized_conv2d", 1},
                                            {"cortex_m.pad", 1},
                                            {"cortex_m.dequantize", 1}};
  EXPECT_EQ(op_counts(b.graph), expected);
  const ir::Node* pad = only_node(b.graph, "cortex_m.pad");
  // N, H, W, C begins then ends.
  EXPECT_EQ(pad->attrs.get_ints("pads"), (std::vector<int64_t>{0, 2, 0, 1, 0, 1, 3, 0}));
  EXPECT_EQ(pad->output(0)->shape, (ir::Shape{1, 6, 6, 4}));
  EXPECT_EQ(b.graph.outputs()[0]->shape, (ir::Shape{1, 4, 6, 6}));
}

TEST(LoweringPad, NonZeroPadValueAndReflectStayFloat) {
  for (const bool reflect : {false, true}) {
    QdqBuilder b;
    ir::Value* x = b.qdq(b.input("x", {1, 1, 3, 3}), 1.0f / 127, 0);
    ir::Value* pads = b.graph.add_constant(
        "pads", ir::Tensor::from<int64_t>({8}, std::vector<int64_t>{0, 0, 1, 1, 0, 0, 1, 1}));
    ir::Attributes attrs;
    if (reflect) attrs.set("mode", std::string("reflect"));
    std::vector<ir::Value*> inputs{x, pads};
    if (!reflect) inputs.push_back(b.scalar(0.5f));
    b.output(b.qdq(b.op("onnx.Pad", inputs, attrs, "pad"), 1.0f / 127, 0));
    LoweringReport report;
    lower_and_compare(b, 1.0f / 127, &report);
    EXPECT_EQ(op_counts(b.graph)["cortex_m.pad"], 0) << reflect;
    ASSERT_EQ(report.float_nodes.size(), 1u) << report.to_string();
    EXPECT_EQ(report.float_nodes[0].node, "pad");
    EXPECT_NE(report.float_nodes[0].reason.find(reflect ? "mode" : "pad value"), std::string::npos)
        << report.float_nodes[0].reason;
  }
}
