// SPDX-License-Identifier: Apache-2.0
// 1-D convolution and pooling (input [N, C, W], audio models) lowered as the 2-D kernels with
// H = 1: the value goes NCW -> [N,1,W,C] once at the input and stays so (Layout::kNwc) through
// convs, pools, adds and LUTs; Flatten / Transpose / Squeeze afterwards read it in the right
// order. Float models through the Tester: dialect and numerics against the QDQ reference.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "lowering_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::lowering_test;

TEST(LoweringConv1d, AudioStackStaysNwcUpToTheFlattenAndLinear) {
  // x [1,4,32] -> Conv1d(8, k5, s2, p2) + Relu -> MaxPool1d(2) -> depthwise Conv1d(k3, p1) +
  // ReLU6 -> Add (residual) -> AvgPool1d(2) -> Flatten [1,32] -> Gemm(5) -> Softmax
  FloatBuilder b;
  ir::Value* x = b.input("x", {1, 4, 32});
  ir::Value* c1 = b.op("onnx.Conv", {x, b.weight("w1", {8, 4, 5}, 1), b.weight("b1", {8}, 2, 0.1f)},
                       ints_attrs({{"strides", {2}}, {"pads", {2, 2}}}), "conv1");
  ir::Value* r1 = b.op("onnx.Relu", {c1});  // [1,8,16]
  ir::Value* p1 = b.op("onnx.MaxPool", {r1}, ints_attrs({{"kernel_shape", {2}}, {"strides", {2}}}),
                       "pool1");  // [1,8,8]
  ir::Attributes dw = ints_attrs({{"pads", {1, 1}}});
  dw.set("group", int64_t{8});
  ir::Value* c2 = b.op("onnx.Conv", {p1, b.weight("w2", {8, 1, 3}, 3)}, dw, "dwconv");
  ir::Value* r2 = b.op("onnx.Clip", {c2, b.scalar(0.0f), b.scalar(6.0f)});
  ir::Value* sum = b.op("onnx.Add", {p1, r2}, {}, "residual");
  ir::Value* p2 = b.op("onnx.AveragePool", {sum},
                       ints_attrs({{"kernel_shape", {2}}, {"strides", {2}}}), "pool2");  // [1,8,4]
  ir::Value* flat = b.op("onnx.Flatten", {p2}, {}, "flatten");                           // [1,32]
  ir::Attributes gemm;
  gemm.set("transB", int64_t{1});
  ir::Value* logits = b.op("onnx.Gemm", {flat, b.weight("fc", {5, 32}, 4)}, gemm, "fc");
  b.output(b.op("onnx.Softmax", {logits}, {}, "softmax"));
  tinyexec::testing::Tester tester = lowered(b.take());
  EXPECT_TRUE(tester.lowering_report().float_nodes.empty()) << tester.lowering_report().to_string();
  // One layout change at the input (reshape to [1,4,1,32], transpose to [1,1,32,4]); the
  // flatten keeps the NWC order (the linear's weight columns are permuted instead).
  EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                  {"cortex_m.reshape", 2},
                                  {"cortex_m.transpose", 1},
                                  {"cortex_m.quantized_conv2d", 1},
                                  {"cortex_m.max_pool2d", 1},
                                  {"cortex_m.quantized_depthwise_conv2d", 1},
                                  {"cortex_m.quantized_add", 1},
                                  {"cortex_m.avg_pool2d", 1},
                                  {"cortex_m.quantized_linear", 1},
                                  {"cortex_m.softmax", 1},
                                  {"cortex_m.dequantize", 1}}));
  const ir::Graph& graph = tester.lowered_graph();
  const ir::Node* conv = only_node(graph, "cortex_m.quantized_conv2d");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->attrs.get_ints("strides"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(conv->attrs.get_ints("pads"), (std::vector<int64_t>{0, 2, 0, 2}));
  EXPECT_EQ(conv->input(0)->shape, (ir::Shape{1, 1, 32, 4}));
  EXPECT_EQ(conv->input(1)->shape, (ir::Shape{8, 1, 5, 4}));
  EXPECT_EQ(conv->output(0)->shape, (ir::Shape{1, 1, 16, 8}));
  const ir::Node* pool = only_node(graph, "cortex_m.max_pool2d");
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->attrs.get_ints("kernel"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(pool->attrs.get_ints("strides"), (std::vector<int64_t>{1, 2}));
  const ir::Node* depthwise = only_node(graph, "cortex_m.quantized_depthwise_conv2d");
  ASSERT_NE(depthwise, nullptr);
  EXPECT_EQ(depthwise->input(1)->shape, (ir::Shape{1, 1, 3, 8}));
  EXPECT_EQ(only_node(graph, "cortex_m.quantized_add")->output(0)->shape, (ir::Shape{1, 1, 8, 8}));
  expect_numerics(tester, "1-D audio stack", 1.0);
}

TEST(LoweringConv1d, TransposeToTimeMajorFeedsARank3LinearWithoutATranspose) {
  // Conv1d [1,6,20] -> [1,8,20] -> Transpose(0,2,1) [1,20,8] -> MatMul [8,3] per time step.
  FloatBuilder b;
  ir::Value* x = b.input("x", {1, 6, 20});
  ir::Value* c =
      b.op("onnx.Conv", {x, b.weight("w", {8, 6, 3}, 7)}, ints_attrs({{"pads", {1, 1}}}), "conv");
  ir::Attributes perm;
  perm.set("perm", std::vector<int64_t>{0, 2, 1});
  ir::Value* t = b.op("onnx.Transpose", {c}, perm, "time_major");
  b.output(b.op("onnx.MatMul", {t, b.weight("fc", {8, 3}, 8)}, {}, "fc"));
  tinyexec::testing::Tester tester = lowered(b.take());
  EXPECT_TRUE(tester.lowering_report().float_nodes.empty()) << tester.lowering_report().to_string();
  // input: reshape + transpose; [1,1,20,8] -> [1,20,8] -> [20,8] (two reshapes); the linear's
  // [20,3] -> [1,20,3].
  EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                  {"cortex_m.reshape", 4},
                                  {"cortex_m.transpose", 1},
                                  {"cortex_m.quantized_conv2d", 1},
                                  {"cortex_m.quantized_linear", 1},
                                  {"cortex_m.dequantize", 1}}));
  expect_numerics(tester, "conv1d -> transpose -> rank-3 linear");
}

TEST(LoweringConv1d, GlobalPoolSqueezeAndOutputsInOnnxOrder) {
  // Conv1d -> Sigmoid (LUT keeps NWC) -> GlobalAveragePool [1,5,1] -> Squeeze -> Gemm, and the
  // conv output also as a graph output (NWC -> NCW at the boundary).
  FloatBuilder b;
  ir::Value* x = b.input("x", {1, 3, 12});
  ir::Value* c = b.op("onnx.Conv", {x, b.weight("w", {5, 3, 3}, 9)}, {}, "conv");  // [1,5,10]
  ir::Value* s = b.op("onnx.Sigmoid", {c}, {}, "sigmoid");
  ir::Value* g = b.op("onnx.GlobalAveragePool", {s}, {}, "gap");
  ir::Value* sq = b.op("onnx.Squeeze", {g, b.ints("axes", {2})}, {}, "squeeze");  // [1,5]
  b.output(b.op("onnx.Gemm", {sq, b.weight("fc", {5, 4}, 10)}, {}, "fc"));
  b.output(s);
  tinyexec::testing::Tester tester = lowered(b.take());
  EXPECT_TRUE(tester.lowering_report().float_nodes.empty()) << tester.lowering_report().to_string();
  EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                  {"cortex_m.reshape", 3},
                                  {"cortex_m.transpose", 2},
                                  {"cortex_m.quantized_conv2d", 1},
                                  {"cortex_m.lut", 1},
                                  {"cortex_m.avg_pool2d", 1},
                                  {"cortex_m.quantized_linear", 1},
                                  {"cortex_m.dequantize", 2}}));
  const ir::Node* pool = only_node(tester.lowered_graph(), "cortex_m.avg_pool2d");
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->attrs.get_ints("kernel"), (std::vector<int64_t>{1, 10}));
  EXPECT_EQ(tester.lowered_graph().outputs()[1]->shape, (ir::Shape{1, 5, 10}));
  expect_numerics(tester, "conv1d -> sigmoid -> global pool -> linear");
  const Numerics second = compare_numerics(tester, 5, -1.0f, 1.0f, /*output=*/1);
  EXPECT_LE(second.max_steps, 1.0 + 1e-3) << "the NCW graph output";
}

TEST(LoweringConv1d, ThreeDimensionalConvAndPoolAreReported) {
  FloatBuilder b;
  ir::Value* x = b.input("x", {1, 2, 4, 4, 4});
  ir::Value* c = b.op("onnx.Conv", {x, b.weight("w", {3, 2, 3, 3, 3}, 1)}, {}, "conv3d");
  b.output(b.op("onnx.MaxPool", {c}, ints_attrs({{"kernel_shape", {2, 2, 2}}}), "pool3d"));
  tinyexec::testing::Tester tester = lowered(b.take());
  EXPECT_TRUE(rejected(tester.lowering_report(), "conv3d", "3-D convolution"));
  EXPECT_TRUE(rejected(tester.lowering_report(), "pool3d", "pools 3 spatial axes"));
}
