// SPDX-License-Identifier: Apache-2.0
#include "program_reader/program_reader.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>

#include "ir/op_registry.h"
#include "support/error.h"
#include "tinyexec/program/program_generated.h"
#include "tinyexec/runtime/program.h"

namespace tinyexec::program_reader {
namespace {

namespace fb = ::tinyexec::program;

struct OpNames {
  const char* op;
  const char* kernel;
};

// The schema's parameter tables <-> the dialect's ops and their kernels (docs/dialect.md).
const std::map<std::string, OpNames>& op_names() {
  static const std::map<std::string, OpNames> names = {
      {"Conv2d", {"cortex_m.quantized_conv2d", "conv2d_s8"}},
      {"DepthwiseConv2d", {"cortex_m.quantized_depthwise_conv2d", "depthwise_conv2d_s8"}},
      {"TransposeConv2d", {"cortex_m.quantized_transpose_conv2d", "transpose_conv2d_s8"}},
      {"Linear", {"cortex_m.quantized_linear", "fully_connected_s8"}},
      {"BatchMatmul", {"cortex_m.quantized_batch_matmul", "batch_matmul_s8"}},
      {"Add", {"cortex_m.quantized_add", "add_s8"}},
      {"Mul", {"cortex_m.quantized_mul", "mul_s8"}},
      {"Maximum", {"cortex_m.maximum", "maximum_s8"}},
      {"Minimum", {"cortex_m.minimum", "minimum_s8"}},
      {"AvgPool2d", {"cortex_m.avg_pool2d", "avg_pool_s8"}},
      {"MaxPool2d", {"cortex_m.max_pool2d", "max_pool_s8"}},
      {"Softmax", {"cortex_m.softmax", "softmax_s8"}},
      {"Pad", {"cortex_m.pad", "pad_s8"}},
      {"Transpose", {"cortex_m.transpose", "transpose_s8"}},
      {"Concat", {"cortex_m.concat", "concat_s8"}},
      {"Reshape", {"cortex_m.reshape", ""}},
      {"Lut", {"cortex_m.lut", "lut_s8"}},
      {"Quantize", {"cortex_m.quantize", "quantize_f32_s8"}},
      {"Dequantize", {"cortex_m.dequantize", "dequantize_s8_f32"}},
  };
  return names;
}

// Why the runtime rejects a file, in words a user can act on.
const char* explain(runtime::Error error) {
  switch (error) {
    case runtime::Error::kMalformed:
      return "the FlatBuffers structure is damaged (truncated or corrupt file?)";
    case runtime::Error::kUnsupportedVersion:
      return "it was written for another program format version; recompile the model with this "
             "tinyexec";
    case runtime::Error::kBadTensor: return "a tensor's dtype, shape, size or placement is invalid";
    case runtime::Error::kBadOperator:
      return "an operator's operands or parameters do not fit its op";
    case runtime::Error::kOutOfBounds: return "a buffer lies outside the arena or the constants";
    case runtime::Error::kOverlap:
      return "an operator's buffers overlap where its kernel forbids it";
    case runtime::Error::kBadIndex: return "a graph input or output index is invalid";
    case runtime::Error::kMisaligned: return "a tensor is not aligned to its element size";
    default: return "the runtime rejected it";
  }
}

ir::DType dtype_of(fb::DType dtype) {
  switch (dtype) {
    case fb::DType::Int8: return ir::DType::kInt8;
    case fb::DType::Int32: return ir::DType::kInt32;
    default: return ir::DType::kFloat32;
  }
}

struct AlignedDelete {
  void operator()(uint8_t* bytes) const { ::operator delete[](bytes, std::align_val_t{16}); }
};

template <typename T>
std::vector<T> to_vector(const flatbuffers::Vector<T>* vector) {
  return vector == nullptr ? std::vector<T>{} : std::vector<T>(vector->begin(), vector->end());
}

}  // namespace

std::string TensorInfo::type_string() const {
  return fmt::format("{}{}", ir::dtype_name(dtype), ir::shape_string(shape));
}

ProgramInfo parse_program(std::span<const uint8_t> bytes, std::string_view name) {
  if (bytes.empty()) fail("{}: the file is empty", name);
  if (bytes.size() < 8 || !fb::ProgramBufferHasIdentifier(bytes.data())) {
    fail(
        "{}: not a tinyexec program (no 'TEP1' identifier); programs come from `tinyexec "
        "compile`",
        name);
  }
  // The runtime reads programs in place from 16-byte aligned memory.
  const size_t aligned_size = (bytes.size() + 15) / 16 * 16;
  std::unique_ptr<uint8_t[], AlignedDelete> copy(new (std::align_val_t{16}) uint8_t[aligned_size]);
  std::copy(bytes.begin(), bytes.end(), copy.get());
  runtime::Program program;
  if (const runtime::Error error = program.load(copy.get(), bytes.size());
      error != runtime::Error::kOk) {
    std::string where;
    if (program.failed_operator() >= 0)
      where += fmt::format(", operator {}", program.failed_operator());
    if (program.failed_tensor() >= 0) where += fmt::format(", tensor {}", program.failed_tensor());
    fail("{}: the runtime rejects the program: {} ({}{})", name, runtime::error_name(error),
         explain(error), where);
  }
  const fb::Program& root = program.flatbuffer();

  ProgramInfo info;
  info.path = std::string(name);
  info.version = root.version();
  info.producer = root.producer() != nullptr ? root.producer()->str() : "";
  info.file_bytes = static_cast<int64_t>(bytes.size());
  info.constant_bytes = root.constants() != nullptr ? root.constants()->size() : 0;
  info.arena_bytes = root.arena_bytes();
  info.inputs = to_vector(root.inputs());
  info.outputs = to_vector(root.outputs());
  for (const fb::Tensor* tensor : *root.tensors()) {
    TensorInfo t;
    t.name = tensor->name() != nullptr ? tensor->name()->str() : "";
    t.dtype = dtype_of(tensor->dtype());
    for (int32_t d : to_vector(tensor->shape())) t.shape.push_back(d);
    t.scale = tensor->scale();
    t.zero_point = tensor->zero_point();
    t.arena_offset = tensor->arena_offset();
    t.constant_offset = tensor->constant_offset();
    t.bytes = ir::shape_numel(t.shape) * static_cast<int64_t>(ir::dtype_size(t.dtype));
    info.tensors.push_back(std::move(t));
  }
  for (const fb::Operator* op : *root.operators()) {
    OperatorInfo o;
    o.kind = fb::EnumNameOpParams(op->params_type());
    const auto it = op_names().find(o.kind);
    if (it == op_names().end())
      fail("{}: operator kind '{}' is unknown to this tool", name, o.kind);
    o.op = it->second.op;
    o.kernel = it->second.kernel;
    o.name = op->name() != nullptr ? op->name()->str() : "";
    o.inputs = to_vector(op->inputs());
    o.outputs = to_vector(op->outputs());
    o.scratch_offset = op->scratch_offset();
    o.scratch_bytes = op->scratch_bytes();
    info.operators.push_back(std::move(o));
  }
  return info;
}

ProgramInfo read_program(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) fail("{}: cannot open the file", file.string());
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(stream),
                                   std::istreambuf_iterator<char>()};
  if (stream.bad()) fail("{}: cannot read the file", file.string());
  return parse_program(bytes, file.string());
}

std::vector<OperatorFigures> operator_figures(const ProgramInfo& program) {
  const size_t num_ops = program.operators.size();
  std::vector<OperatorFigures> figures(num_ops);

  // MACs through the op schemas' rules, which only read shapes: a skeleton graph with the
  // program's tensors as values (no data) and one node per operator.
  ir::Graph skeleton;
  std::vector<ir::Value*> values;
  for (size_t t = 0; t < program.tensors.size(); ++t) {
    const TensorInfo& tensor = program.tensors[t];
    values.push_back(skeleton.add_value(fmt::format("t{}", t), tensor.dtype, tensor.shape));
  }
  const auto value_of = [&](int32_t index) -> ir::Value* {
    return index >= 0 ? values.at(static_cast<size_t>(index)) : nullptr;
  };
  for (size_t i = 0; i < num_ops; ++i) {
    const OperatorInfo& op = program.operators[i];
    std::vector<ir::Value*> inputs, outputs;
    for (int32_t index : op.inputs) inputs.push_back(value_of(index));
    for (int32_t index : op.outputs) outputs.push_back(value_of(index));
    const ir::Node* node = skeleton.add_node(op.op, inputs, outputs, {}, fmt::format("op{}", i));
    const ir::OpSchema* schema = ir::OpRegistry::instance().find(op.op);
    if (schema != nullptr && schema->macs != nullptr) figures[i].macs = schema->macs(*node);
    std::vector<int32_t> seen;
    for (int32_t index : op.inputs) {
      if (index < 0 || !program.tensors[static_cast<size_t>(index)].is_constant()) continue;
      if (std::find(seen.begin(), seen.end(), index) != seen.end()) continue;
      seen.push_back(index);
      figures[i].weight_bytes += program.tensors[static_cast<size_t>(index)].bytes;
    }
  }

  // Lifetimes of the arena tensors: [first, last] operator index.
  const size_t num_tensors = program.tensors.size();
  std::vector<int64_t> first(num_tensors, -1), last(num_tensors, -1);
  const auto touch = [&](int32_t index, int64_t at) {
    if (index < 0 || program.tensors[static_cast<size_t>(index)].is_constant()) return;
    const size_t t = static_cast<size_t>(index);
    if (first[t] < 0 || at < first[t]) first[t] = at;
    last[t] = std::max(last[t], at);
  };
  for (int32_t index : program.inputs) touch(index, 0);
  for (size_t i = 0; i < num_ops; ++i) {
    for (int32_t index : program.operators[i].inputs) touch(index, static_cast<int64_t>(i));
    for (int32_t index : program.operators[i].outputs) touch(index, static_cast<int64_t>(i));
  }
  const int64_t end = num_ops == 0 ? 0 : static_cast<int64_t>(num_ops) - 1;
  for (int32_t index : program.outputs) touch(index, end);

  for (size_t i = 0; i < num_ops; ++i) {
    // The union of the byte ranges in use at operator i.
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (size_t t = 0; t < num_tensors; ++t) {
      const int64_t at = static_cast<int64_t>(i);
      if (first[t] >= 0 && first[t] <= at && at <= last[t]) {
        const int64_t offset = program.tensors[t].arena_offset;
        ranges.emplace_back(offset, offset + program.tensors[t].bytes);
      }
    }
    const OperatorInfo& op = program.operators[i];
    if (op.scratch_offset >= 0 && op.scratch_bytes > 0) {
      ranges.emplace_back(op.scratch_offset, op.scratch_offset + op.scratch_bytes);
    }
    std::sort(ranges.begin(), ranges.end());
    int64_t covered = 0, reach = 0;
    for (const auto& [begin, finish] : ranges) {
      const int64_t from = std::max(begin, reach);
      if (finish > from) covered += finish - from;
      reach = std::max(reach, finish);
    }
    figures[i].live_bytes = covered;
  }
  return figures;
}

}  // namespace tinyexec::program_reader
