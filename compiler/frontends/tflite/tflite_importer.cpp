// SPDX-License-Identifier: Apache-2.0
// The TFLite importer: verifies the file, reads tensors (shapes, dtypes, constant buffers,
// quantization) and converts the operators in execution order (tflite_op_rules.cpp does one
// builtin operator at a time). Values are created as they are needed: constants when an
// operator reads them, activations when their producer is converted.
#include "frontends/tflite/tflite_importer.h"

#include <flatbuffers/flatbuffers.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

#include "frontends/tflite/tflite_model.h"
#include "ir/op_registry.h"
#include "support/error.h"

namespace tinyexec::frontends {
namespace tflite_import {

std::string builtin_name(int32_t code) {
  static const std::map<int32_t, std::string> kNames = {
      {kAdd, "ADD"},
      {kAveragePool2d, "AVERAGE_POOL_2D"},
      {kConcatenation, "CONCATENATION"},
      {kConv2d, "CONV_2D"},
      {kDepthwiseConv2d, "DEPTHWISE_CONV_2D"},
      {5, "DEPTH_TO_SPACE"},
      {kDequantize, "DEQUANTIZE"},
      {kFullyConnected, "FULLY_CONNECTED"},
      {kLogistic, "LOGISTIC"},
      {kMaxPool2d, "MAX_POOL_2D"},
      {kMul, "MUL"},
      {19, "RELU"},
      {21, "RELU6"},
      {kReshape, "RESHAPE"},
      {23, "RESIZE_BILINEAR"},
      {kSoftmax, "SOFTMAX"},
      {kTanh, "TANH"},
      {kCustom, "CUSTOM"},
      {kPad, "PAD"},
      {36, "GATHER"},
      {kTranspose, "TRANSPOSE"},
      {kMean, "MEAN"},
      {kSub, "SUB"},
      {42, "DIV"},
      {kSqueeze, "SQUEEZE"},
      {44, "UNIDIRECTIONAL_SEQUENCE_LSTM"},
      {45, "STRIDED_SLICE"},
      {49, "SPLIT"},
      {53, "CAST"},
      {54, "PRELU"},
      {55, "MAXIMUM"},
      {57, "MINIMUM"},
      {60, "PADV2"},
      {65, "SLICE"},
      {67, "TRANSPOSE_CONV"},
      {kExpandDims, "EXPAND_DIMS"},
      {83, "PACK"},
      {97, "RESIZE_NEAREST_NEIGHBOR"},
      {98, "LEAKY_RELU"},
      {kQuantize, "QUANTIZE"},
      {kHardSwish, "HARD_SWISH"},
      {126, "BATCH_MATMUL"},
      {150, "GELU"},
  };
  const auto it = kNames.find(code);
  return it != kNames.end() ? it->second : fmt::format("BUILTIN_{}", code);
}

namespace {

const char* tensor_type_name(fb::TensorType type) {
  const char* name = fb::EnumNameTensorType(type);
  return name != nullptr && *name != '\0' ? name : "UNKNOWN";
}

std::string tensor_name_or(const fb::Tensor& t) { return t.name() != nullptr ? t.name()->str() : ""; }

std::optional<ir::DType> dtype_of(fb::TensorType type) {
  switch (type) {
    case fb::TensorType::FLOAT32: return ir::DType::kFloat32;
    case fb::TensorType::INT8: return ir::DType::kInt8;
    case fb::TensorType::INT32: return ir::DType::kInt32;
    case fb::TensorType::INT64: return ir::DType::kInt64;
    default: return std::nullopt;
  }
}

}  // namespace

class Importer {
 public:
  Importer(std::span<const uint8_t> bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

  TfliteModel run();

  [[noreturn]] void fail_at(const std::string& reason) const { fail("{}: {}", what_, reason); }
  const std::string& what() const { return what_; }
  ir::Graph& graph() { return graph_; }
  const fb::SubGraph& subgraph() const { return *subgraph_; }

  const fb::Tensor& tensor(const OpContext& context, int32_t index) const;
  ir::Value* value(OpContext& context, int32_t index);
  ir::Shape shape_of(const fb::Tensor& tensor) const;
  // Per-tensor int8 quantization of an activation tensor; errors name `context`.
  ir::QuantParams activation_quant(const OpContext* context, const fb::Tensor& tensor,
                                   const std::string& role) const;
  // Quantization of a weight (per tensor or per channel).
  std::optional<ir::QuantParams> any_quant(const OpContext& context, const fb::Tensor& tensor) const;
  void set_produced(int32_t tensor_index, ir::Value* value) { values_[tensor_index] = value; }
  ir::Value* produced(int32_t tensor_index) const { return values_.at(tensor_index); }
  std::string tensor_name(int32_t index) const;

 private:
  void verify();
  void import_inputs();
  void import_outputs();

  std::span<const uint8_t> bytes_;
  std::string what_;
  const fb::Model* model_ = nullptr;
  const fb::SubGraph* subgraph_ = nullptr;
  ir::Graph graph_;
  std::vector<ir::Value*> values_;  // per tensor index, once defined
  std::vector<TfliteLayer> layers_;
};

// --- OpContext

OpContext::OpContext(Importer& importer, const fb::Operator& op, int32_t index, int32_t code)
    : importer_(importer), op_(op), index_(index), code_(code), type_(builtin_name(code)) {}

void OpContext::error(const std::string& reason) const {
  importer_.fail_at(fmt::format("operator {} ({}): {}", index_, type_, reason));
}

size_t OpContext::num_inputs() const { return op_.inputs() != nullptr ? op_.inputs()->size() : 0; }

bool OpContext::has_input(size_t i) const {
  return i < num_inputs() && op_.inputs()->Get(static_cast<uint32_t>(i)) >= 0;
}

void OpContext::expect_inputs(size_t min, size_t max) const {
  const size_t n = num_inputs();
  if (n < min || n > max) {
    error(min == max ? fmt::format("has {} inputs, expected {}", n, min)
                     : fmt::format("has {} inputs, expected {} to {}", n, min, max));
  }
  for (size_t i = 0; i < min; ++i) {
    if (!has_input(i)) error(fmt::format("input {} is missing (-1)", i));
  }
}

void OpContext::expect_outputs(size_t count) const {
  const size_t n = op_.outputs() != nullptr ? op_.outputs()->size() : 0;
  if (n != count) error(fmt::format("has {} outputs, expected {}", n, count));
  if (op_.outputs()->Get(0) < 0) error("output 0 is -1");
}

ir::Value* OpContext::input(size_t i) {
  if (!has_input(i)) error(fmt::format("input {} is missing", i));
  return importer_.value(*this, op_.inputs()->Get(static_cast<uint32_t>(i)));
}

ir::Value* OpContext::int8_input(size_t i) {
  ir::Value* v = input(i);
  if (v->dtype != ir::DType::kInt8) {
    error(fmt::format("input {} ('{}') is {}; this operator is supported for int8 only{}", i,
                      v->name, ir::dtype_name(v->dtype),
                      v->dtype == ir::DType::kFloat32
                          ? " (float models are not supported yet: quantize the model to int8)"
                          : ""));
  }
  if (!v->quant || v->quant->per_channel() || v->quant->scales.size() != 1) {
    error(fmt::format("input {} ('{}') needs per-tensor quantization", i, v->name));
  }
  return v;
}

const ir::Tensor& OpContext::constant_input(size_t i) {
  ir::Value* v = input(i);
  if (!v->is_constant()) error(fmt::format("input {} ('{}') must be a constant", i, v->name));
  return *v->constant;
}

namespace {
const fb::Tensor& output_tensor(Importer& importer, const OpContext& context) {
  return importer.tensor(context, context.op().outputs()->Get(0));
}
}  // namespace

ir::Shape OpContext::output_shape() const {
  ir::Shape shape = importer_.shape_of(output_tensor(importer_, *this));
  for (int64_t d : shape) {
    if (d < 1) error(fmt::format("output shape {} is dynamic or empty", ir::shape_string(shape)));
  }
  return shape;
}

fb::TensorType OpContext::output_type() const { return output_tensor(importer_, *this).type(); }

ir::QuantParams OpContext::output_quant() const {
  const fb::Tensor& t = output_tensor(importer_, *this);
  if (t.type() != fb::TensorType::INT8) {
    error(fmt::format("output is {}; this operator is supported with an int8 output only{}",
                      tensor_type_name(t.type()),
                      t.type() == fb::TensorType::FLOAT32
                          ? " (float models are not supported yet: quantize the model to int8)"
                          : ""));
  }
  return importer_.activation_quant(this, t, "output");
}

ir::OutputType OpContext::inferred_output(const ir::Node& node, const std::string& op) const {
  try {
    return ir::infer_node(node).at(0);
  } catch (const CompileError& e) {
    error(fmt::format("cannot be expressed as {}: {}", op, e.what()));
  }
}

ir::Value* OpContext::add_intermediate(const std::string& op, std::vector<ir::Value*> inputs,
                                       ir::Attributes attrs, ir::DType dtype, ir::Shape shape,
                                       std::optional<ir::QuantParams> quant) {
  const std::string name = fmt::format("op{}_{}_{}", index_, type_, ++intermediates_);
  ir::Value* out = importer_.graph().add_value(name + "_out", dtype, shape);
  out->quant = std::move(quant);
  ir::Node* node = importer_.graph().add_node(op, std::move(inputs), {out}, std::move(attrs), name);
  const ir::OutputType inferred = inferred_output(*node, op);
  if (inferred.dtype != dtype || inferred.shape != shape) {
    error(fmt::format("internal: {} gives {}{}, expected {}{}", op, ir::dtype_name(inferred.dtype),
                      ir::shape_string(inferred.shape), ir::dtype_name(dtype),
                      ir::shape_string(shape)));
  }
  return out;
}

void OpContext::add_output_node(const std::string& op, std::vector<ir::Value*> inputs,
                                ir::Attributes attrs) {
  const int32_t tensor_index = op_.outputs()->Get(0);
  const fb::Tensor& t = output_tensor(importer_, *this);
  const std::optional<ir::DType> dtype = dtype_of(t.type());
  if (!dtype) error(fmt::format("output type {} is not supported", tensor_type_name(t.type())));
  const ir::Shape shape = output_shape();
  ir::Value* out =
      importer_.graph().add_value(importer_.tensor_name(tensor_index), *dtype, shape);
  if (*dtype == ir::DType::kInt8) out->quant = output_quant();
  const std::string name = fmt::format("op{}_{}", index_, type_);
  ir::Node* node = importer_.graph().add_node(op, std::move(inputs), {out}, std::move(attrs), name);
  const ir::OutputType inferred = inferred_output(*node, op);
  if (inferred.dtype != *dtype || inferred.shape != shape) {
    error(fmt::format("the model's output tensor is {}{}, the operator computes {}{}",
                      ir::dtype_name(*dtype), ir::shape_string(shape),
                      ir::dtype_name(inferred.dtype), ir::shape_string(inferred.shape)));
  }
  importer_.set_produced(tensor_index, out);
}

ir::Value* OpContext::add_constant(const std::string& suffix, ir::Tensor tensor,
                                   std::optional<ir::QuantParams> quant) {
  ir::Value* v = importer_.graph().add_constant(fmt::format("op{}_{}", index_, suffix),
                                                std::move(tensor));
  v->quant = std::move(quant);
  return v;
}

// --- Importer

std::string Importer::tensor_name(int32_t index) const {
  const fb::Tensor* t = subgraph_->tensors()->Get(static_cast<uint32_t>(index));
  if (t->name() != nullptr && t->name()->size() > 0 && t->name()->size() < 200) {
    return t->name()->str();
  }
  return fmt::format("tensor{}", index);
}

const fb::Tensor& Importer::tensor(const OpContext& context, int32_t index) const {
  const auto* tensors = subgraph_->tensors();
  if (index < 0 || tensors == nullptr || static_cast<uint32_t>(index) >= tensors->size()) {
    context.error(fmt::format("tensor index {} is out of range", index));
  }
  return *tensors->Get(static_cast<uint32_t>(index));
}

ir::Shape Importer::shape_of(const fb::Tensor& tensor) const {
  ir::Shape shape;
  if (tensor.shape() != nullptr) {
    for (int32_t d : *tensor.shape()) shape.push_back(d);
  }
  return shape;
}

ir::QuantParams Importer::activation_quant(const OpContext* context, const fb::Tensor& tensor,
                                           const std::string& role) const {
  auto bad = [&](const std::string& reason) {
    const std::string message = fmt::format("{} tensor '{}' {}", role,
                                            tensor.name() != nullptr ? tensor.name()->str() : "",
                                            reason);
    if (context != nullptr) context->error(message);
    fail_at(message);
  };
  const fb::QuantizationParameters* q = tensor.quantization();
  if (q == nullptr || q->scale() == nullptr || q->scale()->size() == 0) {
    bad("has no quantization parameters (int8 tensors need a scale and zero point)");
  }
  if (q->scale()->size() != 1) bad("must be quantized per tensor");
  const float scale = q->scale()->Get(0);
  if (!std::isfinite(scale) || !(scale > 0.0f)) bad(fmt::format("has scale {}", scale));
  int64_t zero_point = 0;
  if (q->zero_point() != nullptr && q->zero_point()->size() > 0) {
    zero_point = q->zero_point()->Get(0);
  }
  if (zero_point < -128 || zero_point > 127) bad(fmt::format("has zero point {}", zero_point));
  ir::QuantParams quant;
  quant.scales = {scale};
  quant.zero_points = {static_cast<int32_t>(zero_point)};
  return quant;
}

std::optional<ir::QuantParams> Importer::any_quant(const OpContext& context,
                                                   const fb::Tensor& tensor) const {
  const fb::QuantizationParameters* q = tensor.quantization();
  if (q == nullptr || q->scale() == nullptr || q->scale()->size() == 0) return std::nullopt;
  if (q->details_type() != fb::QuantizationDetails::NONE) {
    context.error("a tensor uses custom quantization details (not supported)");
  }
  const ir::Shape shape = shape_of(tensor);
  ir::QuantParams quant;
  const size_t count = q->scale()->size();
  for (uint32_t i = 0; i < count; ++i) {
    const float scale = q->scale()->Get(i);
    if (!std::isfinite(scale) || !(scale > 0.0f)) {
      context.error(fmt::format("tensor '{}' has scale {}", tensor_name_or(tensor), scale));
    }
    quant.scales.push_back(scale);
    int64_t zp = 0;
    if (q->zero_point() != nullptr && q->zero_point()->size() > 0) {
      if (q->zero_point()->size() != count) {
        context.error(fmt::format("tensor '{}' has {} scales and {} zero points",
                                  tensor_name_or(tensor), count, q->zero_point()->size()));
      }
      zp = q->zero_point()->Get(i);
    }
    if (zp < -128 || zp > 127) {
      context.error(fmt::format("tensor '{}' has zero point {}", tensor_name_or(tensor), zp));
    }
    quant.zero_points.push_back(static_cast<int32_t>(zp));
  }
  if (count > 1) {
    const int32_t axis = q->quantized_dimension();
    if (axis < 0 || static_cast<size_t>(axis) >= shape.size() ||
        shape[static_cast<size_t>(axis)] != static_cast<int64_t>(count)) {
      context.error(fmt::format("tensor '{}' {} has {} scales along dimension {}",
                                tensor_name_or(tensor), ir::shape_string(shape), count, axis));
    }
    quant.axis = axis;
  }
  return quant;
}

ir::Value* Importer::value(OpContext& context, int32_t index) {
  const fb::Tensor& t = tensor(context, index);
  if (values_[static_cast<size_t>(index)] != nullptr) return values_[static_cast<size_t>(index)];
  // Not produced yet: a constant (a buffer with data), or a tensor nothing computes.
  const uint32_t buffer_index = t.buffer();
  const auto* buffers = model_->buffers();
  const fb::Buffer* buffer = nullptr;
  if (buffer_index > 0 && buffers != nullptr && buffer_index < buffers->size()) {
    buffer = buffers->Get(buffer_index);
  } else if (buffer_index > 0) {
    context.error(fmt::format("tensor {} refers to buffer {}, which does not exist", index,
                              buffer_index));
  }
  if (buffer != nullptr && buffer->offset() > 1) {
    context.error(fmt::format("tensor {} keeps its data outside the FlatBuffer (a model over 2 "
                              "GiB); not supported",
                              index));
  }
  if (buffer == nullptr || buffer->data() == nullptr || buffer->data()->size() == 0) {
    context.error(fmt::format("input tensor {} ('{}') is neither a graph input, a constant nor "
                              "the output of an earlier operator",
                              index, tensor_name(index)));
  }
  if (t.sparsity() != nullptr) context.error(fmt::format("tensor {} is sparse (not supported)", index));
  const std::optional<ir::DType> dtype = dtype_of(t.type());
  if (!dtype) {
    context.error(fmt::format("constant tensor {} has type {} (supported: INT8, INT32, INT64, "
                              "FLOAT32)",
                              index, tensor_type_name(t.type())));
  }
  const ir::Shape shape = shape_of(t);
  for (int64_t d : shape) {
    if (d < 0) context.error(fmt::format("tensor {} has a dynamic shape", index));
  }
  ir::check_tensor_size(*dtype, shape, fmt::format("constant tensor {}", index));
  ir::Tensor data(*dtype, shape);
  if (data.bytes().size() != buffer->data()->size()) {
    context.error(fmt::format("constant tensor {} {} needs {} bytes, its buffer has {}", index,
                              ir::shape_string(shape), data.bytes().size(), buffer->data()->size()));
  }
  std::memcpy(data.mutable_bytes().data(), buffer->data()->data(), data.bytes().size());
  ir::Value* v = graph_.add_constant(tensor_name(index), std::move(data));
  if (*dtype == ir::DType::kInt8) v->quant = any_quant(context, t);
  values_[static_cast<size_t>(index)] = v;
  return v;
}

void Importer::verify() {
  if (bytes_.size() < 8) fail_at("not a TFLite model (too small)");
  if (bytes_.size() >= (size_t{1} << 31)) fail_at("larger than 2 GiB (not supported)");
  flatbuffers::Verifier verifier(bytes_.data(), bytes_.size());
  const bool has_identifier = fb::ModelBufferHasIdentifier(bytes_.data());
  const bool ok = has_identifier ? fb::VerifyModelBuffer(verifier)
                                 : verifier.VerifyBuffer<fb::Model>(nullptr);
  if (!ok) fail_at("not a valid TFLite model (the FlatBuffers verifier rejects it)");
  model_ = fb::GetModel(bytes_.data());
  if (model_->version() != 3) {
    fail_at(fmt::format("TFLite schema version {} is not supported (expected 3)", model_->version()));
  }
  if (model_->subgraphs() == nullptr || model_->subgraphs()->size() == 0) {
    fail_at("the model has no subgraph");
  }
  if (model_->subgraphs()->size() > 1) {
    fail_at(fmt::format("the model has {} subgraphs; only single-subgraph models (no control "
                        "flow) are supported",
                        model_->subgraphs()->size()));
  }
  subgraph_ = model_->subgraphs()->Get(0);
  if (subgraph_->tensors() == nullptr) fail_at("the subgraph has no tensors");
  values_.assign(subgraph_->tensors()->size(), nullptr);
}

void Importer::import_inputs() {
  if (subgraph_->inputs() == nullptr || subgraph_->inputs()->size() == 0) {
    fail_at("the model has no inputs");
  }
  for (int32_t index : *subgraph_->inputs()) {
    if (index < 0 || static_cast<size_t>(index) >= values_.size()) {
      fail_at(fmt::format("graph input tensor index {} is out of range", index));
    }
    const fb::Tensor& t = *subgraph_->tensors()->Get(static_cast<uint32_t>(index));
    const ir::Shape shape = shape_of(t);
    for (int64_t d : shape) {
      if (d < 1) fail_at(fmt::format("graph input {} has a dynamic or empty shape", index));
    }
    ir::check_tensor_size(ir::DType::kInt8, shape, "graph input");
    ir::Value* v = nullptr;
    if (t.type() == fb::TensorType::INT8) {
      v = graph_.add_value(tensor_name(index), ir::DType::kInt8, shape);
      v->quant = activation_quant(nullptr, t, "graph input");
    } else if (t.type() == fb::TensorType::FLOAT32) {
      v = graph_.add_value(tensor_name(index), ir::DType::kFloat32, shape);
    } else {
      fail_at(fmt::format("graph input '{}' is {} (supported: INT8, or FLOAT32 into QUANTIZE)",
                          tensor_name(index), tensor_type_name(t.type())));
    }
    values_[static_cast<size_t>(index)] = v;
    graph_.inputs().push_back(v);
  }
}

void Importer::import_outputs() {
  if (subgraph_->outputs() == nullptr || subgraph_->outputs()->size() == 0) {
    fail_at("the model has no outputs");
  }
  for (int32_t index : *subgraph_->outputs()) {
    if (index < 0 || static_cast<size_t>(index) >= values_.size() ||
        values_[static_cast<size_t>(index)] == nullptr ||
        values_[static_cast<size_t>(index)]->producer == nullptr) {
      fail_at(fmt::format("graph output tensor {} is not computed by any operator", index));
    }
    graph_.outputs().push_back(values_[static_cast<size_t>(index)]);
  }
}

TfliteModel Importer::run() {
  verify();
  import_inputs();
  const auto* codes = model_->operator_codes();
  if (subgraph_->operators() == nullptr || subgraph_->operators()->size() == 0) {
    fail_at("the model has no operators");
  }
  const auto& operators = *subgraph_->operators();
  for (uint32_t i = 0; i < operators.size(); ++i) {
    const fb::Operator& op = *operators.Get(i);
    const int32_t index = static_cast<int32_t>(i);
    if (codes == nullptr || op.opcode_index() >= codes->size()) {
      fail_at(fmt::format("operator {}: opcode index {} is out of range", index, op.opcode_index()));
    }
    const fb::OperatorCode& code = *codes->Get(op.opcode_index());
    // TFLite's GetBuiltinCode: the larger of the deprecated byte and the int32 field.
    const int32_t builtin =
        std::max<int32_t>(code.builtin_code(), static_cast<int32_t>(code.deprecated_builtin_code()));
    OpContext context(*this, op, index, builtin);
    if (builtin == kCustom) {
      context.error(fmt::format("custom operator '{}' is not supported",
                                code.custom_code() != nullptr ? code.custom_code()->str() : ""));
    }
    if (!is_supported(builtin)) {
      context.error(fmt::format("operator type {} is not supported (supported: {})",
                                context.type(), fmt::join(supported_tflite_ops(), ", ")));
    }
    convert_operator(context);
    const ir::Value* out = values_[static_cast<size_t>(op.outputs()->Get(0))];
    layers_.push_back({index, context.type(), out->producer->name, out->numel()});
  }
  import_outputs();
  ir::infer_shapes(graph_);
  ir::verify(graph_);
  return {std::move(graph_), std::move(layers_)};
}

}  // namespace tflite_import

TfliteModel import_tflite_bytes(std::span<const uint8_t> bytes, const std::string& what) {
  return tflite_import::Importer(bytes, what).run();
}

TfliteModel import_tflite(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) fail("{}: cannot read the file", file.string());
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(stream),
                             std::istreambuf_iterator<char>()};
  return import_tflite_bytes(bytes, file.string());
}

std::vector<std::string> supported_tflite_ops() {
  using namespace tflite_import;
  std::vector<std::string> names;
  for (int32_t code = 0; code < 256; ++code) {
    if (is_supported(code)) names.push_back(builtin_name(code));
  }
  return names;
}

}  // namespace tinyexec::frontends
