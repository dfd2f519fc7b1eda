// SPDX-License-Identifier: Apache-2.0
// One place per operator: its shape rule and its reference implementation, found by the op's
// name. Each op file under compiler/ops/ defines both and registers them with a RegisterOp
// object, e.g.
//
//   const RegisterOp kRelu{{"onnx.Relu", infer_unary_same, evaluate_relu}};
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::ir {

struct OutputType {
  DType dtype;
  Shape shape;
};

struct OpSchema {
  std::string_view name;
  // The outputs' types from the inputs' types and the attributes. Throws a CompileError that
  // names the node when inputs or attributes are invalid or unsupported.
  std::vector<OutputType> (*infer)(const Node& node);
  // The reference semantics: outputs from input tensors (nullptr for an omitted optional
  // input). Plain, clear C++; the numerical reference for every test.
  std::vector<Tensor> (*evaluate)(const Node& node, std::span<const Tensor* const> inputs);
  // Multiply-accumulates of one execution (for reports); nullptr: the op does none.
  int64_t (*macs)(const Node& node) = nullptr;
  // Bytes of scratch memory one execution needs (the kernel's *_scratch_size for the node's
  // shapes and attributes), which the memory planner places in the arena for the duration of
  // the node; nullptr: the op needs none. Must agree with what `evaluate` allocates.
  int64_t (*scratch_bytes)(const Node& node) = nullptr;
};

class OpRegistry {
 public:
  static OpRegistry& instance();
  void add(const OpSchema& schema);
  const OpSchema* find(std::string_view name) const;
  const OpSchema& get(const Node& node) const;  // throws naming the node if unknown
  std::vector<std::string_view> names() const;

 private:
  std::map<std::string, OpSchema, std::less<>> schemas_;
};

struct RegisterOp {
  explicit RegisterOp(const OpSchema& schema) { OpRegistry::instance().add(schema); }
};

// A node's shape rule / reference implementation through the registry; every error they
// throw (their own checks, attribute getters, tensor accessors) comes out naming the node.
std::vector<OutputType> infer_node(const Node& node);
std::vector<Tensor> evaluate_node(const Node& node, std::span<const Tensor* const> inputs);
// The node's scratch bytes through the registry (0 when the op declares none); errors name
// the node.
int64_t scratch_bytes_of(const Node& node);

// Runs every node's shape rule in order and sets its outputs' dtype and shape.
void infer_shapes(Graph& graph);

// Structural and type checks: topological order, every input defined before use, no value
// produced twice, consistent use lists, graph outputs defined, every op known and its outputs
// typed as its shape rule says. Throws a CompileError describing the first problem.
void verify(const Graph& graph);

}  // namespace tinyexec::ir
