// SPDX-License-Identifier: Apache-2.0
#include "emit/program_emitter.h"

#include <flatbuffers/flatbuffers.h>

#include <cstring>
#include <fstream>
#include <map>

#include "ops/op_helpers.h"
#include "support/error.h"
#include "tinyexec/program/program_generated.h"
#include "tinyexec/runtime/program.h"

namespace tinyexec::emit {
namespace {

namespace fb = ::tinyexec::program;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;
using ops::node_error;

constexpr int64_t kConstantAlignment = 16;

fb::DType dtype_of(const ir::Value& value) {
  switch (value.dtype) {
    case ir::DType::kInt8: return fb::DType::Int8;
    case ir::DType::kInt32: return fb::DType::Int32;
    case ir::DType::kFloat32: return fb::DType::Float32;
    default:
      fail("value '{}' is {}; programs hold only i8, i32 and f32 tensors", value.name,
           ir::dtype_name(value.dtype));
  }
}

int32_t to_i32(const ir::Node& node, int64_t value, const char* what) {
  if (value < INT32_MIN || value > INT32_MAX) {
    node_error(node, "{} {} does not fit int32", what, value);
  }
  return static_cast<int32_t>(value);
}

// The attributes of one node as the schema's types.
class Attrs {
 public:
  explicit Attrs(const ir::Node& node) : node_(node) {}

  int32_t get(const std::string& name) const {
    if (!node_.attrs.has(name)) node_error(node_, "attribute '{}' is missing", name);
    return to_i32(node_, node_.attrs.get_int(name), name.c_str());
  }
  int32_t get_or(const std::string& name, int32_t fallback) const {
    return node_.attrs.has(name) ? get(name) : fallback;
  }
  std::vector<int32_t> ints(const std::string& name) const {
    if (!node_.attrs.has(name)) node_error(node_, "attribute '{}' is missing", name);
    return ints_or(name, {});
  }
  std::vector<int32_t> ints_or(const std::string& name, std::vector<int64_t> fallback) const {
    std::vector<int32_t> result;
    for (int64_t v : node_.attrs.ints_or(name, std::move(fallback))) {
      result.push_back(to_i32(node_, v, name.c_str()));
    }
    return result;
  }
  int32_t activation_min() const { return get_or("activation_min", -128); }
  int32_t activation_max() const { return get_or("activation_max", 127); }

 private:
  const ir::Node& node_;
};

// Builds the parameter table of one cortex_m node: returns the union type and offset.
std::pair<fb::OpParams, Offset<void>> build_params(FlatBufferBuilder& b, const ir::Node& node) {
  const Attrs a(node);
  const std::string& op = node.op;
  auto vec = [&](const std::vector<int32_t>& v) { return b.CreateVector(v); };
  if (op == "cortex_m.quantized_conv2d" || op == "cortex_m.quantized_depthwise_conv2d") {
    const auto strides = a.ints_or("strides", {1, 1});
    const auto pads = a.ints_or("pads", {0, 0, 0, 0});
    const auto dilations = a.ints_or("dilations", {1, 1});
    const auto multipliers = vec(a.ints("multipliers"));
    const auto shifts = vec(a.ints("shifts"));
    if (op == "cortex_m.quantized_conv2d") {
      return {fb::OpParams::Conv2d,
              fb::CreateConv2d(b, strides[0], strides[1], pads[0], pads[1], dilations[0],
                               dilations[1], a.activation_min(), a.activation_max(), multipliers,
                               shifts)
                  .Union()};
    }
    return {fb::OpParams::DepthwiseConv2d,
            fb::CreateDepthwiseConv2d(b, strides[0], strides[1], pads[0], pads[1], dilations[0],
                                      dilations[1], a.activation_min(), a.activation_max(),
                                      multipliers, shifts)
                .Union()};
  }
  if (op == "cortex_m.quantized_transpose_conv2d") {
    const auto strides = a.ints_or("strides", {1, 1});
    const auto pads = a.ints_or("pads", {0, 0});
    const auto multipliers = vec(a.ints("multipliers"));
    const auto shifts = vec(a.ints("shifts"));
    return {fb::OpParams::TransposeConv2d,
            fb::CreateTransposeConv2d(b, strides[0], strides[1], pads[0], pads[1],
                                      a.activation_min(), a.activation_max(), multipliers, shifts)
                .Union()};
  }
  if (op == "cortex_m.quantized_linear") {
    const auto multipliers = vec(a.ints("multipliers"));
    const auto shifts = vec(a.ints("shifts"));
    const auto sums = vec(a.ints("kernel_sums"));
    return {fb::OpParams::Linear, fb::CreateLinear(b, a.activation_min(), a.activation_max(),
                                                   multipliers, shifts, sums)
                                      .Union()};
  }
  if (op == "cortex_m.quantized_batch_matmul") {
    return {fb::OpParams::BatchMatmul,
            fb::CreateBatchMatmul(b, a.activation_min(), a.activation_max(), a.get("multiplier"),
                                  a.get("shift"))
                .Union()};
  }
  if (op == "cortex_m.quantized_add") {
    return {fb::OpParams::Add,
            fb::CreateAdd(b, a.activation_min(), a.activation_max(), a.get("left_shift"),
                          a.get("input1_multiplier"), a.get("input1_shift"),
                          a.get("input2_multiplier"), a.get("input2_shift"),
                          a.get("output_multiplier"), a.get("output_shift"))
                .Union()};
  }
  if (op == "cortex_m.quantized_mul") {
    return {fb::OpParams::Mul, fb::CreateMul(b, a.activation_min(), a.activation_max(),
                                             a.get("output_multiplier"), a.get("output_shift"))
                                   .Union()};
  }
  if (op == "cortex_m.maximum") return {fb::OpParams::Maximum, fb::CreateMaximum(b).Union()};
  if (op == "cortex_m.minimum") return {fb::OpParams::Minimum, fb::CreateMinimum(b).Union()};
  if (op == "cortex_m.avg_pool2d" || op == "cortex_m.max_pool2d") {
    const auto kernel = a.ints("kernel");
    const auto strides = a.ints_or("strides", {1, 1});
    const auto pads = a.ints_or("pads", {0, 0, 0, 0});
    if (op == "cortex_m.avg_pool2d") {
      return {fb::OpParams::AvgPool2d,
              fb::CreateAvgPool2d(b, kernel[0], kernel[1], strides[0], strides[1], pads[0],
                                  pads[1], a.activation_min(), a.activation_max())
                  .Union()};
    }
    return {fb::OpParams::MaxPool2d,
            fb::CreateMaxPool2d(b, kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1],
                                a.activation_min(), a.activation_max())
                .Union()};
  }
  if (op == "cortex_m.softmax") {
    return {fb::OpParams::Softmax,
            fb::CreateSoftmax(b, a.get("input_multiplier"), a.get("input_left_shift"),
                              a.get("diff_min"))
                .Union()};
  }
  if (op == "cortex_m.pad") {
    return {fb::OpParams::Pad, fb::CreatePad(b, vec(a.ints("pads"))).Union()};
  }
  if (op == "cortex_m.transpose") {
    return {fb::OpParams::Transpose, fb::CreateTranspose(b, vec(a.ints("perm"))).Union()};
  }
  if (op == "cortex_m.concat") {
    const int64_t rank = node.output(0)->rank();
    const int64_t axis = ops::normalize_axis(node, node.attrs.get_int("axis"), rank);
    return {fb::OpParams::Concat, fb::CreateConcat(b, static_cast<int32_t>(axis)).Union()};
  }
  if (op == "cortex_m.reshape") return {fb::OpParams::Reshape, fb::CreateReshape(b).Union()};
  if (op == "cortex_m.lut") {
    std::vector<int8_t> table;
    for (int32_t v : a.ints("table")) table.push_back(static_cast<int8_t>(v));
    if (table.size() != 256) node_error(node, "attribute 'table' has {} entries, not 256", table.size());
    return {fb::OpParams::Lut, fb::CreateLut(b, b.CreateVector(table)).Union()};
  }
  if (op == "cortex_m.quantize") return {fb::OpParams::Quantize, fb::CreateQuantize(b).Union()};
  if (op == "cortex_m.dequantize") {
    return {fb::OpParams::Dequantize, fb::CreateDequantize(b).Union()};
  }
  node_error(node, "{} has no program representation (only cortex_m ops do; see the lowering "
                   "report for why it was not lowered)",
             op);
}

// The constants blob: every constant at a 16-byte aligned offset.
class Constants {
 public:
  int64_t add(const ir::Tensor& tensor) {
    const int64_t offset = static_cast<int64_t>(bytes_.size());
    const auto raw = tensor.bytes();
    bytes_.insert(bytes_.end(), raw.begin(), raw.end());
    bytes_.resize((bytes_.size() + kConstantAlignment - 1) / kConstantAlignment *
                  kConstantAlignment);
    return offset;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace

Program emit_program(const ir::Graph& graph, const EmitOptions& options) {
  Program result;
  result.plan = planner::plan_memory(graph, options.planner);
  if (result.plan.alignment % kConstantAlignment != 0) {
    fail("the planner's alignment {} is not a multiple of the runtime's {}",
         result.plan.alignment, kConstantAlignment);
  }
  FlatBufferBuilder b(64 * 1024);

  // Tensors: every value an operator or the graph's interface uses, in first-use order.
  std::map<const ir::Value*, int32_t> index_of;
  std::vector<Offset<fb::Tensor>> tensors;
  Constants constants;
  auto tensor_index = [&](const ir::Value* value) -> int32_t {
    if (value == nullptr) return -1;
    if (auto it = index_of.find(value); it != index_of.end()) return it->second;
    if (value->rank() > 8) fail("value '{}' has rank {} (programs allow 8)", value->name, value->rank());
    std::vector<int32_t> shape;
    for (int64_t d : value->shape) {
      if (d < 1 || d > INT32_MAX) fail("value '{}' has dimension {}", value->name, d);
      shape.push_back(static_cast<int32_t>(d));
    }
    float scale = 0.0f;
    int32_t zero_point = 0;
    if (value->quant && !value->quant->scales.empty()) {
      if (!value->quant->per_channel()) scale = value->quant->scales[0];
      zero_point = value->quant->zero_points[0];
    }
    int32_t arena_offset = -1, constant_offset = -1;
    if (value->is_constant()) {
      if (value->constant->dtype() != value->dtype) {
        fail("constant '{}' holds {} data for a {} value", value->name,
             ir::dtype_name(value->constant->dtype()), ir::dtype_name(value->dtype));
      }
      constant_offset = static_cast<int32_t>(constants.add(*value->constant));
    } else {
      arena_offset = static_cast<int32_t>(result.plan.at(value).offset);
    }
    const auto name = options.names ? b.CreateString(value->name) : Offset<flatbuffers::String>();
    tensors.push_back(fb::CreateTensor(b, name, dtype_of(*value), b.CreateVector(shape), scale,
                                       zero_point, arena_offset, constant_offset));
    const int32_t index = static_cast<int32_t>(tensors.size() - 1);
    index_of.emplace(value, index);
    return index;
  };

  std::vector<Offset<fb::Operator>> operators;
  for (const ir::Node* node : graph.nodes()) {
    if (!node->op.starts_with("cortex_m.")) {
      node_error(*node, "is not a cortex_m op; only fully lowered graphs become programs (the "
                        "lowering report says why it stayed)");
    }
    std::vector<int32_t> inputs, outputs;
    for (const ir::Value* input : node->inputs) inputs.push_back(tensor_index(input));
    while (!inputs.empty() && inputs.back() == -1) inputs.pop_back();
    for (const ir::Value* output : node->outputs) outputs.push_back(tensor_index(output));
    const auto [type, params] = build_params(b, *node);
    int32_t scratch_offset = -1, scratch_bytes = 0;
    if (const planner::Allocation* scratch = result.plan.find_scratch(node)) {
      scratch_offset = static_cast<int32_t>(scratch->offset);
      scratch_bytes = static_cast<int32_t>(scratch->bytes);
    }
    const auto name = options.names ? b.CreateString(node->name) : Offset<flatbuffers::String>();
    operators.push_back(fb::CreateOperator(b, type, params, b.CreateVector(inputs),
                                           b.CreateVector(outputs), scratch_offset, scratch_bytes,
                                           name));
  }
  std::vector<int32_t> graph_inputs, graph_outputs;
  for (const ir::Value* value : graph.inputs()) graph_inputs.push_back(tensor_index(value));
  for (const ir::Value* value : graph.outputs()) graph_outputs.push_back(tensor_index(value));

  Offset<flatbuffers::Vector<uint8_t>> constants_vector;
  if (!constants.bytes().empty()) {
    b.ForceVectorAlignment(constants.bytes().size(), 1, kConstantAlignment);
    constants_vector = b.CreateVector(constants.bytes());
  }
  const auto root = fb::CreateProgram(
      b, runtime::kProgramVersion, b.CreateVector(tensors), b.CreateVector(operators),
      b.CreateVector(graph_inputs), b.CreateVector(graph_outputs),
      static_cast<uint32_t>(result.plan.arena_bytes), constants_vector,
      b.CreateString(fmt::format("tinyexec {}", TE_VERSION)));
  fb::FinishProgramBuffer(b, root);
  result.bytes.assign(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());

  result.stats.file_bytes = static_cast<int64_t>(result.bytes.size());
  result.stats.constant_bytes = static_cast<int64_t>(constants.bytes().size());
  result.stats.arena_bytes = result.plan.arena_bytes;
  result.stats.operators = static_cast<int32_t>(operators.size());
  result.stats.tensors = static_cast<int32_t>(tensors.size());
  return result;
}

void write_program(const Program& program, const std::string& path) {
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(program.bytes.data()),
             static_cast<std::streamsize>(program.bytes.size()));
  if (!file) fail("cannot write the program to '{}'", path);
}

}  // namespace tinyexec::emit
