// SPDX-License-Identifier: Apache-2.0
// Constant folding: whole constant subgraphs disappear, and Shape of a non-constant value
// folds from its static type (PyTorch's Shape -> Gather -> ... -> Reshape chains).
#include <gtest/gtest.h>

#include "ir/op_registry.h"
#include "passes/fold_constants.h"
#include "reference/interpreter.h"

namespace ir = tinyexec::ir;

TEST(FoldConstants, ShapeOfARuntimeValueFoldsIntoReshape) {
  ir::Graph graph;
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {1, 2, 3, 4});
  graph.inputs().push_back(x);
  ir::Value* shape = graph.add_value("shape", ir::DType::kInt64, {});
  graph.add_node("onnx.Shape", {x}, {shape});
  ir::Value* index = graph.add_constant("index", ir::Tensor::scalar<int64_t>(0));
  ir::Value* batch = graph.add_value("batch", ir::DType::kInt64, {});
  ir::Attributes gather_attrs;
  gather_attrs.set("axis", int64_t{0});
  graph.add_node("onnx.Gather", {shape, index}, {batch}, gather_attrs);
  ir::Value* axes = graph.add_constant("axes", ir::Tensor::from<int64_t>({1}, std::vector<int64_t>{0}));
  ir::Value* batch_1d = graph.add_value("batch_1d", ir::DType::kInt64, {});
  graph.add_node("onnx.Unsqueeze", {batch, axes}, {batch_1d});
  ir::Value* minus_one = graph.add_constant("minus_one", ir::Tensor::from<int64_t>({1}, std::vector<int64_t>{-1}));
  ir::Value* target = graph.add_value("target", ir::DType::kInt64, {});
  ir::Attributes concat_attrs;
  concat_attrs.set("axis", int64_t{0});
  graph.add_node("onnx.Concat", {batch_1d, minus_one}, {target}, concat_attrs);
  ir::Value* y = graph.add_value("y", ir::DType::kFloat32, {});
  graph.add_node("onnx.Reshape", {x, target}, {y});
  graph.outputs().push_back(y);

  // Reshape's shape rule needs its target as a constant: type everything before it, fold.
  for (ir::Node* node : graph.nodes()) {
    if (node->op == "onnx.Reshape") break;
    const auto types = ir::infer_node(*node);
    node->outputs[0]->dtype = types[0].dtype;
    node->outputs[0]->shape = types[0].shape;
  }
  EXPECT_EQ(tinyexec::passes::fold_constants(graph), 4);
  ir::infer_shapes(graph);
  ir::verify(graph);
  ASSERT_EQ(graph.node_count(), 1u);
  EXPECT_EQ(graph.nodes()[0]->op, "onnx.Reshape");
  EXPECT_EQ(y->shape, (ir::Shape{1, 24}));
  ASSERT_TRUE(graph.nodes()[0]->input(1)->is_constant());
  EXPECT_EQ(graph.nodes()[0]->input(1)->constant->to_int_vector(), (std::vector<int64_t>{1, -1}));
}
