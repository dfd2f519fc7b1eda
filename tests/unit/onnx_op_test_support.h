// SPDX-License-Identifier: Apache-2.0
// Test support for onnx.* op tests: builds a one-node graph (inputs given either as graph
// inputs or as constants), runs the shape rule and the verifier, then the reference
// interpreter, so each test exercises infer and evaluate together and checks they agree.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "reference/interpreter.h"

namespace tinyexec::ir {
// Readable gtest failure messages: "i8[2,2] {1, 2, 3, 4}".
inline void PrintTo(const Tensor& tensor, std::ostream* os) {
  *os << dtype_name(tensor.dtype()) << shape_string(tensor.shape()) << " {";
  for (int64_t i = 0; i < tensor.numel(); ++i) {
    *os << (i == 0 ? "" : ", ");
    if (tensor.dtype() == DType::kFloat32) {
      *os << tensor.as_double(i);
    } else {
      *os << tensor.as_int(i);
    }
  }
  *os << "}";
}
}  // namespace tinyexec::ir

namespace tinyexec::op_test {

// One input of the node under test: a run-time tensor, a constant, or omitted.
struct Arg {
  ir::Tensor tensor;
  bool constant = false;
};
inline std::optional<Arg> in(ir::Tensor tensor) {
  return Arg{std::move(tensor), false};
}
inline std::optional<Arg> constant(ir::Tensor tensor) {
  return Arg{std::move(tensor), true};
}
inline const std::optional<Arg> kOmitted = std::nullopt;

template <typename T>
ir::Tensor tensor(ir::Shape shape, std::vector<T> values) {
  if constexpr (std::is_same_v<T, bool>) {
    // std::vector<bool> is packed: copy it into real bools first.
    std::unique_ptr<bool[]> copy(new bool[values.size()]);
    std::copy(values.begin(), values.end(), copy.get());
    return ir::Tensor::from<bool>(std::move(shape),
                                  std::span<const bool>(copy.get(), values.size()));
  } else {
    return ir::Tensor::from<T>(std::move(shape), values);
  }
}
inline ir::Tensor f32(ir::Shape shape, std::vector<float> values) {
  return tensor<float>(std::move(shape), std::move(values));
}
inline ir::Tensor i64(ir::Shape shape, std::vector<int64_t> values) {
  return tensor<int64_t>(std::move(shape), std::move(values));
}

// The node under test is always named "n", so its errors start with "node 'n' (<op>)".
struct OpGraph {
  ir::Graph graph;
  ir::Node* node = nullptr;
  std::vector<ir::Tensor> runtime_inputs;
};

inline std::unique_ptr<OpGraph> build(const std::string& op, std::vector<std::optional<Arg>> args,
                                      ir::Attributes attrs = {}, size_t outputs = 1) {
  auto built = std::make_unique<OpGraph>();
  std::vector<ir::Value*> inputs;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i]) {
      inputs.push_back(nullptr);
      continue;
    }
    const std::string name = "in" + std::to_string(i);
    if (args[i]->constant) {
      inputs.push_back(built->graph.add_constant(name, args[i]->tensor));
    } else {
      ir::Value* value =
          built->graph.add_value(name, args[i]->tensor.dtype(), args[i]->tensor.shape());
      built->graph.inputs().push_back(value);
      built->runtime_inputs.push_back(args[i]->tensor);
      inputs.push_back(value);
    }
  }
  std::vector<ir::Value*> results;
  for (size_t i = 0; i < outputs; ++i) {
    results.push_back(built->graph.add_value("out" + std::to_string(i), ir::DType::kFloat32, {}));
    built->graph.outputs().push_back(results.back());
  }
  built->node = built->graph.add_node(op, inputs, results, std::move(attrs), "n");
  return built;
}

// Shape rule only: the output types.
inline std::vector<ir::OutputType> infer(const std::string& op,
                                         std::vector<std::optional<Arg>> args,
                                         ir::Attributes attrs = {}) {
  auto built = build(op, std::move(args), std::move(attrs));
  return ir::OpRegistry::instance().get(*built->node).infer(*built->node);
}

// Shape rule, verifier, then the reference implementation through the interpreter.
inline std::vector<ir::Tensor> run(const std::string& op, std::vector<std::optional<Arg>> args,
                                   ir::Attributes attrs = {}, size_t outputs = 1) {
  auto built = build(op, std::move(args), std::move(attrs), outputs);
  ir::infer_shapes(built->graph);
  ir::verify(built->graph);
  return reference::run(built->graph, built->runtime_inputs);
}

inline ir::Tensor run1(const std::string& op, std::vector<std::optional<Arg>> args,
                       ir::Attributes attrs = {}) {
  return run(op, std::move(args), std::move(attrs)).at(0);
}

inline ir::Attributes attrs(
    std::initializer_list<std::pair<const std::string, ir::Attribute>> list) {
  ir::Attributes result;
  for (const auto& [name, value] : list) result.set(name, value);
  return result;
}

// Whether `run` (shape rule or reference implementation) throws a CompileError that names
// the node and the op and contains `fragment`. Use as EXPECT_TRUE(op_error(...)).
inline ::testing::AssertionResult op_error(const std::string& op,
                                           std::vector<std::optional<Arg>> args,
                                           ir::Attributes attributes, const std::string& fragment) {
  try {
    run(op, std::move(args), std::move(attributes));
  } catch (const CompileError& error) {
    const std::string message = error.what();
    if (message.find("node 'n' (" + op + ")") == std::string::npos) {
      return ::testing::AssertionFailure() << "the error does not name the node: " << message;
    }
    if (message.find(fragment) == std::string::npos) {
      return ::testing::AssertionFailure() << "the error lacks '" << fragment << "': " << message;
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no error; expected one containing '" << fragment << "'";
}

// Element-wise float comparison with ONNX's node-test tolerance (1e-4 absolute + relative).
inline void expect_close(const ir::Tensor& actual, const ir::Tensor& expected) {
  ASSERT_EQ(actual.dtype(), expected.dtype());
  ASSERT_EQ(actual.shape(), expected.shape());
  const auto a = actual.data<float>();
  const auto e = expected.data<float>();
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(a[i], e[i], 1e-4 + 1e-4 * std::abs(e[i])) << "element " << i;
  }
}

}  // namespace tinyexec::op_test
