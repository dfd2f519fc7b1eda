// SPDX-License-Identifier: Apache-2.0
// Lowering onnx.MatMul: two activations -> cortex_m.quantized_batch_matmul (rhs transposed as
// the kernel wants, batch dims broadcasting), a constant weight with an input of rank != 2 ->
// cortex_m.quantized_linear over the input's rows (reshaped before and after), a batched
// constant weight -> batch_matmul with a compile-time transposed rhs. Float models through the
// Tester (dialect, numerics against the QDQ reference), hand-built QDQ graphs for rejections.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "lowering_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::lowering_test;

TEST(LoweringMatMul, TwoActivationsOfRanks2To4BecomeBatchMatmulWithRhsTransposed) {
  struct Case {
    ir::Shape a, b, lhs, rhs;  // ONNX operands; the kernel's lhs and (transposed) rhs
  };
  const std::vector<Case> cases{
      {{4, 6}, {6, 5}, {4, 6}, {5, 6}},
      {{2, 4, 6}, {2, 6, 5}, {2, 4, 6}, {2, 5, 6}},
      {{2, 3, 4, 5}, {3, 5, 6}, {2, 3, 4, 5}, {3, 6, 5}},        // rhs broadcast over the batch
      {{1, 3, 4, 5}, {2, 1, 5, 6}, {1, 3, 4, 5}, {2, 1, 6, 5}},  // both broadcast
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(ir::shape_string(c.a) + " x " + ir::shape_string(c.b));
    FloatBuilder b;
    ir::Value* a = b.input("a", c.a);
    ir::Value* rhs = b.input("b", c.b);
    b.output(b.op("onnx.MatMul", {a, rhs}, {}, "matmul"));
    tinyexec::testing::Tester tester = lowered(b.take());
    EXPECT_TRUE(tester.lowering_report().float_nodes.empty())
        << tester.lowering_report().to_string();
    EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 2},
                                    {"cortex_m.transpose", 1},
                                    {"cortex_m.quantized_batch_matmul", 1},
                                    {"cortex_m.dequantize", 1}}));
    const ir::Node* node = only_node(tester.lowered_graph(), "cortex_m.quantized_batch_matmul");
    if (node == nullptr) continue;
    EXPECT_EQ(node->input(0)->shape, c.lhs);
    EXPECT_EQ(node->input(1)->shape, c.rhs);
    EXPECT_EQ(node->input(1)->producer->op, "cortex_m.transpose");
    // Both inputs are quantized activations (per tensor), each with its own parameters.
    EXPECT_FALSE(node->input(0)->quant->per_channel());
    EXPECT_FALSE(node->input(1)->quant->per_channel());
    expect_numerics(tester,
                    "batch_matmul " + ir::shape_string(c.a) + " x " + ir::shape_string(c.b));
  }
}

TEST(LoweringMatMul, QTimesKTransposedNeedsNoTranspose) {
  // q [1, 8, 16] @ Transpose(k [1, 8, 16], (0, 2, 1)): k already is the kernel's rhs.
  FloatBuilder b;
  ir::Value* q = b.input("q", {1, 8, 16});
  ir::Value* k = b.input("k", {1, 8, 16});
  ir::Attributes perm;
  perm.set("perm", std::vector<int64_t>{0, 2, 1});
  ir::Value* kt = b.op("onnx.Transpose", {k}, perm, "kt");
  b.output(b.op("onnx.MatMul", {q, kt}, {}, "scores"));
  tinyexec::testing::Tester tester = lowered(b.take());
  EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 2},
                                  {"cortex_m.quantized_batch_matmul", 1},
                                  {"cortex_m.dequantize", 1}}));
  const ir::Node* node = only_node(tester.lowered_graph(), "cortex_m.quantized_batch_matmul");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->input(1)->producer->op, "cortex_m.quantize");  // k itself
  expect_numerics(tester, "q @ k^T");
}

TEST(LoweringMatMul, AttentionBlockLowersLinearsOverRowsAndQTimesKTransposed) {
  // x [1, 8, 16] -> q, k, v linears (MatMul with [16, 16] weights) -> softmax(q @ k^T) @ v.
  FloatBuilder b;
  ir::Value* x = b.input("x", {1, 8, 16});
  ir::Value* q = b.op("onnx.MatMul", {x, b.weight("wq", {16, 16}, 11)}, {}, "q");
  ir::Value* k = b.op("onnx.MatMul", {x, b.weight("wk", {16, 16}, 12)}, {}, "k");
  ir::Value* v = b.op("onnx.MatMul", {x, b.weight("wv", {16, 16}, 13)}, {}, "v");
  ir::Attributes perm;
  perm.set("perm", std::vector<int64_t>{0, 2, 1});
  ir::Value* kt = b.op("onnx.Transpose", {k}, perm, "kt");
  ir::Value* scores = b.op("onnx.MatMul", {q, kt}, {}, "scores");
  ir::Value* probs = b.op("onnx.Softmax", {scores}, {}, "softmax");
  b.output(b.op("onnx.MatMul", {probs, v}, {}, "context"));
  tinyexec::testing::Tester tester = lowered(b.take());
  EXPECT_TRUE(tester.lowering_report().float_nodes.empty()) << tester.lowering_report().to_string();
  // Each linear: reshape [1,8,16] -> [8,16], linear, reshape [8,16] -> [1,8,16]. k^T is the
  // kernel's rhs layout already (k itself): the Transpose vanishes; v needs one transpose.
  EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                  {"cortex_m.reshape", 6},
                                  {"cortex_m.quantized_linear", 3},
                                  {"cortex_m.quantized_batch_matmul", 2},
                                  {"cortex_m.transpose", 1},
                                  {"cortex_m.softmax", 1},
                                  {"cortex_m.dequantize", 1}}));
  for (const ir::Node* node : tester.lowered_graph().nodes()) {
    if (node->op == "cortex_m.quantized_linear") {
      EXPECT_EQ(node->input(0)->shape, (ir::Shape{8, 16}));
      EXPECT_EQ(node->output(0)->shape, (ir::Shape{8, 16}));
    }
    // q @ k^T: its rhs is k, [1, T, D], straight from k's linear (reshaped back to 3-D).
    if (node->op == "cortex_m.quantized_batch_matmul" &&
        node->input(0)->producer->op != "cortex_m.softmax") {
      EXPECT_EQ(node->input(1)->producer->op, "cortex_m.reshape");
      EXPECT_EQ(node->input(1)->producer->input(0)->producer->op, "cortex_m.quantized_linear");
      EXPECT_EQ(node->input(1)->shape, (ir::Shape{1, 8, 16}));
    }
  }
  // Five quantized layers in a row: one-step differences in q, k and v (each op is within one
  // step, see the tests above) compound through the products and the softmax's exponential.
  expect_numerics(tester, "attention block (5 layers)", 4.0);
}

TEST(LoweringMatMul, ConstantWeightWithRank3InputIsALinearOverTheRows) {
  // [1, T, K] x [K, O] (keyword / transformer models), Relu fused.
  FloatBuilder b;
  ir::Value* x = b.input("x", {1, 10, 12});
  ir::Value* y = b.op("onnx.MatMul", {x, b.weight("w", {12, 7}, 5)}, {}, "fc");
  b.output(b.op("onnx.Relu", {y}));
  for (const bool per_channel : {false, true}) {
    SCOPED_TRACE(per_channel ? "per channel" : "per tensor");
    tinyexec::quantizer::QuantizerOptions options;
    options.per_channel_linear = per_channel;
    ir::Graph graph = tinyexec::ir::clone(b.graph());
    tinyexec::testing::Tester tester = lowered(std::move(graph), -1.0f, 1.0f, 8, options);
    EXPECT_TRUE(tester.lowering_report().float_nodes.empty())
        << tester.lowering_report().to_string();
    EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                    {"cortex_m.reshape", 2},
                                    {"cortex_m.quantized_linear", 1},
                                    {"cortex_m.dequantize", 1}}));
    const ir::Node* linear = only_node(tester.lowered_graph(), "cortex_m.quantized_linear");
    if (linear == nullptr) continue;
    EXPECT_EQ(linear->input(0)->shape, (ir::Shape{10, 12}));
    EXPECT_EQ(linear->input(1)->shape, (ir::Shape{7, 12}));
    EXPECT_EQ(linear->output(0)->shape, (ir::Shape{10, 7}));
    EXPECT_EQ(linear->attrs.get_int("activation_min"), linear->output(0)->quant->zero_points[0]);
    EXPECT_EQ(linear->input(1)->quant->per_channel(), per_channel);
    expect_numerics(tester, per_channel ? "linear rank 3 per channel" : "linear rank 3");
  }
}

TEST(LoweringMatMul, BatchedConstantWeightIsATransposedConstantRhs) {
  FloatBuilder b;
  ir::Value* x = b.input("x", {2, 4, 6});
  b.output(b.op("onnx.MatMul", {x, b.weight("w", {2, 6, 3}, 8)}, {}, "bmm"));
  tinyexec::testing::Tester tester = lowered(b.take());
  EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                  {"cortex_m.quantized_batch_matmul", 1},
                                  {"cortex_m.dequantize", 1}}));
  const ir::Node* node = only_node(tester.lowered_graph(), "cortex_m.quantized_batch_matmul");
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(node->input(1)->is_constant());
  EXPECT_EQ(node->input(1)->shape, (ir::Shape{2, 3, 6}));
  expect_numerics(tester, "batch_matmul constant rhs");
}

TEST(LoweringMatMul, MismatchedQuantizationAndRank1AreReportedWithTheReason) {
  {  // lhs dequantized with other parameters than it was quantized with
    QdqBuilder b;
    ir::Value* a = b.qdq(b.input("a", {3, 4}), 0.01f, 0, 0.02f, 0);
    ir::Value* rhs = b.qdq(b.input("b", {4, 2}), 0.01f, 0);
    b.output(b.qdq(b.op("onnx.MatMul", {a, rhs}, {}, "matmul"), 0.02f, 0));
    LoweringReport report;
    tinyexec::passes::lower_to_cortex_m(b.graph, &report);
    EXPECT_TRUE(rejected(report, "matmul", "but it was quantized with"));
    EXPECT_EQ(op_counts(b.graph)["cortex_m.quantized_batch_matmul"], 0);
  }
  {  // output quantized per channel
    QdqBuilder b;
    ir::Value* a = b.qdq(b.input("a", {3, 4}), 0.01f, 0);
    ir::Value* rhs = b.qdq(b.input("b", {4, 2}), 0.01f, 0);
    ir::Value* y = b.op("onnx.MatMul", {a, rhs}, {}, "matmul");
    ir::Value* s =
        b.graph.add_constant("s", ir::Tensor::from<float>({2}, std::vector<float>{0.01f, 0.02f}));
    ir::Value* z =
        b.graph.add_constant("z", ir::Tensor::from<int8_t>({2}, std::vector<int8_t>{0, 0}));
    ir::Value* q = b.op("onnx.QuantizeLinear", {y, s, z});
    b.output(b.op("onnx.DequantizeLinear", {q, s, z}));
    LoweringReport report;
    tinyexec::passes::lower_to_cortex_m(b.graph, &report);
    EXPECT_TRUE(rejected(report, "matmul", "does not quantize per tensor"));
  }
  {  // a 1-D operand, through the whole flow
    FloatBuilder b;
    ir::Value* a = b.input("a", {6});
    ir::Value* rhs = b.input("b", {6, 5});
    b.output(b.op("onnx.MatMul", {a, rhs}, {}, "matmul"));
    tinyexec::testing::Tester tester = lowered(b.take());
    EXPECT_TRUE(rejected(tester.lowering_report(), "matmul", "1-D operands are not lowered"));
    expect_numerics(tester, "matmul fallback 1-D");
  }
}
