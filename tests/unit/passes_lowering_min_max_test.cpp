// SPDX-License-Identifier: Apache-2.0
// Lowering onnx.Max / onnx.Min of two inputs to cortex_m.maximum / cortex_m.minimum: the
// quantizer gives both inputs and the output one set of parameters, the lowering keeps NHWC
// values NHWC and quantizes constant operands with those parameters; inputs quantized
// differently (pre-quantized models) and more than two inputs are reported.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "lowering_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::lowering_test;

namespace {

ir::Attributes pads1() {
  return ints_attrs({{"pads", {1, 1, 1, 1}}});
}

}  // namespace

TEST(LoweringMinMax, MaxAndMinOfTwoConvOutputsStayNhwc) {
  for (const char* op : {"onnx.Max", "onnx.Min"}) {
    SCOPED_TRACE(op);
    FloatBuilder b;
    ir::Value* x = b.input("x", {1, 3, 6, 6});
    ir::Value* c1 = b.op("onnx.Conv", {x, b.weight("w1", {4, 3, 3, 3}, 1)}, pads1(), "conv1");
    ir::Value* c2 = b.op("onnx.Conv", {x, b.weight("w2", {4, 3, 3, 3}, 2)}, pads1(), "conv2");
    b.output(b.op(op, {c1, c2}, {}, "minmax"));
    tinyexec::testing::Tester tester = lowered(b.take());
    EXPECT_TRUE(tester.lowering_report().float_nodes.empty())
        << tester.lowering_report().to_string();
    const std::string lowered_op =
        std::string(op) == "onnx.Max" ? "cortex_m.maximum" : "cortex_m.minimum";
    EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                    {"cortex_m.transpose", 2},
                                    {"cortex_m.quantized_conv2d", 2},
                                    {lowered_op, 1},
                                    {"cortex_m.dequantize", 1}}));
    const ir::Node* node = only_node(tester.lowered_graph(), lowered_op);
    if (node == nullptr) continue;
    EXPECT_EQ(node->output(0)->shape, (ir::Shape{1, 6, 6, 4}));
    EXPECT_EQ(node->input(0)->quant, node->output(0)->quant);
    EXPECT_EQ(node->input(1)->quant, node->output(0)->quant);
    expect_numerics(tester, std::string("conv -> ") + op);
  }
}

TEST(LoweringMinMax, ConstantOperandsAreQuantizedWithTheSharedParameters) {
  // Max(x, 0.3) on [3, 4] and Min(conv [1,3,4,4], per-channel ceiling [3, 1, 1]) (broadcast,
  // rearranged for the NHWC conv output).
  {
    FloatBuilder b;
    ir::Value* x = b.input("x", {3, 4});
    b.output(b.op("onnx.Max", {x, b.scalar(0.3f)}, {}, "floor"));
    tinyexec::testing::Tester tester = lowered(b.take());
    EXPECT_TRUE(dialect_is(
        tester, {{"cortex_m.quantize", 1}, {"cortex_m.maximum", 1}, {"cortex_m.dequantize", 1}}));
    const ir::Node* node = only_node(tester.lowered_graph(), "cortex_m.maximum");
    ASSERT_NE(node, nullptr);
    const ir::QuantParams& q = *node->output(0)->quant;
    ASSERT_TRUE(node->input(1)->is_constant());
    EXPECT_EQ(node->input(1)->constant->as_int(0),
              static_cast<int64_t>(std::nearbyint(0.3f / q.scales[0])) + q.zero_points[0]);
    const Numerics n = compare_numerics(tester);
    EXPECT_EQ(n.max_steps, 0.0) << "max of int8 values with one quantization is exact";
  }
  {
    FloatBuilder b;
    ir::Value* x = b.input("x", {1, 2, 4, 4});
    ir::Value* c = b.op("onnx.Conv", {x, b.weight("w", {3, 2, 3, 3}, 3)}, pads1(), "conv");
    ir::Value* ceiling = b.constant(
        "ceiling", ir::Tensor::from<float>({3, 1, 1}, std::vector<float>{0.1f, -0.2f, 0.4f}));
    b.output(b.op("onnx.Min", {c, ceiling}, {}, "ceil"));
    tinyexec::testing::Tester tester = lowered(b.take());
    EXPECT_TRUE(tester.lowering_report().float_nodes.empty())
        << tester.lowering_report().to_string();
    EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                    {"cortex_m.transpose", 2},
                                    {"cortex_m.quantized_conv2d", 1},
                                    {"cortex_m.minimum", 1},
                                    {"cortex_m.dequantize", 1}}));
    const ir::Node* node = only_node(tester.lowered_graph(), "cortex_m.minimum");
    ASSERT_NE(node, nullptr);
    EXPECT_EQ(node->input(1)->shape, (ir::Shape{1, 1, 1, 3}));
    expect_numerics(tester, "conv -> Min(constant [3,1,1])");
  }
}

TEST(LoweringMinMax, ThreeInputsAndDifferentQuantizationAreReportedWithTheReason) {
  {
    FloatBuilder b;
    ir::Value* x = b.input("x", {2, 5});
    ir::Value* y = b.input("y", {2, 5});
    ir::Value* z = b.input("z", {2, 5});
    b.output(b.op("onnx.Max", {x, y, z}, {}, "max3"));
    tinyexec::testing::Tester tester = lowered(b.take());
    EXPECT_TRUE(rejected(tester.lowering_report(), "max3", "has 3 inputs"));
    EXPECT_EQ(op_counts(tester.lowered_graph())["onnx.Max"], 1);
    expect_numerics(tester, "Max of three (float fallback)");
  }
  {  // a pre-quantized model whose inputs have their own parameters
    QdqBuilder b;
    ir::Value* x = b.qdq(b.input("x", {2, 5}), 0.01f, 0);
    ir::Value* y = b.qdq(b.op("onnx.Relu", {x}), 0.02f, -128);
    b.output(b.qdq(b.op("onnx.Min", {x, y}, {}, "min"), 0.02f, -128));
    LoweringReport report;
    tinyexec::passes::lower_to_cortex_m(b.graph, &report);
    EXPECT_TRUE(rejected(report, "min", "share one quantization"));
    EXPECT_EQ(op_counts(b.graph)["cortex_m.minimum"], 0);
  }
}
