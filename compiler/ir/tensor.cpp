// SPDX-License-Identifier: Apache-2.0
#include "ir/tensor.h"

#include <limits>

namespace tinyexec::ir {

int64_t shape_numel(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) fail("shape {} has a negative dimension", shape_string(shape));
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / dim) {
      fail("shape {} has too many elements", shape_string(shape));
    }
    count *= dim;
  }
  return count;
}

void check_tensor_size(DType dtype, const Shape& shape, std::string_view what) {
  for (int64_t dim : shape) {
    if (dim < 0) {
      fail("{} {}{} has a negative dimension", what, dtype_name(dtype), shape_string(shape));
    }
    if (dim > kMaxTensorBytes) {
      fail("{} {}{} has a dimension above 2^31, the limit", what, dtype_name(dtype),
           shape_string(shape));
    }
  }
  // Each dimension is at most 2^31, so the product overflows only after passing the limit:
  // stop there.
  int64_t bytes = static_cast<int64_t>(dtype_size(dtype));
  for (int64_t dim : shape) {
    if (dim == 0) return;
    bytes = bytes > kMaxTensorBytes ? bytes : bytes * dim;
  }
  if (bytes > kMaxTensorBytes) {
    fail("{} {}{} is larger than 2 GiB, the largest tensor the compiler handles", what,
         dtype_name(dtype), shape_string(shape));
  }
}

std::string shape_string(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) text += ",";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), numel_(shape_numel(shape_)) {
  check_tensor_size(dtype_, shape_, "tensor");
  bytes_.assign(static_cast<size_t>(numel_) * dtype_size(dtype_), 0);
}

void Tensor::check_type(DType requested) const {
  if (requested != dtype_) {
    fail("tensor of type {} accessed as {}", dtype_name(dtype_), dtype_name(requested));
  }
}

double Tensor::as_double(int64_t index) const {
  if (index < 0 || index >= numel_) fail("tensor index {} out of range {}", index, numel_);
  const uint8_t* p = bytes_.data() + index * dtype_size(dtype_);
  switch (dtype_) {
    case DType::kFloat32: { float v; std::memcpy(&v, p, 4); return v; }
    case DType::kInt8: return static_cast<int8_t>(*p);
    case DType::kUInt8: return *p;
    case DType::kInt16: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case DType::kInt32: { int32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::kInt64: { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
    case DType::kBool: return *p != 0 ? 1.0 : 0.0;
  }
  return 0;
}

int64_t Tensor::as_int(int64_t index) const {
  if (dtype_ == DType::kInt64) {
    if (index < 0 || index >= numel_) fail("tensor index {} out of range {}", index, numel_);
    int64_t v;
    std::memcpy(&v, bytes_.data() + index * 8, 8);
    return v;
  }
  return static_cast<int64_t>(as_double(index));
}

std::vector<int64_t> Tensor::to_int_vector() const {
  std::vector<int64_t> values(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) values[static_cast<size_t>(i)] = as_int(i);
  return values;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_numel(shape) != numel_) {
    fail("cannot reshape {} to {}", shape_string(shape_), shape_string(shape));
  }
  Tensor result = *this;
  result.shape_ = std::move(shape);
  return result;
}

}  // namespace tinyexec::ir
