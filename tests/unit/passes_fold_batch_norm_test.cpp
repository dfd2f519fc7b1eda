// SPDX-License-Identifier: Apache-2.0
// fold_batch_norm: Conv / ConvTranspose -> BatchNormalization becomes one convolution with
// rescaled weights and bias, and the float outputs do not change.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ir/op_registry.h"
#include "passes/fold_batch_norm.h"
#include "reference/interpreter.h"

namespace ir = tinyexec::ir;
namespace passes = tinyexec::passes;

namespace {

ir::Tensor random_tensor(ir::Shape shape, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  ir::Tensor tensor(ir::DType::kFloat32, std::move(shape));
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& v : tensor.data<float>()) v = dist(rng);
  return tensor;
}

ir::Attributes ints_attr(const std::string& name, std::vector<int64_t> values) {
  ir::Attributes attrs;
  attrs.set(name, std::move(values));
  return attrs;
}

// x -> conv(op, weight shape, bias?) -> BatchNormalization(channels) -> y
struct ConvBnGraph {
  ir::Graph graph;
  ir::Value* x = nullptr;
  ir::Value* conv_out = nullptr;
  ir::Value* y = nullptr;
};

void build(ConvBnGraph& g, const std::string& op, ir::Shape x_shape, ir::Shape w_shape,
           int64_t channels, int64_t group, bool with_bias, std::mt19937& rng) {
  g.x = g.graph.add_value("x", ir::DType::kFloat32, x_shape);
  g.graph.inputs().push_back(g.x);
  ir::Value* w = g.graph.add_constant("w", random_tensor(w_shape, rng));
  ir::Value* b = with_bias ? g.graph.add_constant("b", random_tensor({channels}, rng)) : nullptr;
  g.conv_out = g.graph.add_value("conv_out", ir::DType::kFloat32, {});
  ir::Attributes conv_attrs = ints_attr("pads", {1, 1, 1, 1});
  conv_attrs.set("group", group);
  g.graph.add_node(op, {g.x, w, b}, {g.conv_out}, conv_attrs, "conv");
  ir::Value* scale = g.graph.add_constant("scale", random_tensor({channels}, rng, 0.5f, 2.0f));
  ir::Value* shift = g.graph.add_constant("shift", random_tensor({channels}, rng));
  ir::Value* mean = g.graph.add_constant("mean", random_tensor({channels}, rng));
  ir::Value* var = g.graph.add_constant("var", random_tensor({channels}, rng, 0.1f, 3.0f));
  g.y = g.graph.add_value("y", ir::DType::kFloat32, {});
  ir::Attributes bn_attrs;
  bn_attrs.set("epsilon", 1e-3f);
  g.graph.add_node("onnx.BatchNormalization", {g.conv_out, scale, shift, mean, var}, {g.y},
                   bn_attrs, "bn");
  g.graph.outputs().push_back(g.y);
  ir::infer_shapes(g.graph);
  ir::verify(g.graph);
}

void expect_same_outputs(const std::vector<ir::Tensor>& before,
                         const std::vector<ir::Tensor>& after) {
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    ASSERT_EQ(before[i].shape(), after[i].shape());
    const auto a = before[i].data<float>();
    const auto b = after[i].data<float>();
    for (size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], 1e-5f) << "element " << k;
  }
}

// Folds, checks that one convolution is left (with a bias) and that three random inputs give
// the same outputs before and after.
void fold_and_compare(ConvBnGraph& g, const std::string& op, std::mt19937& rng) {
  std::vector<std::vector<ir::Tensor>> inputs;
  std::vector<std::vector<ir::Tensor>> before;
  for (int i = 0; i < 3; ++i) {
    inputs.push_back({random_tensor(g.x->shape, rng, -2.0f, 2.0f)});
    before.push_back(tinyexec::reference::run(g.graph, inputs.back()));
  }
  EXPECT_EQ(passes::fold_batch_norm(g.graph), 1);
  ir::verify(g.graph);
  ASSERT_EQ(g.graph.node_count(), 1u);
  const ir::Node* conv = g.graph.nodes()[0];
  EXPECT_EQ(conv->op, op);
  ASSERT_NE(conv->input(2), nullptr);
  EXPECT_TRUE(conv->input(1)->is_constant());
  EXPECT_TRUE(conv->input(2)->is_constant());
  // The graph output keeps its name.
  ASSERT_EQ(g.graph.outputs().size(), 1u);
  EXPECT_EQ(g.graph.outputs()[0]->name, "y");
  EXPECT_EQ(g.graph.outputs()[0]->producer, conv);
  for (size_t i = 0; i < inputs.size(); ++i) {
    expect_same_outputs(before[i], tinyexec::reference::run(g.graph, inputs[i]));
  }
}

}  // namespace

TEST(PassesFoldBatchNorm, ConvWithBias) {
  std::mt19937 rng(1);
  ConvBnGraph g;
  build(g, "onnx.Conv", {2, 3, 5, 5}, {4, 3, 3, 3}, 4, 1, true, rng);
  fold_and_compare(g, "onnx.Conv", rng);
}

TEST(PassesFoldBatchNorm, GroupedConvWithoutBias) {
  std::mt19937 rng(2);
  ConvBnGraph g;
  build(g, "onnx.Conv", {1, 4, 6, 6}, {6, 2, 3, 3}, 6, 2, false, rng);
  fold_and_compare(g, "onnx.Conv", rng);
}

TEST(PassesFoldBatchNorm, DepthwiseConv) {
  std::mt19937 rng(3);
  ConvBnGraph g;
  build(g, "onnx.Conv", {1, 3, 4, 4}, {3, 1, 3, 3}, 3, 3, true, rng);
  fold_and_compare(g, "onnx.Conv", rng);
}

TEST(PassesFoldBatchNorm, GroupedConvTranspose) {
  // Weight [C=4, M/group=3, 3, 3] with group 2: output channel m = group * 3 + j.
  std::mt19937 rng(4);
  ConvBnGraph g;
  build(g, "onnx.ConvTranspose", {1, 4, 3, 3}, {4, 3, 3, 3}, 6, 2, true, rng);
  fold_and_compare(g, "onnx.ConvTranspose", rng);
}

TEST(PassesFoldBatchNorm, FoldedWeightsMatchTheFormula) {
  // 1x1 conv, one channel: w = 2, b = 1; BN scale 3, shift 0.5, mean 4, var 0.25 - eps.
  // s = 3 / sqrt(0.25) = 6; w' = 12; b' = (1 - 4) * 6 + 0.5 = -17.5.
  ir::Graph graph;
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {1, 1, 2, 2});
  graph.inputs().push_back(x);
  auto constant = [&](const char* name, ir::Shape shape, float v) {
    return graph.add_constant(name, ir::Tensor::from<float>(shape, std::vector<float>{v}));
  };
  ir::Value* conv_out = graph.add_value("conv_out", ir::DType::kFloat32, {});
  graph.add_node("onnx.Conv", {x, constant("w", {1, 1, 1, 1}, 2.0f), constant("b", {1}, 1.0f)},
                 {conv_out});
  ir::Value* y = graph.add_value("y", ir::DType::kFloat32, {});
  ir::Attributes bn_attrs;
  bn_attrs.set("epsilon", 1e-5f);
  graph.add_node("onnx.BatchNormalization",
                 {conv_out, constant("scale", {1}, 3.0f), constant("shift", {1}, 0.5f),
                  constant("mean", {1}, 4.0f), constant("var", {1}, 0.25f - 1e-5f)},
                 {y}, bn_attrs);
  graph.outputs().push_back(y);
  ir::infer_shapes(graph);
  ASSERT_EQ(passes::fold_batch_norm(graph), 1);
  const ir::Node* conv = graph.nodes()[0];
  EXPECT_NEAR(conv->input(1)->constant->data<float>()[0], 12.0f, 1e-4f);
  EXPECT_NEAR(conv->input(2)->constant->data<float>()[0], -17.5f, 1e-4f);
}

TEST(PassesFoldBatchNorm, ConvOutputWithAnotherUserIsNotFolded) {
  std::mt19937 rng(5);
  ConvBnGraph g;
  build(g, "onnx.Conv", {1, 2, 4, 4}, {2, 2, 3, 3}, 2, 1, true, rng);
  g.graph.outputs().push_back(g.conv_out);  // the unnormalised output is needed too
  EXPECT_EQ(passes::fold_batch_norm(g.graph), 0);
  EXPECT_EQ(g.graph.node_count(), 2u);
}

TEST(PassesFoldBatchNorm, RuntimeWeightsAreNotFolded) {
  ir::Graph graph;
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {1, 1, 3, 3});
  ir::Value* w = graph.add_value("w", ir::DType::kFloat32, {1, 1, 1, 1});
  graph.inputs() = {x, w};
  ir::Value* conv_out = graph.add_value("conv_out", ir::DType::kFloat32, {});
  graph.add_node("onnx.Conv", {x, w}, {conv_out});
  std::vector<ir::Value*> params{conv_out};
  for (const char* name : {"scale", "shift", "mean", "var"}) {
    params.push_back(graph.add_constant(name, ir::Tensor::from<float>({1}, std::vector<float>{1})));
  }
  ir::Value* y = graph.add_value("y", ir::DType::kFloat32, {});
  graph.add_node("onnx.BatchNormalization", params, {y});
  graph.outputs().push_back(y);
  ir::infer_shapes(graph);
  EXPECT_EQ(passes::fold_batch_norm(graph), 0);
  EXPECT_EQ(graph.node_count(), 2u);
}

// A Linear followed by BatchNorm1d: Gemm (transB = 1, beta = 0.5, bias) -> BatchNormalization.
TEST(PassesFoldBatchNorm, GemmTransposedWithBeta) {
  std::mt19937 rng(7);
  for (const int64_t trans_b : {0, 1}) {
    ConvBnGraph g;
    g.x = g.graph.add_value("x", ir::DType::kFloat32, {3, 5});
    g.graph.inputs().push_back(g.x);
    ir::Value* w = g.graph.add_constant(
        "w", random_tensor(trans_b ? ir::Shape{4, 5} : ir::Shape{5, 4}, rng));
    ir::Value* b = g.graph.add_constant("b", random_tensor({4}, rng));
    g.conv_out = g.graph.add_value("gemm_out", ir::DType::kFloat32, {});
    ir::Attributes gemm;
    gemm.set("transB", trans_b);
    gemm.set("beta", 0.5f);
    g.graph.add_node("onnx.Gemm", {g.x, w, b}, {g.conv_out}, gemm, "gemm");
    ir::Value* scale = g.graph.add_constant("scale", random_tensor({4}, rng, 0.5f, 2.0f));
    ir::Value* shift = g.graph.add_constant("shift", random_tensor({4}, rng));
    ir::Value* mean = g.graph.add_constant("mean", random_tensor({4}, rng));
    ir::Value* var = g.graph.add_constant("var", random_tensor({4}, rng, 0.1f, 3.0f));
    g.y = g.graph.add_value("y", ir::DType::kFloat32, {});
    g.graph.add_node("onnx.BatchNormalization", {g.conv_out, scale, shift, mean, var}, {g.y}, {},
                     "bn");
    g.graph.outputs().push_back(g.y);
    ir::infer_shapes(g.graph);
    fold_and_compare(g, "onnx.Gemm", rng);
  }
}
