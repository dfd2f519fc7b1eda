// SPDX-License-Identifier: Apache-2.0
// GELU: the fuse_gelu pass turns the Div -> Erf -> Add -> Mul -> Mul pattern PyTorch exports
// (and its reorderings) into one onnx.Gelu; the quantizer runs it (passes::float_passes) and
// observes the Gelu's output; the lowering makes dq -> Gelu -> q one cortex_m.lut "gelu".
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "lowering_test_support.h"
#include "passes/fuse_gelu.h"
#include "passes/pass_manager.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::lowering_test;
using tinyexec::passes::fuse_gelu;

namespace {

// The orders in which exporters write 0.5 * x * (1 + erf(x / sqrt(2))).
enum class Form {
  kTorch,      // torch.onnx (1.13, 2.x) nn.GELU(): Mul(Mul(x, 1 + erf), 0.5)
  kHalfFirst,  // 0.5 * x * (1 + erf(..)): Mul(Mul(0.5, x), 1 + erf)
  kBert,       // x * 0.5 * (1.0 + erf(x * 0.70710678)) with Add(1, erf)
  kHalfOfSum,  // (1 + erf) * 0.5 * x: Mul(Mul(1 + erf, 0.5), x)
};

// The pattern with PyTorch's node names (/act/Div, /act/Erf, ...).
ir::Value* gelu(FloatBuilder& b, ir::Value* x, Form form) {
  ir::Value* u = form == Form::kBert
                     ? b.op("onnx.Mul", {x, b.scalar(0.70710678f)}, {}, "/act/Mul_2")
                     : b.op("onnx.Div", {x, b.scalar(1.4142135381698608f)}, {}, "/act/Div");
  ir::Value* e = b.op("onnx.Erf", {u}, {}, "/act/Erf");
  ir::Value* a = form == Form::kBert ? b.op("onnx.Add", {b.scalar(1.0f), e}, {}, "/act/Add")
                                     : b.op("onnx.Add", {e, b.scalar(1.0f)}, {}, "/act/Add");
  switch (form) {
    case Form::kTorch:
      return b.op("onnx.Mul", {b.op("onnx.Mul", {x, a}, {}, "/act/Mul"), b.scalar(0.5f)}, {},
                  "/act/Mul_1");
    case Form::kHalfFirst:
      return b.op("onnx.Mul", {b.op("onnx.Mul", {b.scalar(0.5f), x}, {}, "/act/Mul"), a}, {},
                  "/act/Mul_1");
    case Form::kBert:
      return b.op("onnx.Mul", {b.op("onnx.Mul", {x, b.scalar(0.5f)}, {}, "/act/Mul"), a}, {},
                  "/act/Mul_1");
    case Form::kHalfOfSum:
      return b.op("onnx.Mul", {b.op("onnx.Mul", {a, b.scalar(0.5f)}, {}, "/act/Mul"), x}, {},
                  "/act/Mul_1");
  }
  return nullptr;
}

float exact_gelu(float x) {
  return static_cast<float>(0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2)));
}

}  // namespace

TEST(FuseGelu, EveryExportedOrderBecomesOneGeluWithTheSameValues) {
  for (const Form form : {Form::kTorch, Form::kHalfFirst, Form::kBert, Form::kHalfOfSum}) {
    SCOPED_TRACE(static_cast<int>(form));
    FloatBuilder b;
    ir::Value* x = b.input("x", {2, 7});
    ir::Value* y = gelu(b, x, form);
    b.output(y);
    ir::Graph graph = b.take();
    const std::string output_name = graph.outputs()[0]->name;
    const ir::Tensor input = random_tensor({2, 7}, 4, -4.0f, 4.0f);
    EXPECT_EQ(fuse_gelu(graph), 1);
    ir::verify(graph);
    EXPECT_EQ(op_counts(graph), (std::map<std::string, int>{{"onnx.Gelu", 1}}));
    const ir::Node* node = only_node(graph, "onnx.Gelu");
    ASSERT_NE(node, nullptr);
    EXPECT_EQ(node->name, "/act/Gelu");
    EXPECT_EQ(node->attrs.get_string("approximate"), "none");
    EXPECT_EQ(node->input(0), graph.inputs()[0]);
    EXPECT_EQ(graph.outputs()[0]->name, output_name);  // the graph output keeps its name
    const ir::Tensor result = tinyexec::reference::run(graph, std::vector<ir::Tensor>{input})[0];
    for (int64_t i = 0; i < input.numel(); ++i) {
      const float v = input.data<float>()[i];
      EXPECT_NEAR(result.data<float>()[i], exact_gelu(v), 1e-6) << v;
    }
  }
}

TEST(FuseGelu, LookalikesAndSharedIntermediatesAreLeftAlone) {
  {  // 1 + erf(x / 2): another function
    FloatBuilder b;
    ir::Value* x = b.input("x", {4});
    ir::Value* e = b.op("onnx.Erf", {b.op("onnx.Div", {x, b.scalar(2.0f)})});
    ir::Value* a = b.op("onnx.Add", {e, b.scalar(1.0f)});
    b.output(b.op("onnx.Mul", {b.op("onnx.Mul", {x, a}), b.scalar(0.5f)}));
    ir::Graph graph = b.take();
    EXPECT_EQ(fuse_gelu(graph), 0);
    EXPECT_EQ(graph.node_count(), 5u);
  }
  {  // erf(x / sqrt 2) is also a graph output: it must stay computed
    FloatBuilder b;
    ir::Value* x = b.input("x", {4});
    ir::Value* e = b.op("onnx.Erf", {b.op("onnx.Div", {x, b.scalar(1.4142135f)})});
    ir::Value* a = b.op("onnx.Add", {e, b.scalar(1.0f)});
    b.output(b.op("onnx.Mul", {b.op("onnx.Mul", {x, a}), b.scalar(0.5f)}));
    b.output(e);
    ir::Graph graph = b.take();
    EXPECT_EQ(fuse_gelu(graph), 0);
    EXPECT_EQ(op_counts(graph)["onnx.Erf"], 1);
  }
  {  // 2 + erf: not GELU
    FloatBuilder b;
    ir::Value* x = b.input("x", {4});
    ir::Value* e = b.op("onnx.Erf", {b.op("onnx.Div", {x, b.scalar(1.4142135f)})});
    ir::Value* a = b.op("onnx.Add", {e, b.scalar(2.0f)});
    b.output(b.op("onnx.Mul", {b.op("onnx.Mul", {x, a}), b.scalar(0.5f)}));
    ir::Graph graph = b.take();
    EXPECT_EQ(fuse_gelu(graph), 0);
  }
}

TEST(FuseGelu, IsTheFloatPassTheQuantizerRuns) {
  std::vector<std::string> names;
  for (const tinyexec::passes::Pass& pass : tinyexec::passes::float_passes()) {
    names.push_back(pass.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"fuse_gelu"}));
}

TEST(LoweringGelu, TorchExportedGeluIsFusedAndLoweredToOneLut) {
  // x [1, 16] -> Linear(32) -> nn.GELU() as torch.onnx exports it -> Linear(8)
  FloatBuilder b;
  ir::Value* x = b.input("x", {1, 16});
  ir::Value* h =
      b.op("onnx.Gemm", {x, b.weight("w1", {16, 32}, 1), b.weight("b1", {32}, 2)}, {}, "/fc1/Gemm");
  ir::Value* g = gelu(b, h, Form::kTorch);
  b.output(b.op("onnx.Gemm", {g, b.weight("w2", {32, 8}, 3)}, {}, "/fc2/Gemm"));
  tinyexec::testing::Tester tester = lowered(b.take(), -2.0f, 2.0f);
  // The quantizer fused it: one Gelu between one Q/DQ pair, no Erf, no quantized intermediates.
  const std::map<std::string, int> qdq = op_counts(tester.qdq_graph());
  EXPECT_EQ(qdq.count("onnx.Erf"), 0u);
  EXPECT_EQ(qdq.at("onnx.Gelu"), 1);
  EXPECT_EQ(qdq.at("onnx.QuantizeLinear"), 4);  // x, fc1, gelu, fc2
  EXPECT_TRUE(tester.lowering_report().float_nodes.empty()) << tester.lowering_report().to_string();
  EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                  {"cortex_m.quantized_linear", 2},
                                  {"cortex_m.lut", 1},
                                  {"cortex_m.dequantize", 1}}));
  const ir::Node* lut = only_node(tester.lowered_graph(), "cortex_m.lut");
  ASSERT_NE(lut, nullptr);
  EXPECT_EQ(lut->attrs.get_string("function"), "gelu");
  EXPECT_EQ(lut->attrs.get_ints("table").size(), 256u);
  expect_numerics(tester, "linear -> torch GELU -> linear", 1.0, 5, -2.0f, 2.0f);
}

TEST(LoweringGelu, GeluOfAConvStaysNhwcAndTanhApproximationIsReported) {
  {
    FloatBuilder b;
    ir::Value* x = b.input("x", {1, 3, 5, 5});
    ir::Value* c = b.op("onnx.Conv", {x, b.weight("w", {4, 3, 3, 3}, 5)},
                        ints_attrs({{"pads", {1, 1, 1, 1}}}), "conv");
    b.output(gelu(b, c, Form::kBert));
    tinyexec::testing::Tester tester = lowered(b.take());
    EXPECT_TRUE(dialect_is(tester, {{"cortex_m.quantize", 1},
                                    {"cortex_m.transpose", 2},
                                    {"cortex_m.quantized_conv2d", 1},
                                    {"cortex_m.lut", 1},
                                    {"cortex_m.dequantize", 1}}));
    const ir::Node* lut = only_node(tester.lowered_graph(), "cortex_m.lut");
    ASSERT_NE(lut, nullptr);
    EXPECT_EQ(lut->input(0)->shape, (ir::Shape{1, 5, 5, 4}));
    expect_numerics(tester, "conv -> BERT GELU");
  }
  {
    FloatBuilder b;
    ir::Value* x = b.input("x", {2, 6});
    ir::Attributes tanh;
    tanh.set("approximate", std::string("tanh"));
    b.output(b.op("onnx.Gelu", {x}, tanh, "gelu_tanh"));
    tinyexec::testing::Tester tester = lowered(b.take(), -3.0f, 3.0f);
    EXPECT_TRUE(rejected(tester.lowering_report(), "gelu_tanh", "attribute 'approximate'"));
    EXPECT_EQ(op_counts(tester.lowered_graph())["onnx.Gelu"], 1);
  }
}
