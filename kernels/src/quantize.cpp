// SPDX-License-Identifier: Apache-2.0
// Quantize, dequantize and the 256-entry LUT. Variants side by side, chosen at compile time:
//   quantize: targets with an FPv5 FPU (M7, M33, M55) round with one VCVTA (round to nearest,
//     ties away from zero, saturating, NaN -> 0), which is exactly TFLite's std::round after the
//     float division; M4's FPv4 lacks it and keeps the reference's exact truncate-and-compare.
//     The division itself stays a float division on every target (MVE has no vector divide, and
//     x * (1 / scale) rounds differently).
//   dequantize: Helium converts and multiplies four lanes at a time (one float rounding, as the
//     scalar code) when every product is a normal float or zero; otherwise, and on the other
//     targets, the scalar loop, which already is one VCVT and one VMUL per element.
//   LUT: Helium gathers 16 table entries per instruction; elsewhere the scalar loop (one load
//     from the table per element is the whole work).
#include "tinyexec/kernels/quantize.h"

#include "simd_s8.h"

// VCVTA (FPv5: Armv8-M with an FPU, or Cortex-M7's double-precision FPv5).
#if defined(__ARM_FP) && !defined(TE_SIMD_PORTABLE_ONLY) && \
    ((__ARM_ARCH >= 8) || ((__ARM_FP & 8) != 0))
#define TE_QUANTIZE_VCVTA 1
#endif

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
inline int32_t round_half_away(float x) {
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

#if defined(TE_QUANTIZE_VCVTA)
// round(x) half away from zero, saturated to int32, NaN -> 0: one VCVTA.
inline int32_t round_vcvta(float x) {
  int32_t result;
  __asm__("vcvta.s32.f32 %1, %1\n\tvmov %0, %1" : "=r"(result), "+t"(x));
  return result;
}
#endif

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
#if defined(TE_QUANTIZE_VCVTA)
  const float scale = quant.scale;
  const int32_t zero_point = quant.zero_point;
  const float* in = input.data();
  int8_t* out = output.data();
  for (int32_t i = 0; i < size; ++i) {
    int32_t q = round_vcvta(in[i] / scale);
    q = q < -1024 ? -1024 : (q > 1024 ? 1024 : q);  // then + zero_point cannot overflow
    q += zero_point;
    out[i] = static_cast<int8_t>(q < -128 ? -128 : (q > 127 ? 127 : q));
  }
#else
  for (int32_t i = 0; i < size; ++i) {
    int32_t q = round_half_away(input[i] / quant.scale) + quant.zero_point;
    q = q < -128 ? -128 : (q > 127 ? 127 : q);
    output[i] = static_cast<int8_t>(q);
  }
#endif
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
#if defined(TE_SIMD_MVE)
  // Products of a normal scale and |q - zero_point| <= 255 are normal or zero: no denormal
  // (flush-to-zero) question for the vector multiply.
  if (quant.scale >= 1.17549435e-38f) {
    const float scale = quant.scale;
    const int32_t zero_point = quant.zero_point;
    const int8_t* in = input.data();
    float* out = output.data();
    for (int32_t i = 0; i < size; i += 4) {
      const mve_pred16_t lanes = vctp32q(static_cast<uint32_t>(size - i));
      const int32x4_t q = vsubq_n_s32(vldrbq_z_s32(in + i, lanes), zero_point);
      vstrwq_p_f32(out + i, vmulq_n_f32(vcvtq_f32_s32(q), scale), lanes);
    }
    return Status::kOk;
  }
#endif
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
#if defined(TE_SIMD_MVE)
  // Index = the input byte with its sign bit flipped (in + 128 as uint8); gather 16 entries.
  const uint8_t* lut = reinterpret_cast<const uint8_t*>(table.data());
  const uint8_t* in = reinterpret_cast<const uint8_t*>(input.data());
  uint8_t* out = reinterpret_cast<uint8_t*>(output.data());
  for (int32_t i = 0; i < size; i += 16) {
    const mve_pred16_t lanes = vctp8q(static_cast<uint32_t>(size - i));
    const uint8x16_t index = veorq_u8(vldrbq_z_u8(in + i, lanes), vdupq_n_u8(0x80));
    vstrbq_p_u8(out + i, vldrbq_gather_offset_z_u8(lut, index, lanes), lanes);
  }
#else
  for (int32_t i = 0; i < size; ++i) output[i] = table[input[i] + 128];
#endif
  return Status::kOk;
}

}  // namespace tinyexec::kernels
