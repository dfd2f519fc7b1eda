// SPDX-License-Identifier: Apache-2.0
// Runs a generic lambda with the C++ element type of a runtime DType, so that an op's
// reference loop is written once for every dtype it supports:
//
//   dispatch_dtype(tensor.dtype(), [&]<typename T>(std::type_identity<T>) { ... });
#pragma once

#include <type_traits>
#include <utility>

#include "ir/dtype.h"

namespace tinyexec::ops {

template <typename F>
decltype(auto) dispatch_dtype(ir::DType dtype, F&& function) {
  switch (dtype) {
    case ir::DType::kFloat32: return function(std::type_identity<float>{});
    case ir::DType::kInt8: return function(std::type_identity<int8_t>{});
    case ir::DType::kUInt8: return function(std::type_identity<uint8_t>{});
    case ir::DType::kInt16: return function(std::type_identity<int16_t>{});
    case ir::DType::kInt32: return function(std::type_identity<int32_t>{});
    case ir::DType::kInt64: return function(std::type_identity<int64_t>{});
    case ir::DType::kBool: return function(std::type_identity<bool>{});
  }
  // Unreachable for a valid DType; keeps every path returning.
  return function(std::type_identity<float>{});
}

}  // namespace tinyexec::ops
