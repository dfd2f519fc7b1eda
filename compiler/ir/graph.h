// SPDX-License-Identifier: Apache-2.0
// The graph IR every compiler stage works on.
//
// A Graph owns its Values and Nodes; everything else holds plain pointers into it, valid until
// the graph erases them. Values are typed (dtype + static shape), optionally quantized and
// optionally constant. Nodes have a namespaced op ("onnx.Conv", "cortex_m.quantized_conv2d"),
// ordered inputs (nullptr for an omitted optional input), outputs and attributes. Nodes are
// kept in topological order: a pass that inserts a node puts it before its first user.
#pragma once

#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ir/attributes.h"
#include "ir/quant.h"
#include "ir/tensor.h"

namespace tinyexec::ir {

struct Node;

struct Value {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  std::optional<QuantParams> quant;
  std::shared_ptr<const Tensor> constant;  // set for initializers / folded constants

  Node* producer = nullptr;  // nullptr for graph inputs and constants
  std::vector<Node*> users;  // one entry per use (a node using it twice appears twice)

  bool is_constant() const { return constant != nullptr; }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numel() const { return shape_numel(shape); }
  std::string type_string() const;  // "f32[1,3,32,32]"
};

struct Node {
  std::string name;
  std::string op;
  std::vector<Value*> inputs;
  std::vector<Value*> outputs;
  Attributes attrs;

  Value* input(size_t index) const { return index < inputs.size() ? inputs[index] : nullptr; }
  Value* output(size_t index = 0) const { return outputs.at(index); }
  // "node 'conv1' (onnx.Conv)": the prefix of every error about this node.
  std::string describe() const;
};

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  // Values. Names are unique: a clashing name gets a numeric suffix.
  Value* add_value(std::string_view name, DType dtype, Shape shape);
  Value* add_constant(std::string_view name, Tensor tensor);
  Value* find_value(std::string_view name) const;
  const std::vector<std::unique_ptr<Value>>& values() const { return values_; }

  std::vector<Value*>& inputs() { return inputs_; }
  const std::vector<Value*>& inputs() const { return inputs_; }
  std::vector<Value*>& outputs() { return outputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }

  // Nodes. add_node appends; insert_node puts the node before `position`. The outputs must
  // not have a producer yet.
  Node* add_node(std::string_view op, std::vector<Value*> inputs, std::vector<Value*> outputs,
                 Attributes attrs = {}, std::string_view name = {});
  Node* insert_node(Node* position, std::string_view op, std::vector<Value*> inputs,
                    std::vector<Value*> outputs, Attributes attrs = {},
                    std::string_view name = {});
  // Removes a node whose outputs are unused (and not graph outputs).
  void erase_node(Node* node);
  void set_input(Node* node, size_t index, Value* value);
  // Every use of `from` (node inputs and graph outputs) becomes a use of `to`.
  void replace_all_uses(Value* from, Value* to);
  // Drops nodes whose outputs are unused, then values nobody refers to. Returns nodes removed.
  int remove_dead_code();

  std::vector<Node*> nodes() const;  // in order
  size_t node_count() const { return nodes_.size(); }
  std::string unique_name(std::string_view base);

 private:
  std::list<std::unique_ptr<Node>>::iterator find(const Node* node);
  Node* place(std::list<std::unique_ptr<Node>>::iterator where, std::string_view op,
              std::vector<Value*> inputs, std::vector<Value*> outputs, Attributes attrs,
              std::string_view name);

  std::vector<std::unique_ptr<Value>> values_;
  std::list<std::unique_ptr<Node>> nodes_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::unordered_set<std::string> names_;  // every value and node name, for unique_name
};

// Pattern helpers for passes: the producer of `value` if it is `op`; the single user of
// `value` if it has exactly one and it is `op` (and `value` is not a graph output).
Node* producer_if(const Value* value, std::string_view op);
Node* only_user_if(const Graph& graph, const Value* value, std::string_view op);
bool is_graph_output(const Graph& graph, const Value* value);

}  // namespace tinyexec::ir
