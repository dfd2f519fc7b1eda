// SPDX-License-Identifier: Apache-2.0
// Private helpers shared by the conv / depthwise / transpose-conv / fully-connected /
// batch-matmul reference kernels: the common output stage and argument checks.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/requant.h"
#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels::detail {

// a + b modulo 2^32. Accumulators wrap on the targets (CMSIS-NN / TFLite add plain int32s);
// doing it through uint32 keeps overflowing sums bit-exact without signed-overflow UB.
inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// The CMSIS-NN output stage: requantize, add the output zero point, clamp, narrow.
inline int8_t output_stage(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset,
                           const ActivationRange& act) {
  const int32_t value = wrapping_add(requantize(acc, multiplier, shift), output_offset);
  return static_cast<int8_t>(clamp(value, act.min, act.max));
}

// Offsets are negated / plain zero points of int8 tensors: an input offset is -zero point, in
// [-127, 128] (CMSIS-NN's range; -128 would be zero point 128, which int8 cannot hold, and the
// fast variants pad windows with the zero point), the output offset a zero point in [-128, 127].
inline bool valid_input_offset(int32_t offset) {
  return offset >= -127 && offset <= 128;
}
inline bool valid_output_offset(int32_t offset) {
  return offset >= -128 && offset <= 127;
}

// Multiplier and shift as produced by quantize_multiplier(); other shifts would shift by >= 32.
inline bool valid_quant(int32_t multiplier, int32_t shift) {
  return multiplier >= 0 && shift >= -31 && shift <= 30;
}

// Per-channel quantization for `channels` channels: null -> kNullPointer, short ->
// kBufferTooSmall, a bad entry -> kBadParam.
inline Status check_per_channel(const PerChannelQuant& q, int32_t channels) {
  TE_CHECK(q.multiplier.data() != nullptr && q.shift.data() != nullptr, Status::kNullPointer);
  TE_CHECK(q.multiplier.size() >= static_cast<size_t>(channels) &&
               q.shift.size() >= static_cast<size_t>(channels),
           Status::kBufferTooSmall);
  for (int32_t c = 0; c < channels; ++c) {
    TE_CHECK(valid_quant(q.multiplier[c], q.shift[c]), Status::kBadParam);
  }
  return Status::kOk;
}

// Optional bias: an empty span means no bias; otherwise it needs `channels` entries.
inline Status check_bias(Span<const int32_t> bias, int32_t channels) {
  if (bias.empty()) return Status::kOk;
  TE_CHECK(bias.data() != nullptr, Status::kNullPointer);
  TE_CHECK(bias.size() >= static_cast<size_t>(channels), Status::kBufferTooSmall);
  return Status::kOk;
}

inline const int32_t* bias_or_null(Span<const int32_t> bias) {
  return bias.empty() ? nullptr : bias.data();
}

// A span must hold at least the element count of `dims` (kOverflow if that count does not fit
// int32, kBufferTooSmall if the span is shorter).
template <typename T>
Status check_span(Span<T> span, const Dims4& dims) {
  int32_t count = 0;
  TE_CHECK(dims_count(dims, &count), Status::kOverflow);
  TE_CHECK(span.size() >= static_cast<size_t>(count), Status::kBufferTooSmall);
  return Status::kOk;
}

// One spatial axis of a forward (strided, dilated, padded) window: the output size must match
// the input size, stride, padding before and the dilated filter extent as TFLite's SAME or
// VALID padding (or any explicit padding of that kind) produces it: the padding after,
// pad_after = (out - 1) * stride + extent - in - pad_before, lies in [1 - stride, extent - 1],
// i.e. no output window lies wholly in padding and at most stride - 1 trailing input positions
// are left unread. Checked in int64 so that huge parameters cannot overflow; afterwards all
// window coordinates the kernels compute fit int32 (kOverflow otherwise).
inline Status check_window_axis(int32_t in, int32_t out, int32_t filter, int32_t stride,
                                int32_t dilation, int32_t pad_before) {
  TE_CHECK(stride >= 1 && dilation >= 1 && pad_before >= 0, Status::kBadParam);
  const int64_t extent = int64_t{filter - 1} * dilation + 1;
  TE_CHECK(int64_t{in} + 2 * extent + stride <= INT32_MAX, Status::kOverflow);
  TE_CHECK(pad_before <= extent - 1, Status::kBadParam);
  const int64_t pad_after = int64_t{out - 1} * stride + extent - in - pad_before;
  TE_CHECK(pad_after >= 1 - int64_t{stride} && pad_after <= extent - 1, Status::kBadShape);
  return Status::kOk;
}

}  // namespace tinyexec::kernels::detail
