// SPDX-License-Identifier: Apache-2.0
// Reading the tensors of a verified program: sizes, placement, kernel dims and spans.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/types.h"
#include "tinyexec/program/program_generated.h"

namespace tinyexec::runtime::detail {

constexpr int32_t kMaxRank = 8;

inline int32_t dtype_size(program::DType dtype) {
  return dtype == program::DType::Int8 ? 1 : 4;
}

// numel * dtype size, or -1 when the shape is invalid (a dim < 1, rank > kMaxRank) or the size
// exceeds INT32_MAX.
int64_t tensor_bytes(const program::Tensor& tensor);

// The length of an optional FlatBuffers vector (0 when absent).
template <typename T>
int32_t length(const flatbuffers::Vector<T>* vector) {
  return vector == nullptr ? 0 : static_cast<int32_t>(vector->size());
}

inline int32_t rank_of(const program::Tensor& tensor) {
  return tensor.shape() == nullptr ? 0 : static_cast<int32_t>(tensor.shape()->size());
}

inline int32_t numel_of(const program::Tensor& tensor) {
  return static_cast<int32_t>(tensor_bytes(tensor) / dtype_size(tensor.dtype()));
}

// The shape as kernel dims: rank <= 4, right-aligned, leading dims 1 (as the compiler's dims4).
kernels::Dims4 dims4_of(const program::Tensor& tensor);

// An arena byte range [begin, end).
struct Range {
  int64_t begin = 0;
  int64_t end = 0;
  bool overlaps(const Range& other) const { return begin < other.end && other.begin < end; }
  bool operator==(const Range& other) const { return begin == other.begin && end == other.end; }
};

}  // namespace tinyexec::runtime::detail
