// SPDX-License-Identifier: Apache-2.0
#include "passes/lowering/context.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace tinyexec::passes::lowering {

namespace {

constexpr std::string_view kQuantize = "onnx.QuantizeLinear";
constexpr std::string_view kDequantize = "onnx.DequantizeLinear";

const ir::Tensor& constant_input(const ir::Node& node, size_t index, const char* what) {
  const ir::Value* value = node.input(index);
  if (value == nullptr || !value->is_constant()) {
    reject("{} of {} is not a constant", what, node.describe());
  }
  return *value->constant;
}

int64_t clamp_int8(double value) {
  return static_cast<int64_t>(std::clamp(value, -128.0, 127.0));
}

// The int8 value of the real bound `bound` of a fused Clip (an absent bound is no bound).
int64_t clip_bound(const ir::Node& clip, size_t index, const ir::QuantParams& out,
                   int64_t fallback) {
  const ir::Value* bound = clip.input(index);
  if (bound == nullptr) return fallback;
  if (!bound->is_constant()) {
    reject("fused {} has a non-constant {} bound '{}'", clip.describe(), index == 1 ? "min" : "max",
           bound->name);
  }
  // As QuantizeLinear does: float division, round half to even, then add the zero point.
  const float real = static_cast<float>(bound->constant->as_double(0));
  const float scaled = std::nearbyint(real / out.scales[0]);
  return clamp_int8(static_cast<double>(scaled) + out.zero_points[0]);
}

}  // namespace

ir::QuantParams Context::quant_of(const ir::Node& qdq) const {
  const ir::Tensor& scale = constant_input(qdq, 1, "the scale");
  if (scale.dtype() != ir::DType::kFloat32) reject("the scale of {} is not f32", qdq.describe());
  ir::QuantParams quant;
  for (int64_t i = 0; i < scale.numel(); ++i) quant.scales.push_back(scale.data<float>()[i]);
  if (qdq.input(2) != nullptr) {
    const ir::Tensor& zero_point = constant_input(qdq, 2, "the zero point");
    for (int64_t i = 0; i < zero_point.numel(); ++i) {
      quant.zero_points.push_back(static_cast<int32_t>(zero_point.as_int(i)));
    }
  } else if (qdq.op == kQuantize) {
    reject("{} has no zero point (its output is uint8; only int8 is lowered)", qdq.describe());
  } else {
    quant.zero_points.assign(quant.scales.size(), 0);
  }
  if (scale.numel() != 1 || scale.rank() > 1) {
    const int64_t rank = qdq.input(0)->rank();
    int64_t axis = qdq.attrs.int_or("axis", 1);
    if (axis < 0) axis += rank;
    quant.axis = static_cast<int32_t>(axis);
  }
  return quant;
}

OutputMatch Context::match_output(const ir::Node& op, bool fusable) const {
  if (op.outputs.size() != 1) {
    reject("{} has {} outputs; only its single-output form is lowered", op.describe(),
           op.outputs.size());
  }
  OutputMatch match;
  ir::Value* result = op.output(0);
  match.activation = ir::only_user_if(graph_, result, "onnx.Relu");
  if (match.activation == nullptr) match.activation = ir::only_user_if(graph_, result, "onnx.Clip");
  if (match.activation != nullptr) {
    if (!fusable) {
      reject("{} is followed by {}, which {} cannot fuse", op.describe(),
             match.activation->describe(), op.op);
    }
    result = match.activation->output(0);
  }
  match.quantize = ir::only_user_if(graph_, result, kQuantize);
  if (match.quantize == nullptr) {
    reject("output '{}' of {} is not quantized (a QuantizeLinear must be its only user)",
           result->name, (match.activation != nullptr ? match.activation : &op)->describe());
  }
  match.quant = quant_of(*match.quantize);
  if (match.quantize->output(0)->dtype != ir::DType::kInt8 || match.quant.per_channel()) {
    reject("{} does not quantize per tensor to int8", match.quantize->describe());
  }
  if (match.activation != nullptr) {
    const int32_t zero_point = match.quant.zero_points[0];
    if (match.activation->op == "onnx.Relu") {
      match.activation_min = clamp_int8(zero_point);
    } else {
      match.activation_min = clip_bound(*match.activation, 1, match.quant, -128);
      match.activation_max = clip_bound(*match.activation, 2, match.quant, 127);
    }
  }
  return match;
}

std::optional<Lowered> Context::lowered_value(ir::Value* quantized) {
  if (auto it = lowered_.find(quantized); it != lowered_.end()) return it->second;
  ir::Node* quantize = ir::producer_if(quantized, kQuantize);
  if (quantize == nullptr || quantized->dtype != ir::DType::kInt8) return std::nullopt;
  ir::Value* real = quantize->input(0);
  if (real == nullptr || real->is_constant()) return std::nullopt;
  const ir::QuantParams quant = quant_of(*quantize);
  if (quant.per_channel()) reject("{} quantizes per channel", quantize->describe());
  // In place of the QuantizeLinear: before every DequantizeLinear of the value.
  ir::Node* saved = position_;
  position_ = quantize;
  ir::Value* value = new_value(quantized->name, ir::DType::kInt8, quantized->shape, quant);
  emit("cortex_m.quantize", {real}, value, {}, quantize->name);
  position_ = saved;
  Lowered lowered{value, Layout::kOnnx, nullptr};
  lowered_[quantized] = lowered;
  return lowered;
}

Lowered Context::activation(const ir::Node& op, size_t index) {
  ir::Value* input = op.input(index);
  if (input == nullptr) reject("input {} of {} is missing", index, op.describe());
  ir::Node* dequantize = ir::producer_if(input, kDequantize);
  if (dequantize == nullptr) {
    reject("input {} ('{}') of {} does not come from a DequantizeLinear (float-only)", index,
           input->name, op.describe());
  }
  ir::Value* quantized = dequantize->input(0);
  if (quantized->is_constant()) {
    reject("input {} ('{}') of {} is a constant where an activation is expected", index,
           input->name, op.describe());
  }
  const ir::QuantParams quant = quant_of(*dequantize);
  if (quant.per_channel()) {
    reject("input {} ('{}') of {} is quantized per channel; activations must be per tensor", index,
           input->name, op.describe());
  }
  std::optional<Lowered> lowered = lowered_value(quantized);
  if (!lowered) {
    reject("input {} ('{}') of {} is not an int8 value from a QuantizeLinear", index,
           quantized->name, op.describe());
  }
  if (!same_quant(*lowered->value->quant, quant)) {
    reject("{} dequantizes '{}' with {} but it was quantized with {}", dequantize->describe(),
           quantized->name, quant.to_string(), lowered->value->quant->to_string());
  }
  return *lowered;
}

bool Context::is_quantized_constant(const ir::Node& op, size_t index) const {
  const ir::Node* dequantize = ir::producer_if(op.input(index), kDequantize);
  return dequantize != nullptr && dequantize->input(0)->is_constant();
}

QuantizedConstant Context::quantized_constant(const ir::Node& op, size_t index) const {
  if (!is_quantized_constant(op, index)) {
    reject("input {} of {} is not a quantized constant (constant -> DequantizeLinear)", index,
           op.describe());
  }
  const ir::Node* dequantize = op.input(index)->producer;
  return {dequantize->input(0)->constant.get(), quant_of(*dequantize)};
}

ir::Value* Context::new_value(const std::string& base, ir::DType dtype, ir::Shape shape,
                              std::optional<ir::QuantParams> quant) {
  ir::Value* value = graph_.add_value(base, dtype, std::move(shape));
  value->quant = std::move(quant);
  return value;
}

ir::Node* Context::emit(const std::string& op, std::vector<ir::Value*> inputs, ir::Value* output,
                        ir::Attributes attrs, const std::string& name) {
  return graph_.insert_node(position_, op, std::move(inputs), {output}, std::move(attrs), name);
}

ir::Value* Context::reshape(ir::Value* value, const ir::Shape& shape) {
  ir::Value* out = new_value(value->name + "_reshaped", value->dtype, shape, value->quant);
  ir::Attributes attrs;
  attrs.set("shape", std::vector<int64_t>(shape));
  emit("cortex_m.reshape", {value}, out, std::move(attrs));
  return out;
}

ir::Value* Context::transpose(ir::Value* value, const std::vector<int64_t>& perm) {
  const ir::Shape shape = permute_shape(value->shape, perm);
  if (moves_only_unit_dims(value->shape, perm)) return reshape(value, shape);
  const char* suffix = perm == kToNhwc ? "_nhwc" : perm == kToNchw ? "_nchw" : "_transposed";
  ir::Value* out = new_value(value->name + suffix, value->dtype, shape, value->quant);
  ir::Attributes attrs;
  attrs.set("perm", perm);
  emit("cortex_m.transpose", {value}, out, std::move(attrs));
  return out;
}

ir::Value* Context::as_nhwc(const Lowered& lowered) {
  if (lowered.layout == Layout::kNhwc || lowered.layout == Layout::kNwc) return lowered.value;
  const int64_t rank = lowered.value->rank();
  if (lowered.layout != Layout::kOnnx || (rank != 4 && rank != 3)) {
    reject("'{}' is not a 4-D (NCHW) or 3-D (NCW) value", lowered.value->name);
  }
  ir::Value*& converted = conversions_[{lowered.value, Layout::kNhwc}];
  if (converted == nullptr) {
    ir::Value* nchw = lowered.value;
    if (rank == 3) {  // [N,C,W] -> [N,C,1,W]: the same bytes
      const ir::Shape& s = nchw->shape;
      nchw = reshape(nchw, {s[0], s[1], 1, s[2]});
    }
    converted = transpose(nchw, kToNhwc);
  }
  return converted;
}

ir::Value* Context::as_onnx(const Lowered& lowered) {
  if (lowered.layout == Layout::kOnnx) return lowered.value;
  ir::Value*& converted = conversions_[{lowered.value, Layout::kOnnx}];
  if (converted != nullptr) return converted;
  if (lowered.layout == Layout::kNhwc) {
    converted = transpose(lowered.value, kToNchw);
  } else if (lowered.layout == Layout::kNwc) {
    // [N,1,W,C] -> [N,C,1,W] -> [N,C,W]
    const ir::Shape& s = lowered.value->shape;
    converted = reshape(transpose(lowered.value, kToNchw), {s[0], s[3], s[2]});
  } else {
    // Flatten again from the NCHW order.
    converted = reshape(transpose(lowered.nhwc_source, kToNchw), lowered.value->shape);
  }
  return converted;
}

// --- Tensor and shape helpers

ir::Shape permute_shape(const ir::Shape& shape, const std::vector<int64_t>& perm) {
  ir::Shape result;
  for (int64_t axis : perm) result.push_back(shape.at(static_cast<size_t>(axis)));
  return result;
}

ir::Tensor permute(const ir::Tensor& tensor, const std::vector<int64_t>& perm) {
  const ir::Shape& in_shape = tensor.shape();
  ir::Tensor result(tensor.dtype(), permute_shape(in_shape, perm));
  const size_t rank = in_shape.size();
  const size_t element = ir::dtype_size(tensor.dtype());
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t d = rank; d-- > 1;) in_strides[d - 1] = in_strides[d] * in_shape[d];
  const ir::Shape& out_shape = result.shape();
  std::vector<int64_t> index(rank, 0);  // position in the output, row-major
  const auto in = tensor.bytes();
  auto out = result.mutable_bytes();
  for (int64_t i = 0; i < result.numel(); ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d) offset += index[d] * in_strides[perm[d]];
    std::memcpy(&out[i * element], &in[offset * element], element);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out_shape[d]) break;
      index[d] = 0;
    }
  }
  return result;
}

bool moves_only_unit_dims(const ir::Shape& shape, const std::vector<int64_t>& perm) {
  int64_t last = -1;
  for (int64_t axis : perm) {
    if (shape[axis] == 1) continue;
    if (axis < last) return false;
    last = axis;
  }
  return true;
}

bool same_scale(double a, double b) {
  return std::abs(a - b) <= 1e-6 * std::max(std::abs(a), std::abs(b));
}

bool same_quant(const ir::QuantParams& a, const ir::QuantParams& b) {
  if (a.axis != b.axis || a.zero_points != b.zero_points || a.scales.size() != b.scales.size()) {
    return false;
  }
  for (size_t i = 0; i < a.scales.size(); ++i) {
    if (!same_scale(a.scales[i], b.scales[i])) return false;
  }
  return true;
}

std::vector<float> per_channel_scales(const ir::QuantParams& quant, int64_t channels) {
  if (!quant.per_channel())
    return std::vector<float>(static_cast<size_t>(channels), quant.scales[0]);
  return quant.scales;
}

ir::Value* lower_bias(Context& context, const ir::Node& op, size_t index, float input_scale,
                      const std::vector<float>& weight_scales, bool per_channel, double factor) {
  const ir::Value* bias = op.input(index);
  if (bias == nullptr) return nullptr;
  const int64_t channels = static_cast<int64_t>(weight_scales.size());
  if (bias->numel() != channels) {
    reject("bias '{}' of {} has shape {}, expected {} values (one per output channel)", bias->name,
           op.describe(), ir::shape_string(bias->shape), channels);
  }
  ir::QuantParams quant;
  for (float weight_scale : weight_scales) quant.scales.push_back(input_scale * weight_scale);
  quant.zero_points.assign(quant.scales.size(), 0);
  quant.axis = 0;
  if (!per_channel) quant = {{quant.scales[0]}, {0}, -1};

  // Real bias value of channel c, or the stored integer when it is already at the right scale.
  std::vector<int32_t> values(static_cast<size_t>(channels));
  auto store = [&](int64_t c, double real) {
    const double scaled = std::nearbyint(real / quant.scales[per_channel ? c : 0]);
    constexpr double kMin = std::numeric_limits<int32_t>::min();
    constexpr double kMax = std::numeric_limits<int32_t>::max();
    values[c] = static_cast<int32_t>(std::clamp(scaled, kMin, kMax));
  };
  if (context.is_quantized_constant(op, index)) {
    const QuantizedConstant constant = context.quantized_constant(op, index);
    if (constant.data->dtype() != ir::DType::kInt32 && constant.data->dtype() != ir::DType::kInt8) {
      reject("bias '{}' of {} is {}, expected i32", bias->name, op.describe(),
             ir::dtype_name(constant.data->dtype()));
    }
    for (int64_t c = 0; c < channels; ++c) {
      const size_t q = constant.quant.per_channel() ? static_cast<size_t>(c) : 0;
      const float scale = constant.quant.scales[q];
      const int64_t zero_point = constant.quant.zero_points[q];
      const int64_t stored = constant.data->as_int(c);
      if (zero_point == 0 && factor == 1.0 &&
          same_scale(scale, quant.scales[per_channel ? c : 0])) {
        values[c] = static_cast<int32_t>(stored);
      } else {
        store(c, factor * scale * static_cast<double>(stored - zero_point));
      }
    }
  } else if (bias->is_constant() && bias->dtype == ir::DType::kFloat32) {
    for (int64_t c = 0; c < channels; ++c) store(c, factor * bias->constant->as_double(c));
  } else {
    reject("bias '{}' of {} is not a constant", bias->name, op.describe());
  }
  ir::Value* lowered = context.graph().add_constant(
      bias->name + "_i32", ir::Tensor::from<int32_t>({channels}, std::span<const int32_t>(values)));
  lowered->quant = quant;
  return lowered;
}

void set_activation(ir::Attributes& attrs, const OutputMatch& match) {
  attrs.set("activation_min", match.activation_min);
  attrs.set("activation_max", match.activation_max);
}

void finish(Context& context, ir::Node& op, const OutputMatch& match, Lowered result) {
  context.consumed().insert(&op);
  if (match.activation != nullptr) context.consumed().insert(match.activation);
  context.consumed().insert(match.quantize);
  context.define(match.quantize->output(0), result);
}

}  // namespace tinyexec::passes::lowering
