// SPDX-License-Identifier: Apache-2.0
// Host tensors: constant data in the IR and the values the reference interpreter computes.
// Row-major (C order), owning, typed access checked against the element type.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/dtype.h"
#include "support/error.h"

namespace tinyexec::ir {

using Shape = std::vector<int64_t>;

// Number of elements of a shape (1 for a scalar); throws on negative dims or overflow.
int64_t shape_numel(const Shape& shape);

// The largest tensor the compiler handles: 2 GiB, and no dimension above 2^31 (even in an empty
// tensor). Far beyond any microcontroller's memory, and small enough that a corrupt or hostile
// model cannot make the compiler allocate, or compute shapes, without bound.
inline constexpr int64_t kMaxTensorBytes = int64_t{1} << 31;
// Throws "<what> <dtype><shape> is larger than 2 GiB (...)" beyond that limit (or on a negative
// dimension).
void check_tensor_size(DType dtype, const Shape& shape, std::string_view what);
std::string shape_string(const Shape& shape);  // "[1,3,224,224]"

class Tensor {
 public:
  Tensor() = default;
  Tensor(DType dtype, Shape shape);  // zero-filled; at most kMaxTensorBytes

  template <typename T>
  static Tensor from(Shape shape, std::span<const T> values) {
    Tensor tensor(dtype_of<T>(), std::move(shape));
    if (static_cast<int64_t>(values.size()) != tensor.numel()) {
      fail("tensor of shape {} given {} values", shape_string(tensor.shape_), values.size());
    }
    if (!values.empty()) std::memcpy(tensor.bytes_.data(), values.data(), tensor.bytes_.size());
    return tensor;
  }
  template <typename T>
  static Tensor scalar(T value) {
    return from<T>({}, std::span<const T>(&value, 1));
  }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t numel() const { return numel_; }

  template <typename T>
  std::span<T> data() {
    check_type(dtype_of<T>());
    return {reinterpret_cast<T*>(bytes_.data()), static_cast<size_t>(numel_)};
  }
  template <typename T>
  std::span<const T> data() const {
    check_type(dtype_of<T>());
    return {reinterpret_cast<const T*>(bytes_.data()), static_cast<size_t>(numel_)};
  }
  std::span<const uint8_t> bytes() const { return bytes_; }
  std::span<uint8_t> mutable_bytes() { return bytes_; }

  // Elements converted to double / int64 whatever the element type (for shape arithmetic,
  // attribute-like inputs and tests).
  double as_double(int64_t index) const;
  int64_t as_int(int64_t index) const;
  std::vector<int64_t> to_int_vector() const;

  Tensor reshaped(Shape shape) const;  // same data, new shape of equal numel
  bool operator==(const Tensor& other) const = default;

 private:
  void check_type(DType requested) const;

  DType dtype_ = DType::kFloat32;
  Shape shape_;
  int64_t numel_ = 1;
  std::vector<uint8_t> bytes_;  // operator new aligns to 16 bytes: fine for every dtype
};

}  // namespace tinyexec::ir
