// SPDX-License-Identifier: Apache-2.0
#include "transpose_supplement.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "int_list.h"

namespace tinyexec::golden {
namespace {

// The same key aliases the device runner reads (tests/golden/families/transpose_s8.cpp).
const char* const kInDimKeys[] = {"in_dim", "input_dims"};
const char* const kPermKeys[] = {"perm", "permutation"};

template <size_t N>
HostConfig* find_any(HostCase& c, const char* const (&keys)[N]) {
  for (const char* key : keys) {
    if (HostConfig* entry = c.find_config(key)) return entry;
  }
  return nullptr;
}

bool usable_list(const HostConfig* entry) {
  if (entry == nullptr) return false;
  if (!entry->is_string) return true;  // a single integer is a one-element list
  int32_t values[8];
  int count = 0;
  return parse_int_list(entry->string_value.c_str(), values, 8, &count);
}

std::string join(const std::vector<int64_t>& values) {
  std::string text;
  for (int64_t v : values) text += (text.empty() ? "" : ",") + std::to_string(v);
  return text;
}

}  // namespace

TransposeSupplement TransposeSupplement::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open the transpose supplement " + path);
  TransposeSupplement table;
  table.path_ = path;
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    for (const auto& [name, entry] : j.at("cases").items()) {
      Entry e{entry.at("in_dim").get<std::vector<int64_t>>(),
              entry.at("perm").get<std::vector<int64_t>>()};
      if (e.in_dim.empty() || e.in_dim.size() != e.perm.size()) {
        throw std::runtime_error("case " + name + ": in_dim and perm differ in length");
      }
      table.cases_[name] = std::move(e);
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("malformed transpose supplement " + path + ": " + e.what());
  }
  return table;
}

std::string TransposeSupplement::apply(HostCase& c) const {
  if (c.family != "transpose_s8") return {};
  if (usable_list(find_any(c, kInDimKeys)) && usable_list(find_any(c, kPermKeys))) return {};
  auto it = cases_.find(c.name);
  if (it == cases_.end()) return {};
  const Entry& e = it->second;

  int64_t elements = 1;
  for (int64_t d : e.in_dim) elements *= d;
  int64_t case_elements = -1;
  for (const HostTensor& t : c.tensors) {
    if (t.name == "input_tensor" || t.name == "input") case_elements = t.count;
  }
  if (case_elements < 0) {
    if (const HostConfig* size = c.find_config("size"); size != nullptr && !size->is_string) {
      case_elements = size->int_value;
    }
  }
  if (elements != case_elements) {
    return "transpose supplement entry for " + c.name + " gives " + std::to_string(elements) +
           " elements, the case has " + std::to_string(case_elements) + "; not applied";
  }
  c.set_string("in_dim", join(e.in_dim));
  c.set_string("perm", join(e.perm));
  // perm_size, if present, must agree with the supplied perm; the runner checks it.
  c.set_string("dims_source", path_.substr(path_.find_last_of('/') + 1));
  return {};
}

}  // namespace tinyexec::golden
