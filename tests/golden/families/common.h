// SPDX-License-Identifier: Apache-2.0
// What every family runner does: read config keys and tensors (with the aliases seen across
// the CMSIS-NN cases), take output and scratch memory from the workspace, and compare the
// kernel's output with the expected one bit for bit. Every helper that returns false or null
// has already recorded why in the Report, naming the key or tensor.
#pragma once

#include <cstdint>

#include "../golden_case.h"
#include "../report.h"
#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"

namespace tinyexec::golden {

// Expected outputs are "output_ref" in most families and "output" in others; some files carry
// both, the other one a stale leftover, so the canonical name comes first.
inline constexpr const char* kExpectedOutput = "output_ref|output";

// Kernel views of checked tensors; a null int32 tensor (a null bias) is an empty span.
inline kernels::Span<const int8_t> span_i8(const TensorView& t) {
  return {t.i8(), static_cast<size_t>(t.count)};
}
inline kernels::Span<const int32_t> span_i32(const TensorView* t) {
  if (t == nullptr) return {};
  return {t->i32(), static_cast<size_t>(t->count)};
}
inline kernels::Span<int8_t> span_out(int8_t* out, const TensorView& expected) {
  return {out, static_cast<size_t>(expected.count)};
}
inline kernels::Span<int8_t> span_scratch(void* scratch, int32_t bytes) {
  return {static_cast<int8_t*>(scratch), static_cast<size_t>(bytes)};
}

// A required integer config value that must fit in int32.
bool get_i32(const GoldenCase& c, const char* keys, int32_t* out, Report& r);
// An optional one: `fallback` when absent (only for keys that older CMSIS-NN cases omit, such
// as dilation); present but unusable is still a failure.
bool get_i32_or(const GoldenCase& c, const char* keys, int32_t fallback, int32_t* out, Report& r);
// A boolean config value: integer 0/1 or string "true"/"false"; `fallback` when absent.
bool get_flag_or(const GoldenCase& c, const char* keys, bool fallback, bool* out, Report& r);

// A required tensor of `dtype` with exactly `count` elements (count < 0: any count).
const TensorView* need_tensor(const GoldenCase& c, const char* names, DType dtype, int64_t count,
                              Report& r);
// An optional one (e.g. a null bias): null and *ok = true when absent; when present it is
// checked like need_tensor and *ok says whether it passed.
const TensorView* optional_tensor(const GoldenCase& c, const char* names, DType dtype,
                                  int64_t count, Report& r, bool* ok);

// Product of dims, failing (naming `what`) on a non-positive dim or an int32 overflow.
bool dims_product(const int32_t* dims, int n, const char* what, int32_t* out, Report& r);

// Output and scratch memory from the workspace; a failure names the size.
int8_t* alloc_i8(Workspace& ws, int32_t count, const char* what, Report& r);
// The output buffer for `expected` (int8), filled with the complement of the expected values so
// that an element the kernel never writes cannot match by accident.
int8_t* alloc_output(Workspace& ws, const TensorView& expected, Report& r);
// `bytes` as returned by a kernel's *_scratch_size(); negative is a failure (the kernel
// rejected the shapes). A zero-byte request returns a valid non-null pointer.
void* alloc_scratch(Workspace& ws, int32_t bytes, const char* kernel, Report& r);

// Fails with the status name unless the kernel returned kOk.
bool check_status(kernels::Status status, const char* kernel, Report& r);

// Compares `got` with the expected tensor (already checked to have `count` int8 elements);
// passes the report on an exact match, else fails with the first mismatch and the number of
// differing elements.
bool compare_i8(const int8_t* got, const TensorView& expected, Report& r);

}  // namespace tinyexec::golden
