// SPDX-License-Identifier: Apache-2.0
#include "passes/fuse_gelu.h"

#include <cmath>
#include <numbers>
#include <optional>
#include <string>

#include "passes/graph_rewrite.h"

namespace tinyexec::passes {

namespace {

// Whether `value` is a float constant with one element equal to `expected` (to float rounding
// of the exporters' double constants).
bool is_scalar(const ir::Value* value, double expected) {
  if (value == nullptr || !value->is_constant() || value->dtype != ir::DType::kFloat32 ||
      value->numel() != 1) {
    return false;
  }
  return std::abs(value->constant->as_double(0) - expected) <= 1e-5 * std::abs(expected);
}

// The operand of binary `node` other than `operand`, or nullptr if `operand` is not one.
ir::Value* other_operand(const ir::Node& node, const ir::Value* operand) {
  if (node.inputs.size() != 2) return nullptr;
  if (node.input(0) == operand) return node.input(1);
  if (node.input(1) == operand) return node.input(0);
  return nullptr;
}

// The single user of `value` if it is an `op` with one output (nullptr otherwise).
ir::Node* next(const ir::Graph& graph, const ir::Value* value, std::string_view op) {
  ir::Node* user = ir::only_user_if(graph, value, op);
  return user != nullptr && user->outputs.size() == 1 ? user : nullptr;
}

// x of the pattern's first node u = x / sqrt(2) (read by `erf`), or nullptr.
ir::Value* scaled_input(const ir::Graph& graph, const ir::Node& erf) {
  const ir::Value* u = erf.input(0);
  if (u == nullptr || ir::only_user_if(graph, u, "onnx.Erf") != &erf) return nullptr;
  if (const ir::Node* div = ir::producer_if(u, "onnx.Div")) {
    return is_scalar(div->input(1), std::numbers::sqrt2) ? div->input(0) : nullptr;
  }
  if (const ir::Node* mul = ir::producer_if(u, "onnx.Mul");
      mul != nullptr && mul->inputs.size() == 2) {
    for (size_t i = 0; i < 2; ++i) {
      if (is_scalar(mul->input(1 - i), 1.0 / std::numbers::sqrt2)) return mul->input(i);
    }
  }
  return nullptr;
}

struct Match {
  ir::Value* x = nullptr;
  ir::Node* last = nullptr;  // the Mul computing the GELU
};

std::optional<Match> match(const ir::Graph& graph, const ir::Node& erf) {
  if (erf.outputs.size() != 1) return std::nullopt;
  ir::Value* x = scaled_input(graph, erf);
  if (x == nullptr) return std::nullopt;
  const ir::Node* add = next(graph, erf.output(0), "onnx.Add");
  if (add == nullptr || !is_scalar(other_operand(*add, erf.output(0)), 1.0)) return std::nullopt;
  ir::Node* mul = next(graph, add->output(0), "onnx.Mul");
  if (mul == nullptr) return std::nullopt;
  const ir::Value* factor = other_operand(*mul, add->output(0));
  ir::Node* last = nullptr;
  if (factor == x) {  // Mul(x, a) -> Mul(., 0.5)
    last = next(graph, mul->output(0), "onnx.Mul");
    if (last != nullptr && !is_scalar(other_operand(*last, mul->output(0)), 0.5)) last = nullptr;
  } else if (is_scalar(factor, 0.5)) {  // Mul(a, 0.5) -> Mul(., x)
    last = next(graph, mul->output(0), "onnx.Mul");
    if (last != nullptr && other_operand(*last, mul->output(0)) != x) last = nullptr;
  } else if (const ir::Node* half = ir::producer_if(factor, "onnx.Mul")) {  // Mul(x, 0.5), a
    if (ir::only_user_if(graph, factor, "onnx.Mul") == mul &&
        is_scalar(other_operand(*half, x), 0.5)) {
      last = mul;
    }
  }
  if (last == nullptr) return std::nullopt;
  const ir::Value* y = last->output(0);
  if (y->dtype != ir::DType::kFloat32 || y->shape != x->shape) return std::nullopt;
  return Match{x, last};
}

std::string gelu_name(const ir::Node& erf) {
  std::string name = erf.name;
  if (const size_t at = name.rfind("Erf"); at != std::string::npos) {
    return name.replace(at, 3, "Gelu");
  }
  return name + "_gelu";
}

}  // namespace

int fuse_gelu(ir::Graph& graph) {
  int fused = 0;
  // Nodes of a fused pattern are only dropped at the end, so the list stays valid.
  for (ir::Node* erf : graph.nodes()) {
    if (erf->op != "onnx.Erf") continue;
    const std::optional<Match> found = match(graph, *erf);
    if (!found) continue;
    ir::Value* y = found->last->output(0);
    ir::Value* gelu = graph.add_value(y->name + "_gelu", ir::DType::kFloat32, y->shape);
    if (!can_replace(graph, y, gelu)) continue;
    ir::Attributes attrs;
    attrs.set("approximate", std::string("none"));
    graph.insert_node(found->last, "onnx.Gelu", {found->x}, {gelu}, std::move(attrs),
                      gelu_name(*erf));
    replace_value(graph, y, gelu);
    ++fused;
  }
  if (fused > 0) graph.remove_dead_code();
  return fused;
}

}  // namespace tinyexec::passes
