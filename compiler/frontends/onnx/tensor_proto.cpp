// SPDX-License-Identifier: Apache-2.0
#include "frontends/onnx/tensor_proto.h"

#include <onnx/onnx_pb.h>

#include <bit>
#include <cstring>

namespace tinyexec::frontends {

// raw_data is little-endian by the ONNX spec; the host compiler only runs on little-endian
// machines, so the bytes are copied as they are.
static_assert(std::endian::native == std::endian::little,
              "the ONNX importer assumes little-endian");

using onnx::TensorProto;

std::optional<ir::DType> dtype_from_onnx(int32_t elem_type) {
  switch (elem_type) {
    case TensorProto::FLOAT: return ir::DType::kFloat32;
    case TensorProto::INT8: return ir::DType::kInt8;
    case TensorProto::UINT8: return ir::DType::kUInt8;
    case TensorProto::INT16: return ir::DType::kInt16;
    case TensorProto::INT32: return ir::DType::kInt32;
    case TensorProto::INT64: return ir::DType::kInt64;
    case TensorProto::BOOL: return ir::DType::kBool;
    default: return std::nullopt;
  }
}

std::string onnx_type_name(int32_t elem_type) {
  if (TensorProto::DataType_IsValid(elem_type)) {
    return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(elem_type));
  }
  return fmt::format("type {}", elem_type);
}

std::string_view supported_onnx_types() {
  return "FLOAT, INT8, UINT8, INT16, INT32, INT64, BOOL";
}

ir::DType require_dtype(int32_t elem_type, std::string_view what) {
  const std::optional<ir::DType> dtype = dtype_from_onnx(elem_type);
  if (!dtype) {
    fail("{}: element type {} is not supported (supported: {})", what, onnx_type_name(elem_type),
         supported_onnx_types());
  }
  return *dtype;
}

namespace {

// Copies `count` values of a repeated proto field into the tensor, converting each to T.
template <typename T, typename Field>
void copy_field(const Field& field, ir::Tensor& tensor) {
  auto out = tensor.data<T>();
  for (size_t i = 0; i < out.size(); ++i) {
    if constexpr (std::is_same_v<T, bool>) {
      out[i] = field.Get(static_cast<int>(i)) != 0;
    } else {
      out[i] = static_cast<T>(field.Get(static_cast<int>(i)));
    }
  }
}

}  // namespace

ir::Tensor tensor_from_onnx(const TensorProto& proto, std::string_view what) {
  const std::string label =
      what.empty() ? fmt::format("tensor '{}'", proto.name()) : std::string(what);
  if (proto.data_location() == TensorProto::EXTERNAL || proto.external_data_size() > 0) {
    fail(
        "{}: external data is not supported: re-save the model with all tensors inside "
        "(onnx.save(model, path, save_as_external_data=False))",
        label);
  }
  if (proto.has_segment()) fail("{}: segmented tensors are not supported", label);
  const ir::DType dtype = require_dtype(proto.data_type(), label);
  ir::Shape shape;
  for (int64_t dim : proto.dims()) {
    if (dim < 0) fail("{}: negative dimension {}", label, dim);
    shape.push_back(dim);
  }
  // The data is checked against the dims before anything is allocated: a corrupt file must
  // give an error, not an attempt to allocate what its dims claim.
  ir::check_tensor_size(dtype, shape, label);
  const auto count = static_cast<size_t>(ir::shape_numel(shape));

  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    const size_t size = ir::dtype_size(dtype);
    if (raw.size() % size != 0 || raw.size() / size != count) {
      fail("{}: raw_data has {} bytes, shape {} of {} needs {} elements of {} bytes", label,
           raw.size(), ir::shape_string(shape), onnx_type_name(proto.data_type()), count, size);
    }
    ir::Tensor tensor(dtype, shape);
    if (count != 0) std::memcpy(tensor.mutable_bytes().data(), raw.data(), raw.size());
    if (dtype == ir::DType::kBool) {
      for (uint8_t& byte : tensor.mutable_bytes()) byte = byte != 0 ? 1 : 0;
    }
    return tensor;
  }

  // The typed fields: FLOAT in float_data, INT64 in int64_data, and every type of 32 bits or
  // less in int32_data.
  size_t given = 0;
  const char* field = "";
  switch (dtype) {
    case ir::DType::kFloat32:
      given = proto.float_data_size();
      field = "float_data";
      break;
    case ir::DType::kInt64:
      given = proto.int64_data_size();
      field = "int64_data";
      break;
    default:
      given = proto.int32_data_size();
      field = "int32_data";
      break;
  }
  if (given != count) {
    fail("{}: {} has {} values, shape {} has {} elements", label, field, given,
         ir::shape_string(shape), count);
  }
  ir::Tensor tensor(dtype, shape);
  switch (dtype) {
    case ir::DType::kFloat32: copy_field<float>(proto.float_data(), tensor); break;
    case ir::DType::kInt64: copy_field<int64_t>(proto.int64_data(), tensor); break;
    case ir::DType::kInt8: copy_field<int8_t>(proto.int32_data(), tensor); break;
    case ir::DType::kUInt8: copy_field<uint8_t>(proto.int32_data(), tensor); break;
    case ir::DType::kInt16: copy_field<int16_t>(proto.int32_data(), tensor); break;
    case ir::DType::kInt32: copy_field<int32_t>(proto.int32_data(), tensor); break;
    case ir::DType::kBool: copy_field<bool>(proto.int32_data(), tensor); break;
  }
  return tensor;
}

}  // namespace tinyexec::frontends
