// SPDX-License-Identifier: Apache-2.0
#include "passes/convert_uint8_to_int8.h"

#include <map>
#include <vector>

namespace tinyexec::passes {

namespace {

bool zero_point_convertible(const ir::Node& node) {
  const ir::Value* zero_point = node.input(2);
  return zero_point == nullptr ||
         (zero_point->is_constant() && zero_point->dtype == ir::DType::kUInt8);
}

// Whether `value` (uint8) and every Q/DQ around it can move to int8 together.
bool convertible(const ir::Graph& graph, const ir::Value& value) {
  if (value.dtype != ir::DType::kUInt8 || value.users.empty()) return false;
  if (ir::is_graph_output(graph, &value)) return false;
  if (value.producer != nullptr) {
    if (value.producer->op != "onnx.QuantizeLinear" || !zero_point_convertible(*value.producer)) {
      return false;
    }
  } else if (!value.is_constant()) {
    return false;  // a graph input
  }
  for (const ir::Node* user : value.users) {
    if (user->op != "onnx.DequantizeLinear" || user->input(0) != &value ||
        user->input(2) == &value || !zero_point_convertible(*user)) {
      return false;
    }
  }
  return true;
}

ir::Tensor shifted_to_int8(const ir::Tensor& tensor) {
  ir::Tensor result(ir::DType::kInt8, tensor.shape());
  const auto in = tensor.data<uint8_t>();
  auto out = result.data<int8_t>();
  for (size_t i = 0; i < in.size(); ++i) out[i] = static_cast<int8_t>(in[i] - 128);
  return result;
}

class Converter {
 public:
  explicit Converter(ir::Graph& graph) : graph_(graph) {}

  // Gives `node` (a Q or DQ) an int8 zero point equal to its uint8 one - 128.
  void convert_zero_point(ir::Node& node) {
    ir::Value* old = node.input(2);
    ir::Value* converted = nullptr;
    if (old != nullptr) {
      ir::Value*& cached = converted_[old];
      if (cached == nullptr) {
        cached = graph_.add_constant(old->name + "_s8", shifted_to_int8(*old->constant));
      }
      converted = cached;
    } else {
      // No zero point means 0 in uint8: -128, one per scale entry, in the scale's shape.
      ir::Tensor tensor(ir::DType::kInt8, node.input(1)->shape);
      for (int8_t& v : tensor.data<int8_t>()) v = -128;
      converted = graph_.add_constant(node.name + "_zero_point_s8", std::move(tensor));
    }
    graph_.set_input(&node, 2, converted);
  }

  void convert(ir::Value& value) {
    ir::Value* result = &value;
    if (value.producer != nullptr) {
      convert_zero_point(*value.producer);
      value.dtype = ir::DType::kInt8;
    } else {
      // A constant is replaced by an int8 one (its tensor may be shared; never edit it).
      result = graph_.add_constant(value.name + "_s8", shifted_to_int8(*value.constant));
      result->quant = value.quant;
      graph_.replace_all_uses(&value, result);
    }
    for (ir::Node* user : std::vector<ir::Node*>(result->users)) convert_zero_point(*user);
    if (result->quant) {
      for (int32_t& zero_point : result->quant->zero_points) zero_point -= 128;
    }
  }

 private:
  ir::Graph& graph_;
  std::map<const ir::Value*, ir::Value*> converted_;  // uint8 zero point -> its int8 one
};

}  // namespace

int convert_uint8_to_int8(ir::Graph& graph) {
  std::vector<ir::Value*> candidates;
  for (const auto& value : graph.values()) {
    if (convertible(graph, *value)) candidates.push_back(value.get());
  }
  Converter converter(graph);
  for (ir::Value* value : candidates) converter.convert(*value);
  if (!candidates.empty()) graph.remove_dead_code();  // the uint8 constants and zero points
  return static_cast<int>(candidates.size());
}

}  // namespace tinyexec::passes
