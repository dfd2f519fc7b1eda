// SPDX-License-Identifier: Apache-2.0
// A non-owning view of a contiguous array, passed by value. Kernels take every buffer as a
// span so that its length can be checked against the shapes before anything is touched.
#pragma once

#include <cstddef>

namespace tinyexec::kernels {

template <typename T>
class Span {
 public:
  constexpr Span() = default;
  constexpr Span(T* data, size_t size) : data_(data), size_(size) {}
  template <size_t N>
  constexpr Span(T (&array)[N]) : data_(array), size_(N) {}
  // A span of T converts to a span of const T.
  template <typename U>
  constexpr Span(Span<U> other) : data_(other.data()), size_(other.size()) {}

  constexpr T* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr T& operator[](size_t i) const { return data_[i]; }
  constexpr T* begin() const { return data_; }
  constexpr T* end() const { return data_ + size_; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace tinyexec::kernels
