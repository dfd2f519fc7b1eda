// SPDX-License-Identifier: Apache-2.0
// The differences between ONNX opsets 11-17 and the IR's opset-13 contract, for the operators
// the IR supports. Everything not listed here means the same in every opset from 11 to 17.
//
//   Squeeze, Unsqueeze (< 13)  axes attribute -> constant int64 input
//   Softmax (< 13)             coerce-to-2D semantics -> opset 13's single axis (Flatten,
//                              Softmax, Reshape when the axis is not the last one)
//   BatchNormalization (>= 14) training_mode=0 dropped (1 is an error: inference only)
//   Reshape (>= 14)            allowzero dropped when it cannot matter
#include <algorithm>

#include "frontends/onnx/node_spec.h"

namespace tinyexec::frontends {
namespace {

void axes_attribute_to_input(NodeSpec& node, ImportContext& context) {
  if (!node.attrs.has("axes")) return;  // Squeeze without axes: every 1-sized dimension
  const std::vector<int64_t> axes = node.attrs.get_ints("axes");
  node.attrs.erase("axes");
  const std::string constant = context.add_constant(
      node.name + "_axes", ir::Tensor::from<int64_t>({static_cast<int64_t>(axes.size())}, axes));
  node.inputs.resize(1);
  node.inputs.push_back(constant);
}

// Opsets 1-12 flatten the input to 2-D at `axis` (default 1) and normalize each row; opset 13
// normalizes along `axis` only. They agree when `axis` is the last dimension; otherwise the
// old meaning is Flatten(axis) -> Softmax(last) -> Reshape(back).
std::vector<NodeSpec> softmax_to_opset13(NodeSpec node, ImportContext& context) {
  if (node.inputs.empty() || node.outputs.size() != 1) return {std::move(node)};
  const ir::Value& input = context.value(node, node.inputs[0]);
  const int64_t rank = input.rank();
  int64_t axis = node.attrs.int_or("axis", 1);
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    fail("{}: attribute 'axis' = {} is out of range for an input of rank {}", node.describe(), axis,
         rank);
  }
  if (axis < 0) axis += rank;
  if (rank == 0 || axis == rank - 1) {
    node.attrs.set("axis", int64_t{-1});
    return {std::move(node)};
  }
  const std::string flat = context.fresh_name(node.outputs[0] + "_2d");
  const std::string normalized = context.fresh_name(node.outputs[0] + "_softmax_2d");
  const std::string shape = context.add_constant(node.outputs[0] + "_shape",
                                                 ir::Tensor::from<int64_t>({rank}, input.shape));

  NodeSpec flatten{"Flatten", node.name + "_flatten", {node.inputs[0]}, {flat}, {}};
  flatten.attrs.set("axis", axis);
  NodeSpec softmax{"Softmax", node.name, {flat}, {normalized}, {}};
  softmax.attrs.set("axis", int64_t{-1});
  NodeSpec reshape{"Reshape", node.name + "_reshape", {normalized, shape}, node.outputs, {}};
  return {std::move(flatten), std::move(softmax), std::move(reshape)};
}

void batchnorm_to_opset13(NodeSpec& node) {
  if (!node.attrs.has("training_mode")) return;
  if (node.attrs.get_int("training_mode") != 0) {
    fail(
        "{}: attribute 'training_mode' = {} is not supported (supported: 0, inference; export "
        "the model in eval mode)",
        node.describe(), node.attrs.get_int("training_mode"));
  }
  node.attrs.erase("training_mode");
}

// allowzero (opset 14) only changes the meaning of a 0 in the target shape.
void reshape_to_opset13(NodeSpec& node, ImportContext& context) {
  if (!node.attrs.has("allowzero")) return;
  bool drop = node.attrs.get_int("allowzero") == 0;
  if (!drop && node.inputs.size() > 1 && !node.inputs[1].empty()) {
    const ir::Value& shape = context.value(node, node.inputs[1]);
    if (shape.is_constant()) {
      const std::vector<int64_t> dims = shape.constant->to_int_vector();
      drop = std::find(dims.begin(), dims.end(), int64_t{0}) == dims.end();
    }
  }
  if (drop) node.attrs.erase("allowzero");
}

}  // namespace

std::vector<NodeSpec> to_opset13(NodeSpec node, int opset, ImportContext& context) {
  if (opset < 13 && (node.op == "Squeeze" || node.op == "Unsqueeze")) {
    axes_attribute_to_input(node, context);
  } else if (opset < 13 && node.op == "Softmax") {
    return softmax_to_opset13(std::move(node), context);
  } else if (node.op == "BatchNormalization") {
    batchnorm_to_opset13(node);
  } else if (node.op == "Reshape") {
    reshape_to_opset13(node, context);
  }
  return {std::move(node)};
}

}  // namespace tinyexec::frontends
