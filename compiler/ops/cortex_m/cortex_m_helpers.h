// SPDX-License-Identifier: Apache-2.0
// Checks and conversions shared by the cortex_m dialect op files (docs/dialect.md): dtype and
// quantization checks that name the node, the activation range and (params) attributes read
// and range-checked, IR shapes as kernel Dims4, tensors as kernel spans, and kernel statuses
// turned into CompileErrors.
//
// Conventions every cortex_m op file follows (decided here once):
// - Quantization lives on values. infer checks every input's quantization that the op needs
//   and that output 0 carries quantization (set by whoever creates the node; infer never
//   computes it), so ir::verify catches a lowered node without it.
// - (params) attributes are optional for infer (the lowering creates nodes before the params
//   pass fills them): when present they are checked (lengths, ranges); evaluate requires them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_helpers.h"
#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::ops::cortex_m {

// The input must be present and of `dtype`.
const ir::Value& expect_dtype(const Node& node, size_t index, DType dtype);
// Per-tensor activation quantization of input `index` (present, one finite scale > 0, zero
// point in [-128, 127]).
const ir::QuantParams& input_quant(const Node& node, size_t index);
// The same for output 0.
const ir::QuantParams& output_quant(const Node& node);
// Zero points of per-tensor quantization.
inline int32_t zero_point(const ir::QuantParams& quant) {
  return quant.zero_points[0];
}

// Weight quantization of input `index`: present, scales finite and > 0, either per tensor or
// per channel along `axis` with `channels` entries; when `symmetric`, every zero point is 0.
const ir::QuantParams& weight_quant(const Node& node, size_t index, int32_t axis, int64_t channels,
                                    bool symmetric);
// An optional int32 bias [channels] (input `index`); its quantization, if any, has zero points
// 0. Returns nullptr when absent.
const ir::Value* check_bias(const Node& node, size_t index, int64_t channels);

// Output 0's quantization must equal input `index`'s (ops that share their input's).
void expect_output_quant_of_input(const Node& node, size_t index);
// Input `other`'s quantization must equal input `index`'s.
void expect_same_quant(const Node& node, size_t index, size_t other);

// activation_min / activation_max (defaults -128 / 127), checked -128 <= min <= max <= 127.
kernels::ActivationRange activation_of(const Node& node);

// An INTS attribute with exactly `count` values, each >= min_value; `fallback` when absent.
std::vector<int64_t> ints_attr(const Node& node, const std::string& name, size_t count,
                               std::vector<int64_t> fallback, int64_t min_value);

// (params) attributes. check_*: when present, of the right length and in [lo, hi].
// require_*: present (else "missing (params) attribute ... run the params pass"), then checked.
void check_param_ints(const Node& node, const std::string& name, size_t count, int64_t lo,
                      int64_t hi);
std::vector<int32_t> require_param_ints(const Node& node, const std::string& name, size_t count,
                                        int64_t lo, int64_t hi);
void check_param_int(const Node& node, const std::string& name, int64_t lo, int64_t hi);
int32_t require_param_int(const Node& node, const std::string& name, int64_t lo, int64_t hi);

// Requantization multiplier (Q31, >= 0) and shift ranges every kernel accepts.
inline constexpr int64_t kMultiplierMax = INT32_MAX;
inline constexpr int64_t kShiftMin = -31;
inline constexpr int64_t kShiftMax = 30;
// Checks / reads a pair of per-channel or per-tensor requantization params.
void check_requant_params(const Node& node, const std::string& multipliers,
                          const std::string& shifts, size_t count);

// Input `index` must have rank in [min_rank, max_rank].
void expect_rank(const Node& node, size_t index, int64_t min_rank, int64_t max_rank);

// A shape of rank <= 4 as NHWC Dims4 with leading 1s; throws if a dim does not fit int32.
kernels::Dims4 dims4(const Node& node, const Shape& shape);
int32_t to_i32(const Node& node, int64_t value, const char* what);

template <typename T>
kernels::Span<const T> span_of(const Tensor& tensor) {
  const auto data = tensor.data<T>();
  return {data.data(), data.size()};
}
template <typename T>
kernels::Span<T> mutable_span_of(Tensor& tensor) {
  const auto data = tensor.data<T>();
  return {data.data(), data.size()};
}
template <typename T>
kernels::Span<const T> span_of(const std::vector<T>& values) {
  return {values.data(), values.size()};
}
// A bias span: empty when there is no bias.
inline kernels::Span<const int32_t> bias_span(const Tensor* bias) {
  return bias != nullptr ? span_of<int32_t>(*bias) : kernels::Span<const int32_t>();
}

// A kernel status other than kOk becomes "<node>: kernel <kernel> failed: <status>".
void check_status(const Node& node, kernels::Status status, const char* kernel);

// Scratch: each op that needs some computes its size in ONE function (the kernel's
// <kernel>_scratch_size for the node's shapes), used both by its reference implementation
// (which allocates it) and by its OpSchema::scratch_bytes (which the memory planner reserves).
// scratch_size turns the kernel's answer into bytes (a negative size is an error naming the
// node); scratch_buffer allocates that many.
int64_t scratch_size(const Node& node, int32_t bytes, const char* kernel);
std::vector<int8_t> scratch_buffer(int64_t bytes);

}  // namespace tinyexec::ops::cortex_m
