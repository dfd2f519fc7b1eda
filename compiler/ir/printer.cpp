// SPDX-License-Identifier: Apache-2.0
#include "ir/printer.h"

#include <sstream>

namespace tinyexec::ir {

namespace {

std::string join(const auto& items, auto&& to_text) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i != 0) text += ", ";
    text += to_text(items[i]);
  }
  return text;
}

std::string describe_value(const Value* value, bool with_type) {
  if (value == nullptr) return "<none>";
  std::string text = "%" + value->name;
  if (with_type || value->is_constant()) text += ": " + value->type_string();
  if (value->quant) text += " {" + value->quant->to_string() + "}";
  if (value->is_constant()) text += " const";
  return text;
}

}  // namespace

std::string QuantParams::to_string() const {
  if (per_channel()) {
    return fmt::format("per-channel axis={} ({} scales)", axis, scales.size());
  }
  return fmt::format("scale={:.6g} zp={}", scales.empty() ? 0.0f : scales[0],
                     zero_points.empty() ? 0 : zero_points[0]);
}

std::string attribute_string(const Attribute& attribute) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(float v) const { return fmt::format("{:g}", v); }
    std::string operator()(const std::string& v) const { return "\"" + v + "\""; }
    std::string operator()(const std::vector<int64_t>& v) const {
      return "[" + join(v, [](int64_t x) { return std::to_string(x); }) + "]";
    }
    std::string operator()(const std::vector<float>& v) const {
      return "[" + join(v, [](float x) { return fmt::format("{:g}", x); }) + "]";
    }
    std::string operator()(const std::vector<std::string>& v) const {
      return "[" + join(v, [](const std::string& x) { return "\"" + x + "\""; }) + "]";
    }
    std::string operator()(const Tensor& v) const {
      return fmt::format("tensor<{}{}>", dtype_name(v.dtype()), shape_string(v.shape()));
    }
  };
  return std::visit(Visitor{}, attribute);
}

std::string print_graph(const Graph& graph) {
  std::ostringstream out;
  out << "graph (" << join(graph.inputs(), [](const Value* v) { return describe_value(v, true); })
      << ") -> (" << join(graph.outputs(), [](const Value* v) { return describe_value(v, true); })
      << ")\n";
  for (const Node* node : graph.nodes()) {
    out << "  " << join(node->outputs, [](const Value* v) { return describe_value(v, true); })
        << " = " << node->op << "("
        << join(node->inputs, [](const Value* v) { return describe_value(v, false); }) << ")";
    if (!node->attrs.all().empty()) {
      std::string attrs;
      for (const auto& [name, value] : node->attrs.all()) {
        if (!attrs.empty()) attrs += ", ";
        attrs += name + "=" + attribute_string(value);
      }
      out << " {" << attrs << "}";
    }
    out << "  # " << node->name << "\n";
  }
  return out.str();
}

}  // namespace tinyexec::ir
