// SPDX-License-Identifier: Apache-2.0
// The graph IR: construction, use lists, rewriting utilities, the verifier's checks.
#include <gtest/gtest.h>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "ir/printer.h"

namespace ir = tinyexec::ir;

namespace {

// x -> Relu -> Relu -> y
struct Chain {
  ir::Graph graph;
  ir::Value* x;
  ir::Value* mid;
  ir::Value* y;
  ir::Node* first;
  ir::Node* second;
  Chain() {
    x = graph.add_value("x", ir::DType::kFloat32, {1, 4});
    mid = graph.add_value("mid", ir::DType::kFloat32, {1, 4});
    y = graph.add_value("y", ir::DType::kFloat32, {1, 4});
    graph.inputs().push_back(x);
    graph.outputs().push_back(y);
    first = graph.add_node("onnx.Relu", {x}, {mid});
    second = graph.add_node("onnx.Relu", {mid}, {y});
  }
};

}  // namespace

TEST(Graph, TracksProducersAndUsers) {
  Chain c;
  EXPECT_EQ(c.mid->producer, c.first);
  ASSERT_EQ(c.mid->users.size(), 1u);
  EXPECT_EQ(c.mid->users[0], c.second);
  EXPECT_EQ(ir::producer_if(c.y, "onnx.Relu"), c.second);
  EXPECT_EQ(ir::producer_if(c.y, "onnx.Sigmoid"), nullptr);
  EXPECT_EQ(ir::only_user_if(c.graph, c.mid, "onnx.Relu"), c.second);
  EXPECT_EQ(ir::only_user_if(c.graph, c.y, "onnx.Relu"), nullptr);  // a graph output
}

TEST(Graph, NamesAreUnique) {
  ir::Graph graph;
  EXPECT_EQ(graph.add_value("a", ir::DType::kInt8, {1})->name, "a");
  EXPECT_EQ(graph.add_value("a", ir::DType::kInt8, {1})->name, "a_1");
  EXPECT_EQ(graph.add_value("a", ir::DType::kInt8, {1})->name, "a_2");
}

TEST(Graph, ReplaceUsesAndRemoveDeadCode) {
  Chain c;
  // Bypass the second Relu: y's users (the graph output) now read mid.
  c.graph.replace_all_uses(c.y, c.mid);
  EXPECT_EQ(c.graph.outputs()[0], c.mid);
  EXPECT_EQ(c.graph.remove_dead_code(), 1);
  EXPECT_EQ(c.graph.node_count(), 1u);
  EXPECT_EQ(c.graph.find_value("y"), nullptr);
  ir::verify(c.graph);
}

TEST(Graph, InsertKeepsOrderAndEraseRefusesUsedOutputs) {
  Chain c;
  ir::Value* extra = c.graph.add_value("extra", ir::DType::kFloat32, {1, 4});
  ir::Node* inserted = c.graph.insert_node(c.second, "onnx.Relu", {c.mid}, {extra});
  c.graph.set_input(c.second, 0, extra);
  EXPECT_EQ(c.graph.nodes()[1], inserted);
  EXPECT_EQ(c.mid->users.size(), 1u);
  ir::verify(c.graph);
  EXPECT_THROW(c.graph.erase_node(inserted), tinyexec::CompileError);
}

TEST(Verifier, RejectsUseBeforeDefinition) {
  ir::Graph graph;
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {2});
  ir::Value* a = graph.add_value("a", ir::DType::kFloat32, {2});
  ir::Value* b = graph.add_value("b", ir::DType::kFloat32, {2});
  graph.inputs().push_back(x);
  graph.outputs().push_back(b);
  ir::Node* second = graph.add_node("onnx.Relu", {a}, {b});
  graph.insert_node(second, "onnx.Relu", {x}, {a});  // fine: before its user
  ir::verify(graph);
  ir::Graph bad;
  ir::Value* bx = bad.add_value("x", ir::DType::kFloat32, {2});
  ir::Value* ba = bad.add_value("a", ir::DType::kFloat32, {2});
  ir::Value* bb = bad.add_value("b", ir::DType::kFloat32, {2});
  bad.inputs().push_back(bx);
  bad.outputs().push_back(bb);
  bad.add_node("onnx.Relu", {ba}, {bb});  // uses a before it is produced
  bad.add_node("onnx.Relu", {bx}, {ba});
  try {
    ir::verify(bad);
    FAIL() << "verify accepted a use before definition";
  } catch (const tinyexec::CompileError& error) {
    EXPECT_NE(std::string(error.what()).find("used before it is defined"), std::string::npos)
        << error.what();
  }
}

TEST(Verifier, RejectsWrongOutputTypeAndUnknownOps) {
  Chain c;
  c.y->shape = {1, 5};
  EXPECT_THROW(ir::verify(c.graph), tinyexec::CompileError);
  c.y->shape = {1, 4};
  ir::verify(c.graph);
  ir::Value* z = c.graph.add_value("z", ir::DType::kFloat32, {1, 4});
  c.graph.add_node("onnx.NoSuchOp", {c.y}, {z});
  EXPECT_THROW(ir::verify(c.graph), tinyexec::CompileError);
}

TEST(Graph, DoublyProducedValueIsRejected) {
  Chain c;
  EXPECT_THROW(c.graph.add_node("onnx.Relu", {c.x}, {c.mid}), tinyexec::CompileError);
}

TEST(Printer, OneLinePerNode) {
  Chain c;
  const std::string text = ir::print_graph(c.graph);
  EXPECT_NE(text.find("graph (%x: f32[1,4]) -> (%y: f32[1,4])"), std::string::npos) << text;
  EXPECT_NE(text.find("%mid: f32[1,4] = onnx.Relu(%x)"), std::string::npos) << text;
}
