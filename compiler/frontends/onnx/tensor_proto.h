// SPDX-License-Identifier: Apache-2.0
// ONNX TensorProto <-> IR tensors and ONNX element types <-> IR dtypes. Used for initializers,
// Constant nodes and TENSOR attributes at import, and by the ONNX node-test driver for the
// tests' input_*.pb / output_*.pb files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ir/tensor.h"

namespace onnx {
class TensorProto;
}  // namespace onnx

namespace tinyexec::frontends {

// The IR dtype of an ONNX element type (TensorProto::DataType), if the IR has it.
std::optional<ir::DType> dtype_from_onnx(int32_t elem_type);
// The same, throwing "<what>: element type DOUBLE is not supported (supported: ...)".
ir::DType require_dtype(int32_t elem_type, std::string_view what);
// "FLOAT", "DOUBLE", ... ("type 42" for an unknown number).
std::string onnx_type_name(int32_t elem_type);
// The list in error messages: "FLOAT, INT8, UINT8, INT16, INT32, INT64, BOOL".
std::string_view supported_onnx_types();

// Converts a TensorProto (raw_data or the typed fields float_data/int32_data/int64_data) to an
// IR tensor. `what` names it in errors ("initializer 'conv1.weight'"); by default the proto's
// name. External data, unsupported element types and a value count that does not match the
// dims are errors.
ir::Tensor tensor_from_onnx(const onnx::TensorProto& proto, std::string_view what = {});

}  // namespace tinyexec::frontends
