// SPDX-License-Identifier: Apache-2.0
#include "host_case.h"

#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>

#include "packed_case.h"

namespace tinyexec::golden {
namespace {

void put_u32(std::vector<uint8_t>& out, size_t at, uint64_t value) {
  if (value > std::numeric_limits<uint32_t>::max()) {
    throw std::runtime_error("packed case exceeds 4 GiB");
  }
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

void put_i64(std::vector<uint8_t>& out, size_t at, int64_t value) {
  const auto bits = static_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) out[at + i] = static_cast<uint8_t>(bits >> (8 * i));
}

// Deduplicated NUL-terminated strings; a ref is the offset within the table.
class StringTable {
 public:
  uint32_t ref(const std::string& s) {
    if (s.find('\0') != std::string::npos) throw std::runtime_error("string with a NUL byte");
    auto [it, inserted] = refs_.try_emplace(s, static_cast<uint32_t>(bytes_.size()));
    if (inserted) {
      bytes_.insert(bytes_.end(), s.begin(), s.end());
      bytes_.push_back(0);
    }
    return it->second;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::map<std::string, uint32_t> refs_;
  std::vector<uint8_t> bytes_;
};

size_t align4(size_t n) {
  return (n + 3) & ~size_t{3};
}

}  // namespace

HostConfig* HostCase::find_config(const std::string& key) {
  for (HostConfig& entry : config) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

void HostCase::set_string(const std::string& key, const std::string& value) {
  HostConfig* entry = find_config(key);
  if (entry == nullptr) {
    config.emplace_back();
    config.back().key = key;
    entry = &config.back();
  }
  entry->is_string = true;
  entry->int_value = 0;
  entry->string_value = value;
}

std::vector<uint8_t> pack_case(const HostCase& c) {
  if (c.config.size() > static_cast<size_t>(GoldenCase::kMaxConfig)) {
    throw std::runtime_error("more than " + std::to_string(GoldenCase::kMaxConfig) +
                             " config keys");
  }
  if (c.tensors.size() > static_cast<size_t>(GoldenCase::kMaxTensors)) {
    throw std::runtime_error("more than " + std::to_string(GoldenCase::kMaxTensors) + " tensors");
  }
  StringTable strings;
  const uint32_t family = strings.ref(c.family);
  const uint32_t name = strings.ref(c.name);
  std::vector<uint32_t> keys, values, tensor_names;
  for (const HostConfig& entry : c.config) {
    keys.push_back(strings.ref(entry.key));
    values.push_back(entry.is_string ? strings.ref(entry.string_value) : 0);
  }
  for (const HostTensor& t : c.tensors) tensor_names.push_back(strings.ref(t.name));

  const size_t tensors_begin = kPackedHeaderSize + c.config.size() * kPackedEntrySize;
  const size_t strings_begin = tensors_begin + c.tensors.size() * kPackedEntrySize;
  size_t end = align4(strings_begin + strings.bytes().size());
  std::vector<size_t> offsets;
  for (const HostTensor& t : c.tensors) {
    if (t.bytes.size() != t.count * dtype_size(t.dtype)) {
      throw std::runtime_error("tensor '" + t.name + "' byte size does not match its count");
    }
    offsets.push_back(end);
    end = align4(end + t.bytes.size());
  }

  std::vector<uint8_t> out(end, 0);
  std::memcpy(out.data(), kPackedMagic, 4);
  put_u32(out, 4, kPackedVersion);
  put_u32(out, 8, out.size());
  put_u32(out, 12, family);
  put_u32(out, 16, name);
  put_u32(out, 20, c.config.size());
  put_u32(out, 24, c.tensors.size());
  put_u32(out, 28, strings.bytes().size());
  for (size_t i = 0; i < c.config.size(); ++i) {
    const size_t at = kPackedHeaderSize + i * kPackedEntrySize;
    put_u32(out, at, keys[i]);
    put_u32(out, at + 4, c.config[i].is_string ? kPackedKindString : kPackedKindInt);
    put_i64(out, at + 8, c.config[i].is_string ? values[i] : c.config[i].int_value);
  }
  for (size_t i = 0; i < c.tensors.size(); ++i) {
    const size_t at = tensors_begin + i * kPackedEntrySize;
    put_u32(out, at, tensor_names[i]);
    put_u32(out, at + 4, static_cast<uint32_t>(c.tensors[i].dtype));
    put_u32(out, at + 8, c.tensors[i].count);
    put_u32(out, at + 12, offsets[i]);
    if (!c.tensors[i].bytes.empty()) {  // memcpy from an empty vector's null data() is UB
      std::memcpy(out.data() + offsets[i], c.tensors[i].bytes.data(), c.tensors[i].bytes.size());
    }
  }
  std::memcpy(out.data() + strings_begin, strings.bytes().data(), strings.bytes().size());
  return out;
}

}  // namespace tinyexec::golden
