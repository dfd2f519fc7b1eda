// SPDX-License-Identifier: Apache-2.0
#include "passes/remove_redundant_qdq.h"

#include <optional>
#include <vector>

#include "passes/graph_rewrite.h"

namespace tinyexec::passes {

namespace {

// A Q/DQ node's parameters as plain numbers, if they are constants.
struct QdqParams {
  std::vector<double> scales;
  std::vector<int64_t> zero_points;
  ir::DType quantized_type;
  int64_t axis;  // normalised; -1 per tensor

  bool operator==(const QdqParams& other) const = default;
};

std::optional<QdqParams> params_of(const ir::Node& node, const ir::Value& quantized) {
  const ir::Value* scale = node.input(1);
  const ir::Value* zero_point = node.input(2);
  if (scale == nullptr || !scale->is_constant()) return std::nullopt;
  if (zero_point != nullptr && !zero_point->is_constant()) return std::nullopt;
  QdqParams params;
  params.quantized_type = quantized.dtype;
  for (int64_t i = 0; i < scale->numel(); ++i) {
    params.scales.push_back(scale->constant->as_double(i));
  }
  params.zero_points = zero_point != nullptr ? zero_point->constant->to_int_vector()
                                             : std::vector<int64_t>(params.scales.size(), 0);
  params.axis = -1;
  if (scale->numel() != 1 || scale->rank() > 1) {
    int64_t axis = node.attrs.int_or("axis", 1);
    if (axis < 0) axis += quantized.rank();
    params.axis = axis;
  }
  return params;
}

}  // namespace

int remove_redundant_qdq(ir::Graph& graph) {
  int removed = 0;
  for (ir::Node* quantize : graph.nodes()) {
    if (quantize->op != "onnx.QuantizeLinear") continue;
    ir::Node* dequantize = ir::producer_if(quantize->input(0), "onnx.DequantizeLinear");
    if (dequantize == nullptr) continue;
    ir::Value* x = dequantize->input(0);
    ir::Value* q = quantize->outputs[0];
    if (x == nullptr || x->dtype != q->dtype || x->shape != q->shape) continue;
    const std::optional<QdqParams> before = params_of(*dequantize, *x);
    const std::optional<QdqParams> after = params_of(*quantize, *q);
    if (!before || !after || *before != *after) continue;
    if (!can_replace(graph, q, x)) continue;
    if (!x->quant && q->quant) x->quant = q->quant;
    replace_value(graph, q, x);
    graph.erase_node(quantize);
    ++removed;
  }
  if (removed > 0) graph.remove_dead_code();  // dequantizations left without users
  return removed;
}

}  // namespace tinyexec::passes
