// SPDX-License-Identifier: Apache-2.0
// The pass manager: order, change counts, verification blamed on the right pass, dumps, and
// the standard to_edge list end to end.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "ir/op_registry.h"
#include "passes/pass_manager.h"
#include "reference/interpreter.h"

namespace ir = tinyexec::ir;
namespace passes = tinyexec::passes;

namespace {

// x -> Relu -> y
void build_relu(ir::Graph& graph) {
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {2});
  graph.inputs().push_back(x);
  ir::Value* y = graph.add_value("y", ir::DType::kFloat32, {2});
  graph.add_node("onnx.Relu", {x}, {y});
  graph.outputs().push_back(y);
}

std::string error_of(ir::Graph& graph, const std::vector<passes::Pass>& list) {
  try {
    passes::run_passes(graph, list);
  } catch (const tinyexec::CompileError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST(PassesPassManager, RunsInOrderAndCountsChanges) {
  ir::Graph graph;
  build_relu(graph);
  std::vector<std::string> order;
  const std::vector<passes::Pass> list{
      {"first",
       [&](ir::Graph&) {
         order.push_back("first");
         return 2;
       }},
      {"second",
       [&](ir::Graph&) {
         order.push_back("second");
         return 0;
       }},
  };
  std::ostringstream dump;
  passes::PassOptions options;
  options.dump = &dump;
  const auto results = passes::run_passes(graph, list, options);
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second"}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].name, "first");
  EXPECT_EQ(results[0].changes, 2);
  EXPECT_EQ(results[1].changes, 0);
  const std::string summary = passes::summary(results);
  EXPECT_NE(summary.find("first"), std::string::npos);
  EXPECT_NE(summary.find("2 changes"), std::string::npos);
  EXPECT_NE(summary.find("0 changes"), std::string::npos);
  EXPECT_NE(dump.str().find("after pass 'first'"), std::string::npos);
  EXPECT_NE(dump.str().find("after pass 'second'"), std::string::npos);
  EXPECT_NE(dump.str().find("onnx.Relu"), std::string::npos);
}

TEST(PassesPassManager, ABrokenGraphIsBlamedOnThePass) {
  ir::Graph graph;
  build_relu(graph);
  const std::vector<passes::Pass> list{
      {"harmless", [](ir::Graph&) { return 0; }},
      {"breaks_types",
       [](ir::Graph& g) {
         g.outputs()[0]->shape = {3};  // no longer what Relu's shape rule says
         return 1;
       }},
      {"never_runs",
       [](ir::Graph&) -> int {
         ADD_FAILURE() << "ran after a broken graph";
         return 0;
       }},
  };
  const std::string error = error_of(graph, list);
  EXPECT_NE(error.find("after pass 'breaks_types'"), std::string::npos) << error;
  EXPECT_NE(error.find("onnx.Relu"), std::string::npos) << error;
}

TEST(PassesPassManager, AThrowingPassIsNamed) {
  ir::Graph graph;
  build_relu(graph);
  const std::vector<passes::Pass> list{
      {"throws", [](ir::Graph&) -> int { tinyexec::fail("something unsupported"); }},
  };
  const std::string error = error_of(graph, list);
  EXPECT_NE(error.find("in pass 'throws'"), std::string::npos) << error;
  EXPECT_NE(error.find("something unsupported"), std::string::npos) << error;
}

TEST(PassesPassManager, AnInvalidInputIsNotBlamedOnAPass) {
  ir::Graph graph;
  build_relu(graph);
  graph.outputs()[0]->shape = {5};
  const std::string error = error_of(graph, {{"any", [](ir::Graph&) { return 0; }}});
  EXPECT_NE(error.find("before the first pass"), std::string::npos) << error;
}

TEST(PassesPassManager, StandardLists) {
  std::vector<std::string> names;
  for (const passes::Pass& pass : passes::to_edge_passes()) names.push_back(pass.name);
  EXPECT_EQ(names, (std::vector<std::string>{"fold_constants", "remove_identity_and_casts",
                                             "fold_batch_norm", "convert_uint8_to_int8",
                                             "remove_redundant_qdq"}));
  names.clear();
  const auto pipeline =
      passes::compile_passes({{"lower_to_cortex_m", [](ir::Graph&) { return 0; }}});
  for (const passes::Pass& pass : pipeline) names.push_back(pass.name);
  ASSERT_EQ(names.size(), 7u);
  EXPECT_EQ(names[5], "lower_to_cortex_m");
  EXPECT_EQ(names[6], "compute_kernel_params");
}

TEST(PassesPassManager, ToEdgeCleansAConvBnGraphWithoutChangingItsOutputs) {
  // x -> Identity -> Conv(w, b) -> BatchNormalization -> Cast(float) -> y, with the conv
  // weight computed by a constant Mul (folded first).
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto random = [&](ir::Shape shape) {
    ir::Tensor t(ir::DType::kFloat32, std::move(shape));
    for (float& v : t.data<float>()) v = dist(rng);
    return t;
  };
  ir::Graph graph;
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {1, 2, 4, 4});
  graph.inputs().push_back(x);
  ir::Value* xi = graph.add_value("xi", ir::DType::kFloat32, {});
  graph.add_node("onnx.Identity", {x}, {xi});
  ir::Value* w = graph.add_value("w", ir::DType::kFloat32, {});
  graph.add_node("onnx.Mul",
                 {graph.add_constant("w0", random({3, 2, 3, 3})),
                  graph.add_constant("two", ir::Tensor::scalar<float>(2.0f))},
                 {w});
  ir::Value* conv = graph.add_value("conv", ir::DType::kFloat32, {});
  graph.add_node("onnx.Conv", {xi, w, graph.add_constant("b", random({3}))}, {conv});
  ir::Tensor var = random({3});
  for (float& v : var.data<float>()) v = v + 1.5f;
  ir::Value* bn = graph.add_value("bn", ir::DType::kFloat32, {});
  graph.add_node(
      "onnx.BatchNormalization",
      {conv, graph.add_constant("scale", random({3})), graph.add_constant("shift", random({3})),
       graph.add_constant("mean", random({3})), graph.add_constant("var", std::move(var))},
      {bn});
  ir::Value* y = graph.add_value("y", ir::DType::kFloat32, {});
  ir::Attributes to_float;
  to_float.set("to", int64_t{1});
  graph.add_node("onnx.Cast", {bn}, {y}, to_float);
  graph.outputs().push_back(y);
  ir::infer_shapes(graph);

  const std::vector<ir::Tensor> inputs{random({1, 2, 4, 4})};
  const std::vector<ir::Tensor> before = tinyexec::reference::run(graph, inputs);
  const auto results = passes::run_passes(graph, passes::to_edge_passes());
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].changes, 1);  // the Mul
  EXPECT_EQ(results[1].changes, 2);  // Identity, Cast
  EXPECT_EQ(results[2].changes, 1);  // BatchNormalization
  EXPECT_EQ(results[3].changes, 0);
  EXPECT_EQ(results[4].changes, 0);
  ASSERT_EQ(graph.node_count(), 1u);
  EXPECT_EQ(graph.nodes()[0]->op, "onnx.Conv");
  EXPECT_EQ(graph.outputs()[0]->name, "y");
  const std::vector<ir::Tensor> after = tinyexec::reference::run(graph, inputs);
  const auto a = before[0].data<float>();
  const auto b = after[0].data<float>();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5f) << i;
}
