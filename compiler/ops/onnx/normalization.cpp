// SPDX-License-Identifier: Apache-2.0
// BatchNormalization (ONNX opset-13 semantics), inference only, float32:
//   Y = (X - input_mean) / sqrt(input_var + epsilon) * scale + B   per channel (axis 1).
// Training mode (training_mode = 1, or the running-statistics outputs of opsets 9-13) is
// rejected: a compiled network only runs inference, and its statistics are fixed.
#include <cmath>

#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

std::vector<OutputType> infer_batch_norm(const Node& node) {
  expect_inputs(node, 5, 5);
  const int64_t training_mode = node.attrs.int_or("training_mode", 0);
  if (training_mode != 0) {
    node_error(node,
               "attribute 'training_mode' is {}; only inference (training_mode=0) is "
               "supported",
               training_mode);
  }
  if (node.outputs.size() != 1) {
    node_error(node,
               "has {} outputs; only inference mode with the single output Y is supported "
               "(the mean and variance outputs exist only in training mode)",
               node.outputs.size());
  }
  for (size_t i = 0; i < 5; ++i) expect_float(node, i);
  const ir::Value& x = input_value(node, 0);
  if (x.rank() < 2) {
    node_error(node, "input '{}' has shape {}; expected N x C (x spatial)", x.name,
               ir::shape_string(x.shape));
  }
  static const char* const kNames[] = {"X", "scale", "B", "input_mean", "input_var"};
  for (size_t i = 1; i < 5; ++i) {
    const ir::Value& p = input_value(node, i);
    if (p.shape != Shape{x.shape[1]}) {
      node_error(node, "input {} ({} '{}') has shape {}, expected [{}] (one per channel)", i,
                 kNames[i], p.name, ir::shape_string(p.shape), x.shape[1]);
    }
  }
  return {{DType::kFloat32, x.shape}};
}

std::vector<Tensor> evaluate_batch_norm(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const auto scale = inputs[1]->data<float>();
  const auto bias = inputs[2]->data<float>();
  const auto mean = inputs[3]->data<float>();
  const auto var = inputs[4]->data<float>();
  const float epsilon = node.attrs.float_or("epsilon", 1e-5f);
  const int64_t batch = x.shape()[0];
  const int64_t channels = x.shape()[1];
  const int64_t plane = ir::shape_numel(Shape(x.shape().begin() + 2, x.shape().end()));
  Tensor y(DType::kFloat32, x.shape());
  const auto xs = x.data<float>();
  auto ys = y.data<float>();
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const float inv_std = 1.0f / std::sqrt(var[c] + epsilon);
      const int64_t base = (n * channels + c) * plane;
      for (int64_t i = 0; i < plane; ++i) {
        ys[base + i] = (xs[base + i] - mean[c]) * inv_std * scale[c] + bias[c];
      }
    }
  }
  return {std::move(y)};
}

const ir::RegisterOp kBatchNormalization{
    {"onnx.BatchNormalization", infer_batch_norm, evaluate_batch_norm}};

}  // namespace
}  // namespace tinyexec::ops
