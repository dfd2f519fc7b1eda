// SPDX-License-Identifier: Apache-2.0
// Typed node attributes. Getters name the missing or mistyped attribute in their error.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/tensor.h"

namespace tinyexec::ir {

using Attribute = std::variant<int64_t, float, std::string, std::vector<int64_t>,
                               std::vector<float>, std::vector<std::string>, Tensor>;

class Attributes {
 public:
  bool has(const std::string& name) const { return values_.contains(name); }
  void set(const std::string& name, Attribute value) { values_[name] = std::move(value); }
  void erase(const std::string& name) { values_.erase(name); }
  const std::map<std::string, Attribute>& all() const { return values_; }

  // Required getters throw when the attribute is missing or of another type.
  int64_t get_int(const std::string& name) const { return get<int64_t>(name, "an integer"); }
  float get_float(const std::string& name) const { return get<float>(name, "a float"); }
  const std::string& get_string(const std::string& name) const {
    return get<std::string>(name, "a string");
  }
  const std::vector<int64_t>& get_ints(const std::string& name) const {
    return get<std::vector<int64_t>>(name, "a list of integers");
  }
  const std::vector<float>& get_floats(const std::string& name) const {
    return get<std::vector<float>>(name, "a list of floats");
  }
  const Tensor& get_tensor(const std::string& name) const { return get<Tensor>(name, "a tensor"); }

  // Optional getters return the default when the attribute is absent.
  int64_t int_or(const std::string& name, int64_t fallback) const {
    return has(name) ? get_int(name) : fallback;
  }
  float float_or(const std::string& name, float fallback) const {
    return has(name) ? get_float(name) : fallback;
  }
  std::string string_or(const std::string& name, const std::string& fallback) const {
    return has(name) ? get_string(name) : fallback;
  }
  std::vector<int64_t> ints_or(const std::string& name, std::vector<int64_t> fallback) const {
    return has(name) ? get_ints(name) : fallback;
  }

  bool operator==(const Attributes& other) const = default;

 private:
  template <typename T>
  const T& get(const std::string& name, const char* kind) const {
    auto it = values_.find(name);
    if (it == values_.end()) fail("attribute '{}' is missing", name);
    const T* value = std::get_if<T>(&it->second);
    if (value == nullptr) fail("attribute '{}' is not {}", name, kind);
    return *value;
  }

  std::map<std::string, Attribute> values_;
};

std::string attribute_string(const Attribute& attribute);  // for dumps and errors

}  // namespace tinyexec::ir
