// SPDX-License-Identifier: Apache-2.0
// A golden case as the host tool holds it (owning std containers), and its packed binary form
// (the format is documented in tests/golden/packed_case.h, which reads it on the device).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "golden_case.h"

namespace tinyexec::golden {

struct HostConfig {
  std::string key;
  bool is_string = false;
  int64_t int_value = 0;
  std::string string_value;
};

struct HostTensor {
  std::string name;
  DType dtype = DType::kInt8;
  uint32_t count = 0;
  std::vector<uint8_t> bytes;  // count elements, little endian
};

struct HostCase {
  std::string family;  // the JSON "kernel" field
  std::string name;    // the JSON "case" field
  std::vector<HostConfig> config;
  std::vector<HostTensor> tensors;

  HostConfig* find_config(const std::string& key);
  // Adds the key, or replaces its value if present.
  void set_string(const std::string& key, const std::string& value);
};

// The packed bytes of `c` (throws std::runtime_error if it exceeds the format's limits).
std::vector<uint8_t> pack_case(const HostCase& c);

}  // namespace tinyexec::golden
