// SPDX-License-Identifier: Apache-2.0
#include "ir/op_registry.h"

#include <algorithm>
#include <set>

namespace tinyexec::ir {

OpRegistry& OpRegistry::instance() {
  static OpRegistry registry;
  return registry;
}

void OpRegistry::add(const OpSchema& schema) {
  if (!schemas_.emplace(std::string(schema.name), schema).second) {
    fail("operator '{}' is registered twice", schema.name);
  }
}

const OpSchema* OpRegistry::find(std::string_view name) const {
  auto it = schemas_.find(name);
  return it == schemas_.end() ? nullptr : &it->second;
}

const OpSchema& OpRegistry::get(const Node& node) const {
  const OpSchema* schema = find(node.op);
  if (schema == nullptr) fail("{}: unknown operator '{}'", node.describe(), node.op);
  return *schema;
}

std::vector<std::string_view> OpRegistry::names() const {
  std::vector<std::string_view> names;
  for (const auto& [name, schema] : schemas_) names.push_back(name);
  return names;
}

namespace {

[[noreturn]] void rethrow_naming(const Node& node, const CompileError& error) {
  const std::string message = error.what();
  if (message.rfind(node.describe(), 0) == 0) throw error;
  fail("{}: {}", node.describe(), message);
}

}  // namespace

std::vector<OutputType> infer_node(const Node& node) {
  const OpSchema& schema = OpRegistry::instance().get(node);
  try {
    return schema.infer(node);
  } catch (const CompileError& error) {
    rethrow_naming(node, error);
  }
}

std::vector<Tensor> evaluate_node(const Node& node, std::span<const Tensor* const> inputs) {
  const OpSchema& schema = OpRegistry::instance().get(node);
  try {
    return schema.evaluate(node, inputs);
  } catch (const CompileError& error) {
    rethrow_naming(node, error);
  }
}

int64_t scratch_bytes_of(const Node& node) {
  const OpSchema& schema = OpRegistry::instance().get(node);
  if (schema.scratch_bytes == nullptr) return 0;
  int64_t bytes = 0;
  try {
    bytes = schema.scratch_bytes(node);
  } catch (const CompileError& error) {
    rethrow_naming(node, error);
  }
  if (bytes < 0) fail("{}: scratch size {} is negative", node.describe(), bytes);
  return bytes;
}

void infer_shapes(Graph& graph) {
  for (Node* node : graph.nodes()) {
    const std::vector<OutputType> types = infer_node(*node);
    if (types.size() != node->outputs.size()) {
      fail("{}: shape rule gave {} outputs, node has {}", node->describe(), types.size(),
           node->outputs.size());
    }
    for (size_t i = 0; i < types.size(); ++i) {
      node->outputs[i]->dtype = types[i].dtype;
      node->outputs[i]->shape = types[i].shape;
    }
  }
}

void verify(const Graph& graph) {
  std::set<const Value*> defined;
  for (const Value* input : graph.inputs()) {
    if (input->producer != nullptr) fail("graph input '{}' has a producer", input->name);
    if (input->is_constant()) fail("graph input '{}' is a constant", input->name);
    defined.insert(input);
  }
  std::set<const Node*> seen;
  for (const Node* node : graph.nodes()) {
    seen.insert(node);
    for (const Value* input : node->inputs) {
      if (input == nullptr) continue;
      if (!input->is_constant() && !defined.contains(input)) {
        fail("{}: input '{}' is used before it is defined (or never defined)", node->describe(),
             input->name);
      }
      if (std::count(input->users.begin(), input->users.end(), node) !=
          std::count(node->inputs.begin(), node->inputs.end(), input)) {
        fail("{}: the use list of '{}' is inconsistent", node->describe(), input->name);
      }
    }
    for (const Value* output : node->outputs) {
      if (output->producer != node) {
        fail("{}: output '{}' names another producer", node->describe(), output->name);
      }
      if (output->is_constant()) {
        fail("{}: output '{}' is also a constant", node->describe(), output->name);
      }
      if (!defined.insert(output).second) {
        fail("{}: value '{}' is defined twice", node->describe(), output->name);
      }
    }
    const std::vector<OutputType> types = infer_node(*node);
    for (size_t i = 0; i < types.size() && i < node->outputs.size(); ++i) {
      const Value* output = node->outputs[i];
      if (types[i].dtype != output->dtype || types[i].shape != output->shape) {
        fail("{}: output '{}' is {} but the op's shape rule says {}{}", node->describe(),
             output->name, output->type_string(), dtype_name(types[i].dtype),
             shape_string(types[i].shape));
      }
    }
    if (types.size() != node->outputs.size()) {
      fail("{}: has {} outputs, the op defines {}", node->describe(), node->outputs.size(),
           types.size());
    }
  }
  for (const auto& value : graph.values()) {
    for (const Node* user : value->users) {
      if (!seen.contains(user)) fail("value '{}' is used by a node not in the graph", value->name);
    }
    if (value->producer != nullptr && !seen.contains(value->producer)) {
      fail("value '{}' is produced by a node not in the graph", value->name);
    }
  }
  for (const Value* output : graph.outputs()) {
    if (!output->is_constant() && !defined.contains(output)) {
      fail("graph output '{}' is never defined", output->name);
    }
  }
}

}  // namespace tinyexec::ir
