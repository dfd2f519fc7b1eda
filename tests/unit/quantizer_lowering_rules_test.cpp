// SPDX-License-Identifier: Apache-2.0
// What the quantizer must produce for the newer lowering rules: ConvTranspose weights per
// output channel (ONNX axis 1) with the bias at s_in * s_w, MatMul of two activations with
// both inputs quantized as activations, Max / Min sharing one set of parameters with their
// inputs, and GELU fused (passes::float_passes) with its own output observer. Expected values
// are computed here from the float weights, independently of the quantizer's code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "lowering_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::lowering_test;
using tinyexec::quantizer::Quantizer;

namespace {

const ir::Node* node_named(const ir::Graph& graph, const std::string& name) {
  for (const ir::Node* node : graph.nodes()) {
    if (node->name == name) return node;
  }
  return nullptr;
}

}  // namespace

TEST(QuantizerRules, ConvTransposeWeightPerOutputChannelAxis1AndBiasAtInputTimesWeightScale) {
  FloatBuilder b;
  ir::Value* x = b.input("x", {1, 3, 4, 4});
  ir::Value* w = b.weight("w", {3, 4, 2, 2}, 31);  // [Ci, Co, KH, KW]
  ir::Value* bias = b.weight("b", {4}, 32, 0.3f);
  b.output(b.op("onnx.ConvTranspose", {x, w, bias}, ints_attrs({{"strides", {2, 2}}}), "deconv"));
  ir::Graph g = b.take();
  // Output channel 2 is ten times smaller: it must get its own scale.
  ir::Tensor weights = *g.find_value("w")->constant;
  auto data = weights.data<float>();
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t k = 0; k < 4; ++k) data[(i * 4 + 2) * 4 + k] *= 0.1f;
  g.find_value("w")->constant = std::make_shared<const ir::Tensor>(weights);

  Quantizer quantizer(g);
  quantizer.calibrate(random_samples(g, 4, 3));
  const ir::Graph qdq = quantizer.convert();
  const ir::Node* deconv = node_named(qdq, "deconv");
  ASSERT_NE(deconv, nullptr);
  const ir::Node* wdq = deconv->input(1)->producer;
  ASSERT_EQ(wdq->op, "onnx.DequantizeLinear");
  EXPECT_EQ(wdq->attrs.get_int("axis"), 1);
  const auto scales = wdq->input(1)->constant->data<float>();
  ASSERT_EQ(scales.size(), 4u);
  const auto q = wdq->input(0)->constant->data<int8_t>();
  for (int64_t o = 0; o < 4; ++o) {
    float max_abs = 0.0f;  // over every input channel and tap of output channel o
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t k = 0; k < 4; ++k)
        max_abs = std::max(max_abs, std::fabs(data[(i * 4 + o) * 4 + k]));
    EXPECT_FLOAT_EQ(scales[o], max_abs / 127.0f) << o;
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t k = 0; k < 4; ++k) {
        const int64_t at = (i * 4 + o) * 4 + k;
        EXPECT_EQ(q[at], static_cast<int8_t>(std::nearbyint(data[at] / scales[o])));
      }
  }
  EXPECT_LT(scales[2], scales[0] / 4);
  const ir::Node* bdq = deconv->input(2)->producer;
  ASSERT_EQ(bdq->op, "onnx.DequantizeLinear");
  ASSERT_EQ(bdq->input(0)->dtype, ir::DType::kInt32);
  const float input_scale = quantizer.params("x").scale;
  const auto b_float = g.find_value("b")->constant->data<float>();
  for (size_t o = 0; o < 4; ++o) {
    const float scale = bdq->input(1)->constant->data<float>()[o];
    EXPECT_FLOAT_EQ(scale, input_scale * scales[o]);
    EXPECT_EQ(bdq->input(0)->constant->data<int32_t>()[o],
              static_cast<int32_t>(std::nearbyint(b_float[o] / scale)));
  }
}

TEST(QuantizerRules, MatMulOfTwoActivationsQuantizesBothAsActivations) {
  FloatBuilder b;
  ir::Value* a = b.input("a", {3, 4});
  ir::Value* x = b.input("x", {4, 4});
  ir::Value* rhs = b.op("onnx.Relu", {x}, {}, "relu");
  b.output(b.op("onnx.MatMul", {a, rhs}, {}, "matmul"));
  ir::Graph g = b.take();
  Quantizer quantizer(g);
  quantizer.calibrate(random_samples(g, 4, 5));
  const ir::Graph qdq = quantizer.convert();
  const ir::Node* matmul = node_named(qdq, "matmul");
  ASSERT_NE(matmul, nullptr);
  for (size_t i = 0; i < 2; ++i) {
    const ir::Node* dq = matmul->input(i)->producer;
    ASSERT_EQ(dq->op, "onnx.DequantizeLinear") << i;
    EXPECT_FALSE(dq->input(0)->is_constant()) << i;
    EXPECT_EQ(dq->input(0)->producer->op, "onnx.QuantizeLinear") << i;
    EXPECT_FALSE(dq->input(0)->quant->per_channel()) << i;
  }
  // Each input with its own range: the relu output's starts at 0.
  EXPECT_EQ(quantizer.params("relu_out").zero_point, -128);
  EXPECT_NE(quantizer.params("a").zero_point, -128);
}

TEST(QuantizerRules, MaxAndMinShareOneGroupWithTheirActivationInputs) {
  for (const char* op : {"onnx.Max", "onnx.Min"}) {
    FloatBuilder b;
    ir::Value* x = b.input("x", {2, 5});
    ir::Value* y = b.op("onnx.Mul", {x, b.scalar(3.0f)}, {}, "triple");  // a wider range
    ir::Value* m = b.op(op, {x, y, b.scalar(0.25f)}, {}, "minmax");
    b.output(b.op("onnx.Relu", {m}, {}, "relu"));  // not fused: the group holds m
    ir::Graph g = b.take();
    Quantizer quantizer(g);
    const auto& plan = quantizer.plan();
    EXPECT_EQ(plan.group_of.at("x"), plan.group_of.at("minmax_out")) << op;
    EXPECT_EQ(plan.group_of.at("triple_out"), plan.group_of.at("minmax_out")) << op;
    EXPECT_NE(plan.group_of.at("relu_out"), plan.group_of.at("minmax_out")) << op;
    quantizer.calibrate(random_samples(g, 4, 9));
    // One observer spans x and 3x: the range is 3x's.
    const tinyexec::quantizer::Range range = quantizer.range("x");
    EXPECT_LT(range.min, -2.0f) << op;
    EXPECT_GT(range.max, 2.0f) << op;
  }
}

TEST(QuantizerRules, GeluPatternIsFusedAndObservedOnce) {
  FloatBuilder b;
  ir::Value* x = b.input("x", {1, 8});
  ir::Value* e = b.op("onnx.Erf", {b.op("onnx.Div", {x, b.scalar(1.4142135f)})}, {}, "erf");
  ir::Value* a = b.op("onnx.Add", {e, b.scalar(1.0f)});
  ir::Value* y = b.op("onnx.Mul", {b.op("onnx.Mul", {x, a}), b.scalar(0.5f)}, {}, "gelu_mul");
  b.output(y);
  ir::Graph g = b.take();
  Quantizer quantizer(g);
  const auto counts = op_counts(quantizer.prepared_graph());
  EXPECT_EQ(counts, (std::map<std::string, int>{{"onnx.Gelu", 1}}));
  // x and the Gelu output: two groups, nothing else observed.
  EXPECT_EQ(quantizer.plan().groups.size(), 2u);
  EXPECT_EQ(g.node_count(), 5u);  // the caller's graph is untouched
  quantizer.calibrate(random_samples(g, 4, 11, -3.0f, 3.0f));
  const ir::Graph qdq = quantizer.convert();
  EXPECT_EQ(op_counts(qdq)["onnx.QuantizeLinear"], 2);
  // GELU's minimum is about -0.17: the output range starts there, not at the input's -3.
  EXPECT_GT(quantizer.range("gelu_mul_out").min, -0.2f);
}
