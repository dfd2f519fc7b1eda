// SPDX-License-Identifier: Apache-2.0
#include "ir/dtype.h"

#include <array>
#include <utility>

namespace tinyexec::ir {

namespace {
constexpr std::array<std::pair<DType, std::string_view>, 7> kNames = {{
    {DType::kFloat32, "f32"},
    {DType::kInt8, "i8"},
    {DType::kUInt8, "u8"},
    {DType::kInt16, "i16"},
    {DType::kInt32, "i32"},
    {DType::kInt64, "i64"},
    {DType::kBool, "bool"},
}};
}  // namespace

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return 4;
    case DType::kInt8: return 1;
    case DType::kUInt8: return 1;
    case DType::kInt16: return 2;
    case DType::kInt32: return 4;
    case DType::kInt64: return 8;
    case DType::kBool: return 1;
  }
  return 0;
}

std::string_view dtype_name(DType dtype) {
  for (const auto& [type, name] : kNames) {
    if (type == dtype) return name;
  }
  return "?";
}

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& [type, type_name] : kNames) {
    if (type_name == name) return type;
  }
  return std::nullopt;
}

}  // namespace tinyexec::ir
