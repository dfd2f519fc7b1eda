// SPDX-License-Identifier: Apache-2.0
// Small types shared by every kernel family: tensor shapes, activation clamps, requantization
// parameters, and overflow-checked size arithmetic (kernels validate sizes before indexing).
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"

namespace tinyexec::kernels {

// A 4-D shape. Activations are NHWC; conv filters reuse it as OHWI (n = out channels,
// c = input channels per group).
struct Dims4 {
  int32_t n, h, w, c;
};

// Output clamp applied after adding the output zero point (fused ReLU/ReLU6 etc.).
struct ActivationRange {
  int32_t min = -128;
  int32_t max = 127;
};

// Per-output-channel requantization: Q31 multiplier and power-of-two shift, one per channel.
struct PerChannelQuant {
  Span<const int32_t> multiplier;
  Span<const int32_t> shift;
};

// One requantization for the whole tensor.
struct PerTensorQuant {
  int32_t multiplier;
  int32_t shift;
};

// *out = a * b; false (and *out untouched) when a or b is negative or the product overflows.
inline bool checked_mul(int32_t a, int32_t b, int32_t* out) {
  if (a < 0 || b < 0) return false;
  const int64_t product = static_cast<int64_t>(a) * b;
  if (product > INT32_MAX) return false;
  *out = static_cast<int32_t>(product);
  return true;
}

// *out = n * h * w * c; false when a dimension is negative or the product overflows int32.
inline bool dims_count(const Dims4& d, int32_t* out) {
  int32_t count = 1;
  if (!checked_mul(count, d.n, &count) || !checked_mul(count, d.h, &count) ||
      !checked_mul(count, d.w, &count) || !checked_mul(count, d.c, &count)) {
    return false;
  }
  *out = count;
  return true;
}

// True when every dimension is >= 1.
inline bool dims_positive(const Dims4& d) {
  return d.n > 0 && d.h > 0 && d.w > 0 && d.c > 0;
}

// True for a valid int8 activation range: -128 <= min <= max <= 127.
inline bool valid_activation(const ActivationRange& a) {
  return a.min >= -128 && a.max <= 127 && a.min <= a.max;
}

}  // namespace tinyexec::kernels
