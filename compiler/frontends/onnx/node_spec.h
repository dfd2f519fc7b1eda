// SPDX-License-Identifier: Apache-2.0
// Internal to the ONNX importer: a node on its way into the IR, and the rules that turn
// opset 11-17 nodes into the IR's opset-13 form.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace onnx {
class AttributeProto;
}  // namespace onnx

namespace tinyexec::frontends {

// A node as ONNX describes it, values referred to by their ONNX names ("" = omitted).
struct NodeSpec {
  std::string op;  // ONNX op type ("Conv"), without the IR's "onnx." prefix
  std::string name;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  ir::Attributes attrs;

  // "node 'conv1' (onnx.Conv)": the start of every error about it, as ir::Node::describe.
  std::string describe() const;
};

// What the opset rules may ask of the importer.
class ImportContext {
 public:
  virtual ~ImportContext() = default;
  // The value an ONNX name refers to (already imported, so typed); throws if unknown.
  virtual const ir::Value& value(const NodeSpec& node, const std::string& name) const = 0;
  // Adds a constant and returns the ONNX-level name it is known by.
  virtual std::string add_constant(const std::string& base_name, ir::Tensor tensor) = 0;
  // A fresh name for an intermediate value.
  virtual std::string fresh_name(const std::string& base_name) = 0;
};

// Converts an ONNX attribute to its IR form; throws naming node, op and attribute for types
// the IR has no form for (graphs, sparse tensors, type protos).
ir::Attribute convert_attribute(const NodeSpec& node, const onnx::AttributeProto& attribute);

// Rewrites a node of the model's `opset` into the IR's opset-13 contract; may produce several
// nodes (in order). Nodes already in opset-13 form come back unchanged.
std::vector<NodeSpec> to_opset13(NodeSpec node, int opset, ImportContext& context);

}  // namespace tinyexec::frontends
