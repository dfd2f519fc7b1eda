// SPDX-License-Identifier: Apache-2.0
// remove_identity_and_casts: Identity and same-type Cast disappear; real Casts stay; graph
// outputs keep their names; outputs are unchanged.
#include <gtest/gtest.h>

#include "ir/op_registry.h"
#include "passes/remove_identity_and_casts.h"
#include "reference/interpreter.h"

namespace ir = tinyexec::ir;
namespace passes = tinyexec::passes;

namespace {

ir::Attributes cast_to(int64_t onnx_type) {
  ir::Attributes attrs;
  attrs.set("to", onnx_type);
  return attrs;
}
constexpr int64_t kOnnxFloat = 1;
constexpr int64_t kOnnxInt32 = 6;

}  // namespace

TEST(PassesRemoveIdentityAndCasts, IdentityAndSameTypeCastGoRealCastStays) {
  // x -> Identity -> Relu -> Cast(float) -> Cast(int32) -> y, Relu output also -> Identity -> z
  ir::Graph graph;
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {2, 3});
  graph.inputs().push_back(x);
  ir::Value* a = graph.add_value("a", ir::DType::kFloat32, {});
  graph.add_node("onnx.Identity", {x}, {a});
  ir::Value* r = graph.add_value("r", ir::DType::kFloat32, {});
  ir::Node* relu = graph.add_node("onnx.Relu", {a}, {r});
  ir::Value* c = graph.add_value("c", ir::DType::kFloat32, {});
  graph.add_node("onnx.Cast", {r}, {c}, cast_to(kOnnxFloat));
  ir::Value* y = graph.add_value("y", ir::DType::kFloat32, {});
  graph.add_node("onnx.Cast", {c}, {y}, cast_to(kOnnxInt32));
  ir::Value* z = graph.add_value("z", ir::DType::kFloat32, {});
  graph.add_node("onnx.Identity", {r}, {z});
  graph.outputs() = {y, z};
  ir::infer_shapes(graph);
  ir::verify(graph);

  const std::vector<ir::Tensor> inputs{
      ir::Tensor::from<float>({2, 3}, std::vector<float>{-1.5f, 0, 2.7f, 3.2f, -4, 5.9f})};
  const std::vector<ir::Tensor> before = tinyexec::reference::run(graph, inputs);

  EXPECT_EQ(passes::remove_identity_and_casts(graph), 3);
  ir::verify(graph);
  ASSERT_EQ(graph.node_count(), 2u);
  EXPECT_EQ(graph.nodes()[0]->op, "onnx.Relu");
  EXPECT_EQ(graph.nodes()[1]->op, "onnx.Cast");
  EXPECT_EQ(relu->input(0), x);
  // z was the Identity of r: the Relu output now carries the name z.
  EXPECT_EQ(graph.outputs()[1]->name, "z");
  EXPECT_EQ(graph.outputs()[1]->producer, relu);
  EXPECT_EQ(graph.outputs()[0]->name, "y");

  const std::vector<ir::Tensor> after = tinyexec::reference::run(graph, inputs);
  EXPECT_EQ(before, after);
  EXPECT_EQ(passes::remove_identity_and_casts(graph), 0);
}

TEST(PassesRemoveIdentityAndCasts, InputToOutputIdentityStays) {
  // The graph's interface needs both names: the Identity is the only thing between them.
  ir::Graph graph;
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {4});
  graph.inputs().push_back(x);
  ir::Value* y = graph.add_value("y", ir::DType::kFloat32, {4});
  graph.add_node("onnx.Identity", {x}, {y});
  graph.outputs().push_back(y);
  EXPECT_EQ(passes::remove_identity_and_casts(graph), 0);
  EXPECT_EQ(graph.node_count(), 1u);
}
