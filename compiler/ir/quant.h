// SPDX-License-Identifier: Apache-2.0
// Quantization parameters of a value: real = scale * (q - zero_point), per tensor (one scale)
// or per channel along `axis` (one scale and zero point per index of that axis).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyexec::ir {

struct QuantParams {
  std::vector<float> scales;
  std::vector<int32_t> zero_points;
  int32_t axis = -1;  // -1: per tensor

  bool per_channel() const { return axis >= 0; }
  bool operator==(const QuantParams& other) const = default;
  std::string to_string() const;  // "scale=0.0235 zp=-128" or "per-channel axis=0 (16)"
};

}  // namespace tinyexec::ir
