// SPDX-License-Identifier: Apache-2.0
#include "golden_case.h"

#include <cstring>

namespace tinyexec::golden {
namespace {

// Calls visit(alias, length) for each '|'-separated alias, in order, until it returns true.
template <typename Visit>
bool for_each_alias(const char* names, Visit visit) {
  const char* begin = names;
  while (true) {
    const char* end = begin;
    while (*end != '\0' && *end != '|') ++end;
    if (end != begin && visit(begin, static_cast<size_t>(end - begin))) return true;
    if (*end == '\0') return false;
    begin = end + 1;
  }
}

bool equals(const char* alias, size_t length, const char* name) {
  return std::strncmp(alias, name, length) == 0 && name[length] == '\0';
}

// A key or tensor name must be non-empty and free of '|', or alias lookups could not find it.
bool valid_name(const char* name) {
  return name != nullptr && name[0] != '\0' && std::strchr(name, '|') == nullptr;
}

}  // namespace

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kInt8: return 1;
    case DType::kInt16: return 2;
    case DType::kInt32: return 4;
    case DType::kFloat32: return 4;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kInt8: return "int8";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kFloat32: return "float32";
  }
  return "unknown";
}

bool alias_matches(const char* names, const char* name) {
  return for_each_alias(
      names, [name](const char* alias, size_t length) { return equals(alias, length, name); });
}

bool GoldenCase::add_int(const char* key, int64_t value) {
  if (config_count_ == kMaxConfig || !valid_name(key) || find_config(key) != nullptr) return false;
  ConfigEntry& entry = config_[config_count_++];
  entry.key = key;
  entry.is_string = false;
  entry.int_value = value;
  entry.string_value = nullptr;
  return true;
}

bool GoldenCase::add_string(const char* key, const char* value) {
  if (config_count_ == kMaxConfig || !valid_name(key) || value == nullptr ||
      find_config(key) != nullptr) {
    return false;
  }
  ConfigEntry& entry = config_[config_count_++];
  entry.key = key;
  entry.is_string = true;
  entry.int_value = 0;
  entry.string_value = value;
  return true;
}

bool GoldenCase::add_tensor(const char* name, DType dtype, const void* data, int32_t count) {
  if (tensor_count_ == kMaxTensors || !valid_name(name) || count < 0 || dtype_size(dtype) == 0 ||
      (data == nullptr && count != 0) || tensor(name) != nullptr) {
    return false;
  }
  TensorView& view = tensors_[tensor_count_++];
  view.name = name;
  view.dtype = dtype;
  view.data = data;
  view.count = count;
  return true;
}

const ConfigEntry* GoldenCase::find_config(const char* keys) const {
  const ConfigEntry* found = nullptr;
  for_each_alias(keys, [this, &found](const char* alias, size_t length) {
    for (int i = 0; i < config_count_; ++i) {
      if (equals(alias, length, config_[i].key)) {
        found = &config_[i];
        return true;
      }
    }
    return false;
  });
  return found;
}

bool GoldenCase::int_config(const char* keys, int64_t* value, const char** matched) const {
  const ConfigEntry* entry = find_config(keys);
  if (entry == nullptr || entry->is_string) return false;
  *value = entry->int_value;
  if (matched != nullptr) *matched = entry->key;
  return true;
}

const char* GoldenCase::string_config(const char* keys) const {
  const ConfigEntry* entry = find_config(keys);
  return entry != nullptr && entry->is_string ? entry->string_value : nullptr;
}

const TensorView* GoldenCase::tensor(const char* names) const {
  const TensorView* found = nullptr;
  for_each_alias(names, [this, &found](const char* alias, size_t length) {
    for (int i = 0; i < tensor_count_; ++i) {
      if (equals(alias, length, tensors_[i].name)) {
        found = &tensors_[i];
        return true;
      }
    }
    return false;
  });
  return found;
}

}  // namespace tinyexec::golden
