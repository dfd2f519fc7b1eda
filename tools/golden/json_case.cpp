// SPDX-License-Identifier: Apache-2.0
#include "json_case.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace tinyexec::golden {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& reason) {
  throw std::runtime_error(reason);
}

// The device looks names up by '|'-separated aliases, so a name must be non-empty and '|'-free.
void check_name(const std::string& name, const char* what) {
  if (name.empty() || name.find('|') != std::string::npos) {
    fail(std::string(what) + " '" + name + "' is empty or contains '|'");
  }
}

const json& member(const json& object, const char* key, json::value_t type, const char* what) {
  auto it = object.find(key);
  if (it == object.end()) fail(std::string("missing \"") + key + "\"");
  if (it->type() != type && !(type == json::value_t::number_integer && it->is_number_integer())) {
    fail(std::string("\"") + key + "\" is not " + what);
  }
  return *it;
}

DType parse_dtype(const std::string& name, const std::string& tensor) {
  if (name == "int8") return DType::kInt8;
  if (name == "int16") return DType::kInt16;
  if (name == "int32") return DType::kInt32;
  if (name == "float32" || name == "float") return DType::kFloat32;
  fail("tensor '" + tensor + "': unknown dtype '" + name + "'");
}

// Depth-first, so nested arrays ([[...], [...]]) read as their flat row-major contents.
void flatten(const json& value, std::vector<const json*>& out) {
  if (value.is_array()) {
    for (const json& element : value) flatten(element, out);
  } else {
    out.push_back(&value);
  }
}

template <typename T>
void append(std::vector<uint8_t>& bytes, T value) {
  uint8_t raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));  // little endian host (checked by the device parser)
  bytes.insert(bytes.end(), raw, raw + sizeof(T));
}

HostTensor tensor_from_json(const std::string& name, const json& spec) {
  if (!spec.is_object()) fail("tensor '" + name + "' is not an object");
  HostTensor t;
  t.name = name;
  auto dtype = spec.find("dtype");
  if (dtype == spec.end() || !dtype->is_string()) fail("tensor '" + name + "' has no dtype");
  t.dtype = parse_dtype(dtype->get<std::string>(), name);
  auto data = spec.find("data");
  if (data == spec.end()) fail("tensor '" + name + "' has no data");
  std::vector<const json*> values;
  flatten(*data, values);
  if (values.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    fail("tensor '" + name + "' is too large");
  }
  t.count = static_cast<uint32_t>(values.size());
  int64_t lo = 0, hi = 0;
  switch (t.dtype) {
    case DType::kInt8: lo = INT8_MIN, hi = INT8_MAX; break;
    case DType::kInt16: lo = INT16_MIN, hi = INT16_MAX; break;
    case DType::kInt32: lo = INT32_MIN, hi = INT32_MAX; break;
    case DType::kFloat32: break;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    const json& v = *values[i];
    const std::string where = "tensor '" + name + "' element " + std::to_string(i);
    if (!v.is_number()) fail(where + " is not a number");
    if (t.dtype == DType::kFloat32) {
      append(t.bytes, static_cast<float>(v.get<double>()));
      continue;
    }
    int64_t x = 0;
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(hi)) fail(where + " is out of range");
      x = static_cast<int64_t>(u);
    } else if (v.is_number_integer()) {
      x = v.get<int64_t>();
    } else {
      const double d = v.get<double>();
      if (d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
        fail(where + " is not an integer in range");
      }
      x = static_cast<int64_t>(d);
    }
    if (x < lo || x > hi) fail(where + " is out of range");
    switch (t.dtype) {
      case DType::kInt8: append(t.bytes, static_cast<int8_t>(x)); break;
      case DType::kInt16: append(t.bytes, static_cast<int16_t>(x)); break;
      default: append(t.bytes, static_cast<int32_t>(x)); break;
    }
  }
  return t;
}

HostConfig config_from_json(const std::string& key, const json& v) {
  HostConfig entry;
  entry.key = key;
  if (v.is_boolean()) {
    entry.int_value = v.get<bool>() ? 1 : 0;
  } else if (v.is_number_unsigned() &&
             v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    entry.is_string = true;
    entry.string_value = v.dump();
  } else if (v.is_number_integer()) {
    entry.int_value = v.get<int64_t>();
  } else if (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()) &&
             std::fabs(v.get<double>()) < 9.0e15) {  // exactly representable integers only
    entry.int_value = static_cast<int64_t>(v.get<double>());
  } else if (v.is_string()) {
    entry.is_string = true;
    entry.string_value = v.get<std::string>();
  } else if (v.is_array() && !v.empty() &&
             std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_number_integer(); })) {
    entry.is_string = true;
    for (const json& e : v) {
      if (!entry.string_value.empty()) entry.string_value += ",";
      entry.string_value += e.dump();
    }
  } else {
    entry.is_string = true;
    entry.string_value = v.dump();
  }
  return entry;
}

}  // namespace

HostCase case_from_json(const json& j) {
  if (!j.is_object()) fail("top level is not an object");
  HostCase c;
  c.family = member(j, "kernel", json::value_t::string, "a string").get<std::string>();
  c.name = member(j, "case", json::value_t::string, "a string").get<std::string>();
  if (c.family.empty() || c.name.empty()) fail("empty \"kernel\" or \"case\"");
  for (const auto& [key, value] : member(j, "config", json::value_t::object, "an object").items()) {
    if (value.is_null()) continue;  // a null value says as much as an absent key
    check_name(key, "config key");
    c.config.push_back(config_from_json(key, value));
  }
  for (const auto& [name, spec] :
       member(j, "tensors", json::value_t::object, "an object").items()) {
    check_name(name, "tensor name");
    c.tensors.push_back(tensor_from_json(name, spec));
  }
  return c;
}

HostCase load_json_case(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open the file");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    fail(std::string("bad JSON: ") + e.what());
  }
  return case_from_json(j);
}

}  // namespace tinyexec::golden
