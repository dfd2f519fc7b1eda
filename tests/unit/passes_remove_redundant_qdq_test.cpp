// SPDX-License-Identifier: Apache-2.0
// remove_redundant_qdq: DequantizeLinear -> QuantizeLinear with identical parameters is a
// no-op; with different parameters it is a real requantization and stays.
#include <gtest/gtest.h>

#include "ir/op_registry.h"
#include "passes/remove_redundant_qdq.h"
#include "reference/interpreter.h"

namespace ir = tinyexec::ir;
namespace passes = tinyexec::passes;

namespace {

ir::Value* scale(ir::Graph& graph, float value) {
  return graph.add_constant("scale", ir::Tensor::scalar<float>(value));
}
ir::Value* zero_point(ir::Graph& graph, int8_t value) {
  return graph.add_constant("zp", ir::Tensor::scalar<int8_t>(value));
}

// x -> Q(s1, z1) -> DQ(s2, z2) -> Q(s3, z3) -> DQ(s3, z3) -> y
struct Chain {
  ir::Graph graph;
  ir::Node* second_quantize = nullptr;
};

void build(Chain& c, float s1, int8_t z1, float s2, int8_t z2, float s3, int8_t z3) {
  ir::Graph& g = c.graph;
  ir::Value* x = g.add_value("x", ir::DType::kFloat32, {8});
  g.inputs().push_back(x);
  ir::Value* q1 = g.add_value("q1", ir::DType::kInt8, {});
  g.add_node("onnx.QuantizeLinear", {x, scale(g, s1), zero_point(g, z1)}, {q1});
  ir::Value* d1 = g.add_value("d1", ir::DType::kFloat32, {});
  g.add_node("onnx.DequantizeLinear", {q1, scale(g, s2), zero_point(g, z2)}, {d1});
  ir::Value* q2 = g.add_value("q2", ir::DType::kInt8, {});
  c.second_quantize =
      g.add_node("onnx.QuantizeLinear", {d1, scale(g, s3), zero_point(g, z3)}, {q2});
  ir::Value* y = g.add_value("y", ir::DType::kFloat32, {});
  g.add_node("onnx.DequantizeLinear", {q2, scale(g, s3), zero_point(g, z3)}, {y});
  g.outputs().push_back(y);
  ir::infer_shapes(g);
  ir::verify(g);
}

std::vector<ir::Tensor> sample_inputs() {
  return {ir::Tensor::from<float>(
      {8}, std::vector<float>{-3.3f, -1.26f, -0.05f, 0.0f, 0.049f, 0.75f, 1.25f, 9.0f})};
}

}  // namespace

TEST(PassesRemoveRedundantQdq, IdenticalParametersCollapse) {
  Chain c;
  build(c, 0.05f, 3, 0.05f, 3, 0.05f, 3);
  const auto before = tinyexec::reference::run(c.graph, sample_inputs());
  EXPECT_EQ(passes::remove_redundant_qdq(c.graph), 1);
  ir::verify(c.graph);
  ASSERT_EQ(c.graph.node_count(), 2u);
  EXPECT_EQ(c.graph.nodes()[0]->op, "onnx.QuantizeLinear");
  EXPECT_EQ(c.graph.nodes()[1]->op, "onnx.DequantizeLinear");
  EXPECT_EQ(c.graph.nodes()[1]->input(0), c.graph.nodes()[0]->output(0));
  EXPECT_EQ(tinyexec::reference::run(c.graph, sample_inputs()), before);
  EXPECT_EQ(passes::remove_redundant_qdq(c.graph), 0);
}

TEST(PassesRemoveRedundantQdq, DifferentScaleOrZeroPointStays) {
  for (const auto& [s3, z3] : {std::pair{0.1f, int8_t{3}}, std::pair{0.05f, int8_t{4}}}) {
    Chain c;
    build(c, 0.05f, 3, 0.05f, 3, s3, z3);
    EXPECT_EQ(passes::remove_redundant_qdq(c.graph), 0);
    EXPECT_EQ(c.graph.node_count(), 4u);
  }
}

TEST(PassesRemoveRedundantQdq, PerAxisNeedsTheSameAxis) {
  // x [2, 2] quantized per axis 0 by the first Q; the DQ/Q pair uses axis 0 then axis 1.
  for (int64_t axis : {0, 1}) {
    ir::Graph g;
    ir::Value* x = g.add_value("x", ir::DType::kFloat32, {2, 2});
    g.inputs().push_back(x);
    auto scales = [&] {
      return g.add_constant("s", ir::Tensor::from<float>({2}, std::vector<float>{0.5f, 0.25f}));
    };
    auto zps = [&] {
      return g.add_constant("z", ir::Tensor::from<int8_t>({2}, std::vector<int8_t>{0, 1}));
    };
    ir::Attributes axis0;
    axis0.set("axis", int64_t{0});
    ir::Attributes axis_n;
    axis_n.set("axis", axis);
    ir::Value* q1 = g.add_value("q1", ir::DType::kInt8, {});
    g.add_node("onnx.QuantizeLinear", {x, scales(), zps()}, {q1}, axis0);
    ir::Value* d1 = g.add_value("d1", ir::DType::kFloat32, {});
    g.add_node("onnx.DequantizeLinear", {q1, scales(), zps()}, {d1}, axis0);
    ir::Value* q2 = g.add_value("q2", ir::DType::kInt8, {});
    g.add_node("onnx.QuantizeLinear", {d1, scales(), zps()}, {q2}, axis_n);
    ir::Value* y = g.add_value("y", ir::DType::kFloat32, {});
    g.add_node("onnx.DequantizeLinear", {q2, scales(), zps()}, {y}, axis_n);
    g.outputs().push_back(y);
    ir::infer_shapes(g);
    EXPECT_EQ(passes::remove_redundant_qdq(g), axis == 0 ? 1 : 0) << "axis " << axis;
    ir::verify(g);
  }
}
