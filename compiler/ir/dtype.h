// SPDX-License-Identifier: Apache-2.0
// Element types of IR values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tinyexec::ir {

enum class DType : uint8_t { kFloat32, kInt8, kUInt8, kInt16, kInt32, kInt64, kBool };

size_t dtype_size(DType dtype);
std::string_view dtype_name(DType dtype);  // "f32", "i8", "u8", "i16", "i32", "i64", "bool"
std::optional<DType> dtype_from_name(std::string_view name);

// The C++ type of each element type, for typed access to tensor data.
template <typename T>
constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::kFloat32; }
template <> constexpr DType dtype_of<int8_t>() { return DType::kInt8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::kUInt8; }
template <> constexpr DType dtype_of<int16_t>() { return DType::kInt16; }
template <> constexpr DType dtype_of<int32_t>() { return DType::kInt32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::kInt64; }
template <> constexpr DType dtype_of<bool>() { return DType::kBool; }

}  // namespace tinyexec::ir
