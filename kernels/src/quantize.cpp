// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/quantize.h"

namespace tinyexec::kernels {
namespace {

bool valid_quant(const AffineQuant& q) {
  // scale - scale is NaN for infinities and NaN, so this accepts only finite positive scales.
  return q.scale > 0.0f && q.scale - q.scale == 0.0f && q.zero_point >= -128 && q.zero_point <= 127;
}

Status check_sizes(int32_t size, const void* input, size_t input_size, const void* output,
                   size_t output_size) {
  TE_CHECK(input != nullptr && output != nullptr, Status::kNullPointer);
  TE_CHECK(size > 0, Status::kBadShape);
  TE_CHECK(input_size >= static_cast<size_t>(size) && output_size >= static_cast<size_t>(size),
           Status::kBufferTooSmall);
  return Status::kOk;
}

// round(x) with ties away from zero (std::round), for the quantizer. Inputs beyond +-1024
// saturate to +-1024, which changes nothing once the zero point is added and the result is
// clamped to int8; NaN gives 0.
int32_t round_half_away(float x) {
  if (!(x == x)) return 0;
  if (x > 1024.0f) return 1024;
  if (x < -1024.0f) return -1024;
  const float magnitude = x < 0.0f ? -x : x;
  int32_t whole = static_cast<int32_t>(magnitude);  // truncates
  // magnitude - whole is exact, so the tie test is exact (unlike adding 0.5 and truncating,
  // which rounds 0.49999997f up).
  if (magnitude - static_cast<float>(whole) >= 0.5f) ++whole;
  return x < 0.0f ? -whole : whole;
}

}  // namespace

Status quantize_f32_s8_check(const AffineQuant& quant, int32_t size, Span<const float> input,
                             Span<int8_t> output) {
  TE_RETURN_IF_ERROR(check_sizes(size, input.data(), input.size(), output.data(), output.size()));
  TE_CHECK(valid_quant(quant), Status::kBadParam);
  return Status::kOk;
}

Status quantize_f32_s8(const AffineQuant& quant, int32_t size, Span<const float> input,
                       Span<int8_t> output) {
  TE_RETURN_IF_ERROR(quantize_f32_s8_check(quant, size, input, output));
  for (int32_t i = 0; i < size; ++i) {
    int32_t q = round_half_away(input[i] / quant.scale) + quant.zero_point;
    q = q < -128 ? -128 : (q > 127 ? 127 : q);
    output[i] = static_cast<int8_t>(q);
  }
  return Status::kOk;
}

Status dequantize_s8_f32_check(const AffineQuant& quant, int32_t size, Span<const int8_t> input,
                               Span<float> output) {
  TE_RETURN_IF_ERROR(check_sizes(size, input.data(), input.size(), output.data(), output.size()));
  TE_CHECK(valid_quant(quant), Status::kBadParam);
  return Status::kOk;
}

Status dequantize_s8_f32(const AffineQuant& quant, int32_t size, Span<const int8_t> input,
                         Span<float> output) {
  TE_RETURN_IF_ERROR(dequantize_s8_f32_check(quant, size, input, output));
  for (int32_t i = 0; i < size; ++i) {
    output[i] = quant.scale * static_cast<float>(input[i] - quant.zero_point);
  }
  return Status::kOk;
}

Status lut_s8_check(int32_t size, Span<const int8_t> input, Span<const int8_t> table,
                    Span<int8_t> output) {
  TE_CHECK(table.data() != nullptr, Status::kNullPointer);
  TE_RETURN_IF_ERROR(check_sizes(size, input.data(), input.size(), output.data(), output.size()));
  TE_CHECK(table.size() >= 256, Status::kBufferTooSmall);
  return Status::kOk;
}

Status lut_s8(int32_t size, Span<const int8_t> input, Span<const int8_t> table,
              Span<int8_t> output) {
  TE_RETURN_IF_ERROR(lut_s8_check(size, input, table, output));
  for (int32_t i = 0; i < size; ++i) output[i] = table[input[i] + 128];
  return Status::kOk;
}

}  // namespace tinyexec::kernels
