// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the kernel validation tests: guarded output buffers that show what a kernel
// wrote, buffer lengths that follow the dims, deterministic data, and CallKernel, which runs a
// kernel's public <name>_check before the kernel itself and requires both to agree.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <ostream>
#include <tuple>
#include <vector>

#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace kernel_validation {

namespace tk = tinyexec::kernels;
using tk::Dims4;
using tk::Span;
using tk::Status;

constexpr int64_t kAuto = -1;  // a buffer length: "exactly what the dims need"
constexpr size_t kGuard = 32;  // guard elements after every writable span
constexpr unsigned char kSentinel = 0xA5;

// `size` elements followed by kGuard guard elements, every byte kSentinel, to see what a kernel
// writes.
template <typename T>
class Guarded {
 public:
  explicit Guarded(size_t size) : size_(size), data_(size + kGuard) {
    std::memset(data_.data(), kSentinel, data_.size() * sizeof(T));
  }
  Span<T> span(bool null = false) { return {null ? nullptr : data_.data(), size_}; }
  // True when no byte of element `from` or later was written.
  bool Untouched(size_t from = 0) const {
    const auto* bytes = reinterpret_cast<const unsigned char*>(data_.data());
    return std::all_of(bytes + from * sizeof(T), bytes + data_.size() * sizeof(T),
                       [](unsigned char b) { return b == kSentinel; });
  }
  size_t size() const { return size_; }

 private:
  size_t size_;
  std::vector<T> data_;
};

// A failed call writes nothing at all, a successful one nothing past the span.
template <typename T>
void ExpectNoStrayWrites(Status got, const Guarded<T>& out, const char* what) {
  if (got == Status::kOk) {
    EXPECT_TRUE(out.Untouched(out.size())) << "wrote past the end of " << what;
  } else {
    EXPECT_TRUE(out.Untouched()) << "wrote to " << what << " although the call failed";
  }
}

// A kernel and its argument check as one value: KV_KERNEL(conv2d_s8) calls tk::conv2d_s8_check
// and tk::conv2d_s8 with whatever arguments it is given (overloads resolve per call).
template <typename Check, typename Kernel>
struct KernelAndCheck {
  const char* name;
  Check check;
  Kernel kernel;
};
template <typename Check, typename Kernel>
KernelAndCheck(const char*, Check, Kernel) -> KernelAndCheck<Check, Kernel>;

#define KV_FORWARD(fn) [](const auto&... args) { return ::tinyexec::kernels::fn(args...); }
#define KV_KERNEL(name) \
  (::kernel_validation::KernelAndCheck{#name, KV_FORWARD(name##_check), KV_FORWARD(name)})

enum class Call {
  kCheckThenKernel,  // <name>_check, then <name>: both must return the same status
  kCheckOnly,        // <name>_check alone (what a loader does)
};

// Calls k's check with `args`, which must write no byte of any `watched` buffer (all guarded
// buffers the arguments reach: still all sentinel at this point), then, for kCheckThenKernel,
// the kernel with the same arguments; the check must return the kernel's status. Returns the
// status of the last call.
template <typename K, typename Args, typename... Watched>
Status CallKernel(Call call, const K& k, const Args& args, const Watched&... watched) {
  const Status checked = std::apply(k.check, args);
  EXPECT_TRUE((watched.Untouched() && ...)) << k.name << "_check wrote to a buffer";
  if (call == Call::kCheckOnly) return checked;
  const Status ran = std::apply(k.kernel, args);
  EXPECT_STREQ(tk::status_name(checked), tk::status_name(ran))
      << k.name << "_check disagrees with " << k.name;
  return ran;
}

// Elements of a tensor buffer: `len`, or (kAuto) the element count of `dims`, at least 1 so
// that the buffer has storage (invalid or overflowing dims must be rejected before any access).
inline size_t Length(int64_t len, const Dims4& dims) {
  if (len != kAuto) return static_cast<size_t>(len);
  int32_t count = 0;
  return tk::dims_count(dims, &count) && count > 0 ? static_cast<size_t>(count) : 1;
}

inline std::vector<int8_t> Pattern(size_t size) {
  std::vector<int8_t> v(size);
  for (size_t i = 0; i < size; ++i) v[i] = static_cast<int8_t>(i * 37 + 11);
  return v;
}

template <typename T>
Span<const T> ConstSpan(const std::vector<T>& v, bool null) {
  return {null ? nullptr : v.data(), v.size()};
}

// One row of a rule table: the valid arguments, changed by `mutate` to break one rule, must give
// `expected`. The test's name is `name`.
template <typename Args>
struct RuleCase {
  const char* name;
  void (*mutate)(Args&);
  Status expected;
};

template <typename Args>
void PrintTo(const RuleCase<Args>& c, std::ostream* os) {
  *os << c.name;
}

}  // namespace kernel_validation
