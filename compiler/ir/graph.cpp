// SPDX-License-Identifier: Apache-2.0
#include "ir/graph.h"

#include <algorithm>

namespace tinyexec::ir {

std::string Value::type_string() const {
  return std::string(dtype_name(dtype)) + shape_string(shape);
}

std::string Node::describe() const {
  return fmt::format("node '{}' ({})", name, op);
}

std::string Graph::unique_name(std::string_view base) {
  std::string name(base.empty() ? "v" : base);
  if (names_.contains(name)) {
    for (int suffix = 1;; ++suffix) {
      std::string candidate = fmt::format("{}_{}", name, suffix);
      if (!names_.contains(candidate)) {
        name = std::move(candidate);
        break;
      }
    }
  }
  names_.insert(name);
  return name;
}

Value* Graph::add_value(std::string_view name, DType dtype, Shape shape) {
  auto value = std::make_unique<Value>();
  value->name = unique_name(name);
  value->dtype = dtype;
  value->shape = std::move(shape);
  values_.push_back(std::move(value));
  return values_.back().get();
}

Value* Graph::add_constant(std::string_view name, Tensor tensor) {
  Value* value = add_value(name, tensor.dtype(), tensor.shape());
  value->constant = std::make_shared<const Tensor>(std::move(tensor));
  return value;
}

Value* Graph::find_value(std::string_view name) const {
  for (const auto& value : values_) {
    if (value->name == name) return value.get();
  }
  return nullptr;
}

std::list<std::unique_ptr<Node>>::iterator Graph::find(const Node* node) {
  auto it = std::find_if(nodes_.begin(), nodes_.end(),
                         [node](const std::unique_ptr<Node>& n) { return n.get() == node; });
  if (it == nodes_.end()) fail("{} is not in this graph", node->describe());
  return it;
}

Node* Graph::place(std::list<std::unique_ptr<Node>>::iterator where, std::string_view op,
                   std::vector<Value*> inputs, std::vector<Value*> outputs, Attributes attrs,
                   std::string_view name) {
  auto node = std::make_unique<Node>();
  node->op = op;
  node->name = unique_name(name.empty() ? op.substr(op.find('.') + 1) : name);
  node->inputs = std::move(inputs);
  node->outputs = std::move(outputs);
  node->attrs = std::move(attrs);
  for (Value* input : node->inputs) {
    if (input != nullptr) input->users.push_back(node.get());
  }
  for (Value* output : node->outputs) {
    if (output == nullptr) fail("{}: null output", node->describe());
    if (output->producer != nullptr) {
      fail("{}: value '{}' is already produced by {}", node->describe(), output->name,
           output->producer->describe());
    }
    output->producer = node.get();
  }
  return nodes_.insert(where, std::move(node))->get();
}

Node* Graph::add_node(std::string_view op, std::vector<Value*> inputs, std::vector<Value*> outputs,
                      Attributes attrs, std::string_view name) {
  return place(nodes_.end(), op, std::move(inputs), std::move(outputs), std::move(attrs), name);
}

Node* Graph::insert_node(Node* position, std::string_view op, std::vector<Value*> inputs,
                         std::vector<Value*> outputs, Attributes attrs, std::string_view name) {
  return place(find(position), op, std::move(inputs), std::move(outputs), std::move(attrs), name);
}

namespace {
void remove_one_use(Value* value, const Node* user) {
  auto it = std::find(value->users.begin(), value->users.end(), user);
  if (it != value->users.end()) value->users.erase(it);
}
}  // namespace

void Graph::erase_node(Node* node) {
  auto it = find(node);
  for (Value* output : node->outputs) {
    if (!output->users.empty() || is_graph_output(*this, output)) {
      fail("cannot erase {}: its output '{}' is still used", node->describe(), output->name);
    }
    output->producer = nullptr;
  }
  for (Value* input : node->inputs) {
    if (input != nullptr) remove_one_use(input, node);
  }
  nodes_.erase(it);
}

void Graph::set_input(Node* node, size_t index, Value* value) {
  if (index >= node->inputs.size()) node->inputs.resize(index + 1, nullptr);
  if (node->inputs[index] != nullptr) remove_one_use(node->inputs[index], node);
  node->inputs[index] = value;
  if (value != nullptr) value->users.push_back(node);
}

void Graph::replace_all_uses(Value* from, Value* to) {
  if (from == to) return;
  const std::vector<Node*> users = from->users;
  for (Node* user : users) {
    for (size_t i = 0; i < user->inputs.size(); ++i) {
      if (user->inputs[i] == from) set_input(user, i, to);
    }
  }
  std::replace(outputs_.begin(), outputs_.end(), from, to);
}

int Graph::remove_dead_code() {
  int removed = 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
      Node* node = it->get();
      const bool dead = std::all_of(node->outputs.begin(), node->outputs.end(), [&](Value* v) {
        return v->users.empty() && !is_graph_output(*this, v);
      });
      if (dead) {
        erase_node(node);
        ++removed;
        changed = true;
        break;
      }
    }
  }
  std::erase_if(values_, [&](const std::unique_ptr<Value>& v) {
    const bool unused = v->users.empty() && v->producer == nullptr &&
                        !is_graph_output(*this, v.get()) &&
                        std::find(inputs_.begin(), inputs_.end(), v.get()) == inputs_.end();
    if (unused) names_.erase(v->name);
    return unused;
  });
  return removed;
}

std::vector<Node*> Graph::nodes() const {
  std::vector<Node*> result;
  result.reserve(nodes_.size());
  for (const auto& node : nodes_) result.push_back(node.get());
  return result;
}

Node* producer_if(const Value* value, std::string_view op) {
  return value != nullptr && value->producer != nullptr && value->producer->op == op
             ? value->producer
             : nullptr;
}

bool is_graph_output(const Graph& graph, const Value* value) {
  return std::find(graph.outputs().begin(), graph.outputs().end(), value) != graph.outputs().end();
}

Node* only_user_if(const Graph& graph, const Value* value, std::string_view op) {
  if (value == nullptr || value->users.size() != 1 || is_graph_output(graph, value)) return nullptr;
  return value->users.front()->op == op ? value->users.front() : nullptr;
}

}  // namespace tinyexec::ir
