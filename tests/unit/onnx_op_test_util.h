// SPDX-License-Identifier: Apache-2.0
// Helpers for the ONNX op unit tests: run one node through its shape rule and its reference
// implementation (via the interpreter, which also checks the two agree), compare with
// expected values, and check that invalid nodes fail with an error naming the node.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "reference/interpreter.h"

namespace onnx_op_test {

namespace ir = tinyexec::ir;

using Inputs = std::vector<std::optional<ir::Tensor>>;  // nullopt: an omitted optional input

inline ir::Tensor f32(ir::Shape shape, std::vector<float> values) {
  return ir::Tensor::from<float>(std::move(shape), values);
}
inline ir::Tensor i64(ir::Shape shape, std::vector<int64_t> values) {
  return ir::Tensor::from<int64_t>(std::move(shape), values);
}
// 0, 1, 2, ... (times scale, plus offset) in the given shape.
inline ir::Tensor iota(ir::Shape shape, float scale = 1.0f, float offset = 0.0f) {
  std::vector<float> values(static_cast<size_t>(ir::shape_numel(shape)));
  for (size_t i = 0; i < values.size(); ++i) values[i] = offset + scale * static_cast<float>(i);
  return f32(std::move(shape), std::move(values));
}
// Deterministic pseudo-random values in [-1, 1) (a small LCG: no dependence on <random>'s
// implementation-defined distributions).
inline ir::Tensor pseudo_random(ir::Shape shape, uint32_t seed) {
  std::vector<float> values(static_cast<size_t>(ir::shape_numel(shape)));
  uint32_t state = seed * 2654435761u + 1u;
  for (float& v : values) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f;
  }
  return f32(std::move(shape), std::move(values));
}

// A graph with one node "n0" of `op` whose inputs are all constants (so shape rules that need
// constant inputs, like Pad's pads, see them) and `outputs` outputs.
struct OneNode {
  ir::Graph graph;
  ir::Node* node = nullptr;

  OneNode(const std::string& op, const Inputs& inputs, ir::Attributes attrs, size_t outputs = 1) {
    std::vector<ir::Value*> in;
    for (size_t i = 0; i < inputs.size(); ++i) {
      in.push_back(inputs[i] ? graph.add_constant("in" + std::to_string(i), *inputs[i]) : nullptr);
    }
    std::vector<ir::Value*> out;
    for (size_t i = 0; i < outputs; ++i) {
      out.push_back(graph.add_value("out" + std::to_string(i), ir::DType::kFloat32, {}));
      graph.outputs().push_back(out.back());
    }
    node = graph.add_node(op, in, out, std::move(attrs), "n0");
  }
};

// Runs the shape rule, verifies the graph, and evaluates it.
inline std::vector<ir::Tensor> run(const std::string& op, const Inputs& inputs,
                                   ir::Attributes attrs = {}, size_t outputs = 1) {
  OneNode one(op, inputs, std::move(attrs), outputs);
  ir::infer_shapes(one.graph);
  ir::verify(one.graph);
  return tinyexec::reference::run(one.graph, {});
}

inline ir::Tensor run1(const std::string& op, const Inputs& inputs, ir::Attributes attrs = {}) {
  return run(op, inputs, std::move(attrs)).at(0);
}

// The multiply-accumulate count the op reports for the node.
inline int64_t macs(const std::string& op, const Inputs& inputs, ir::Attributes attrs = {}) {
  OneNode one(op, inputs, std::move(attrs));
  ir::infer_shapes(one.graph);
  const ir::OpSchema& schema = ir::OpRegistry::instance().get(*one.node);
  return schema.macs != nullptr ? schema.macs(*one.node) : -1;
}

// Expects shape and values within 1e-4 absolute + 1e-4 relative (as the ONNX node tests).
inline void expect_near(const ir::Tensor& actual, const ir::Tensor& expected) {
  ASSERT_EQ(ir::dtype_name(actual.dtype()), ir::dtype_name(expected.dtype()));
  ASSERT_EQ(ir::shape_string(actual.shape()), ir::shape_string(expected.shape()));
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const double a = actual.as_double(i);
    const double e = expected.as_double(i);
    EXPECT_NEAR(a, e, 1e-4 + 1e-4 * std::fabs(e)) << "at flat index " << i;
  }
}

// Expects the shape rule (or, failing that, evaluation) to throw a CompileError naming the node
// and containing every one of `fragments`.
inline void expect_error(const std::string& op, const Inputs& inputs, ir::Attributes attrs,
                         const std::vector<std::string>& fragments, size_t outputs = 1) {
  try {
    run(op, inputs, std::move(attrs), outputs);
    ADD_FAILURE() << op << " accepted an invalid node";
  } catch (const tinyexec::CompileError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("node 'n0' (" + op + ")"), std::string::npos) << message;
    for (const std::string& fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos) << message;
    }
  }
}

inline ir::Attributes attrs(
    std::initializer_list<std::pair<const std::string, ir::Attribute>> list) {
  ir::Attributes result;
  for (const auto& [name, value] : list) result.set(name, value);
  return result;
}

}  // namespace onnx_op_test
