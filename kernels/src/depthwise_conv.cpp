// SPDX-License-Identifier: Apache-2.0
// depthwise_conv2d_s8 in three variants selected at compile time, side by side: Helium
// (TE_MAC_MVE), DSP (TE_MAC_DSP) and the portable reference; all give the reference's bits.
// The accelerated variants handle a depth multiplier of 1 (any kernel size, stride, dilation,
// padding; a 3x3 window inside the input takes an unrolled path) with the channels in the
// vector lanes:
// - DSP: four channels per pass, the weights widened to int16 once per call (SMLABB / SMLATT
//   against SXTAB16-widened inputs with the offset added: 8 instructions per 4 MACs).
// - Helium: 16 channels per pass (VMULLB / VMULLT, widened into int32 accumulators); the input
//   offset is folded into the bias, padding taps read the zero point instead. 3x3 layers with
//   whole groups of 16 channels run several output rows per call, the windows that reach into
//   the padding through a table of tap offsets each.
// Depth multipliers > 1 use the reference loop.
#include "tinyexec/kernels/depthwise_conv.h"

#include <cstring>

#include "common_s8.h"
#include "conv_checks.h"
#include "mac_dsp.h"
#include "mac_mve.h"

namespace tinyexec::kernels {
namespace {

// Filter [1, H, W, C_out] with C_out a multiple of C_in (the depth multiplier).
bool depthwise_channels_agree(const Dims4& in, const Dims4& f, const Dims4& out) {
  return f.n == 1 && f.c == out.c && out.c % in.c == 0;
}

// Scratch, the same on every target, with the channels rounded up to 16: per channel 2 bytes
// per tap (DSP: the weights widened to int16; Helium: int8) and 26 bytes (requantization
// records, folded biases, a row of padding), 4 bytes per tap (a list of tap addresses) and 32
// for alignment.
bool depthwise_scratch(const Dims4& f, int32_t* bytes) {
  if (f.h <= 0 || f.w <= 0 || f.c <= 0) return false;
  const int64_t channels = (int64_t{f.c} + 15) & ~int64_t{15};
  const int64_t taps = int64_t{f.h} * f.w;
  const int64_t total = channels * (2 * taps + 26) + 4 * taps + 32;
  if (total > INT32_MAX) return false;
  *bytes = static_cast<int32_t>(total);
  return true;
}

// The reference: one output at a time.
void depthwise_portable(const Conv2dParams& params, const PerChannelQuant& quant, const Dims4& in,
                        const int8_t* input, const Dims4& f, const int8_t* filter,
                        const int32_t* bias_data, const Dims4& out, int8_t* dst) {
  const int32_t ch_mult = out.c / in.c;
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t y0 = oy * params.stride_h - params.pad_h;
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t x0 = ox * params.stride_w - params.pad_w;
        for (int32_t oc = 0; oc < out.c; ++oc) {
          const int32_t ic = oc / ch_mult;
          int32_t acc = bias_data != nullptr ? bias_data[oc] : 0;
          for (int32_t ky = 0; ky < f.h; ++ky) {
            const int32_t y = y0 + ky * params.dilation_h;
            if (y < 0 || y >= in.h) continue;
            for (int32_t kx = 0; kx < f.w; ++kx) {
              const int32_t x = x0 + kx * params.dilation_w;
              if (x < 0 || x >= in.w) continue;
              const int32_t value = input[((n * in.h + y) * in.w + x) * in.c + ic];
              const int32_t weight = filter[(ky * f.w + kx) * f.c + oc];
              acc = detail::wrapping_add(acc, (value + params.input_offset) * weight);
            }
          }
          *dst++ = detail::output_stage(acc, quant.multiplier[oc], quant.shift[oc],
                                        params.output_offset, params.activation);
        }
      }
    }
  }
}

// Taps of one output pixel inside the input: ky in [ky0, ky1), kx in [kx0, kx1).
struct TapRange {
  int32_t ky0, ky1, kx0, kx1;
};
[[maybe_unused]] TapRange tap_range(const Conv2dParams& p, const Dims4& in, const Dims4& f,
                                    int32_t y0, int32_t x0) {
  TapRange r{0, f.h, 0, f.w};
  while (r.ky0 < f.h && y0 + r.ky0 * p.dilation_h < 0) ++r.ky0;
  while (r.ky1 > r.ky0 && y0 + (r.ky1 - 1) * p.dilation_h >= in.h) --r.ky1;
  while (r.kx0 < f.w && x0 + r.kx0 * p.dilation_w < 0) ++r.kx0;
  while (r.kx1 > r.kx0 && x0 + (r.kx1 - 1) * p.dilation_w >= in.w) --r.kx1;
  return r;
}

#if defined(TE_MAC_DSP)

namespace dsp = detail::dsp;

// Per group of four channels (the last one zero-padded), one block of scratch: the folded
// start init[i] = bias + input_offset * (sum of channel i's weights), per tap the weights
// widened to int16 ([w0, w2], [w1, w3]), and the channels' output-stage records.
struct DspBlockHead {
  int32_t init[4];
};
int32_t block_words(int32_t taps) {
  return 4 + 2 * taps + 16;
}

// The interior 3x3 case of one output pixel, every full group: out[c] = the output stage of
// init[c] + sum over the 9 taps of input * weight (offset folded into init). pin: the window's
// top-left input, channel 0; blocks: the groups' blocks. Needs every channel's record to be
// the precomputed kind. Per group 8 instructions per 4 MACs plus 46.
void interior3x3_dsp(const int8_t* pin, const uint32_t* blocks, int32_t column_step,
                     int32_t row_step, int8_t* out, int32_t groups, uint32_t min4, uint32_t max4) {
  register const int8_t* r8 asm("r8") = pin;
  register const uint32_t* r9 asm("r9") = blocks;
  register int32_t r10 asm("r10") = column_step;
  register int32_t r12 asm("r12") = row_step;
  register int8_t* r0 asm("r0") = out;
  register int32_t r1 asm("r1") = groups;
  register uint32_t r2 asm("r2") = min4;
  register uint32_t r3 asm("r3") = max4;
#define TE_DW_TAP(address)    \
  "ldr r4, " address          \
  "\n\t"                      \
  "ldrd r6, r7, [r9], #8\n\t" \
  "sxtb16 r5, r4, ror #8\n\t" \
  "sxtb16 r4, r4\n\t"         \
  "smlabb r0, r4, r6, r0\n\t" \
  "smlatt r2, r4, r6, r2\n\t" \
  "smlabb r1, r5, r7, r1\n\t" \
  "smlatt r3, r5, r7, r3\n\t"
#define TE_DW_ROW TE_DW_TAP("[r8]") TE_DW_TAP("[r8, r10]") TE_DW_TAP("[r8, r11]")
// The output stage of a group of four channels in r0..r3 (records from r9, mac_dsp.h's
// requantization), packed, clamped to [sp, #8] / [sp, #12] and stored at [sp]; then the next
// group while [sp, #4] counts down (label 1).
#define TE_DW_REQUANT(a)          \
  "ldm r9!, {r4, r5, r6, r7}\n\t" \
  "and lr, " a                    \
  ", #0x80000000\n\t"             \
  "subs r5, r5, lr\n\t"           \
  "sbc r6, r6, #0\n\t"            \
  "smlal r5, r6, " a              \
  ", r4\n\t"                      \
  "asr " a                        \
  ", r6, r7\n\t"                  \
  "ssat " a ", #8, " a "\n\t"
#define TE_DW_STORE4                                                               \
  TE_DW_REQUANT("r0") TE_DW_REQUANT("r1") TE_DW_REQUANT("r2") TE_DW_REQUANT("r3") \
  "bfi r0, r1, #8, #8\n\t"                                                          \
  "bfi r0, r2, #16, #8\n\t"                                                         \
  "bfi r0, r3, #24, #8\n\t"                                                         \
  "ldrd r4, r5, [sp, #8]\n\t"                                                       \
  "ssub8 r6, r0, r4\n\t"                                                            \
  "sel r0, r0, r4\n\t"                                                              \
  "ssub8 r6, r5, r0\n\t"                                                            \
  "sel r0, r0, r5\n\t"                                                              \
  "ldr lr, [sp]\n\t"                                                                \
  "str r0, [lr], #4\n\t"                                                            \
  "str lr, [sp]\n\t"                                                                \
  "ldr lr, [sp, #4]\n\t"                                                            \
  "subs lr, #1\n\t"                                                                 \
  "str lr, [sp, #4]\n\t"                                                            \
  "bne 1b\n\t"
  asm volatile(
      // Stack: [sp] out, [sp, #4] groups left, [sp, #8] min4, [sp, #12] max4, [sp, #16] r7.
      "push {r0, r1, r2, r3, r7}\n\t"
      "add r11, r10, r10\n"
      "1:\n\t"
      "ldm r9!, {r0, r1, r2, r3}\n\t" TE_DW_ROW "add r8, r12\n\t" TE_DW_ROW
      "add r8, r12\n\t" TE_DW_ROW
      "sub r8, r8, r12, lsl #1\n\t"
      "add r8, #4\n\t" TE_DW_STORE4
      "pop {r0, r1, r2, r3, r7}"
      : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r8), "+r"(r9)
      : "r"(r10), "r"(r12)
      : "r4", "r5", "r6", "r11", "lr", "cc", "memory");
#undef TE_DW_ROW
#undef TE_DW_TAP
}

// Any window, as a list of tap addresses (list[t]: tap t's input pixel, channel 0, or a row of
// the input zero point for a tap in the padding, which then adds 0 given the folded init),
// every full group: like interior3x3_dsp. Per group 11 instructions per tap (4 MACs) plus 46.
void window_list_dsp(const int8_t* const* list, int32_t taps, const uint32_t* blocks, int8_t* out,
                     int32_t groups, uint32_t min4, uint32_t max4) {
  register const int8_t* const* r8 asm("r8") = list;
  register const uint32_t* r9 asm("r9") = blocks;
  register int32_t r11 asm("r11") = taps;
  register int8_t* r0 asm("r0") = out;
  register int32_t r1 asm("r1") = groups;
  register uint32_t r2 asm("r2") = min4;
  register uint32_t r3 asm("r3") = max4;
  asm volatile(
      // Stack: [sp] out, [sp, #4] groups left, [sp, #8] min4, [sp, #12] max4, [sp, #16] r7,
      // [sp, #20] list, [sp, #24] taps.
      "push {r0, r1, r2, r3, r7, r8, r11}\n\t"
      "mov r10, #0\n"
      "1:\n\t"
      "ldm r9!, {r0, r1, r2, r3}\n\t"
      "ldrd r8, r11, [sp, #20]\n"
      "2:\n\t"
      "ldr r12, [r8], #4\n\t"
      "ldr r4, [r12, r10]\n\t"
      "ldrd r6, r7, [r9], #8\n\t"
      "sxtb16 r5, r4, ror #8\n\t"
      "sxtb16 r4, r4\n\t"
      "smlabb r0, r4, r6, r0\n\t"
      "smlatt r2, r4, r6, r2\n\t"
      "smlabb r1, r5, r7, r1\n\t"
      "smlatt r3, r5, r7, r3\n\t"
      "subs r11, #1\n\t"
      "bne 2b\n\t"
      "add r10, #4\n\t" TE_DW_STORE4
      "pop {r0, r1, r2, r3, r7, r8, r11}"
      : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r8), "+r"(r9), "+r"(r11)
      :
      : "r4", "r5", "r6", "r10", "r12", "lr", "cc", "memory");
#undef TE_DW_REQUANT
#undef TE_DW_STORE4
}

// Any window (taps r) for one group (valid <= 4 channels; no input read past them):
// the output stage of bias + sum over the valid taps of (input + offset) * weight.
void window_dsp(const int8_t* first, const uint32_t* block, int32_t valid, const TapRange& r,
                const Dims4& f, int32_t column_step, int32_t row_step, uint32_t offset2,
                const int32_t* bias, const PerChannelQuant& quant, int32_t c, int32_t output_offset,
                uint32_t min4, uint32_t max4, int8_t* out) {
  const int32_t taps = f.h * f.w;
  const int32_t cols = r.kx1 - r.kx0;
  int32_t a[4] = {0, 0, 0, 0};
  if (bias != nullptr) {
    for (int32_t i = 0; i < valid; ++i) a[i] = bias[c + i];
  }
  const uint32_t* pw = block + 4 + (r.ky0 * f.w + r.kx0) * 2;
  const int8_t* row = first;
  for (int32_t ky = r.ky0; ky < r.ky1; ++ky, row += row_step, pw += 2 * (f.w - cols)) {
    const int8_t* pin = row;
    for (int32_t kx = 0; kx < cols; ++kx, pin += column_step, pw += 2) {
      const uint32_t v = valid == 4 ? dsp::load_u32(pin) : dsp::load_partial(pin, valid);
      const uint32_t ve = __sxtab16(offset2, v), vo = __sxtab16(offset2, dsp::ror8(v));
      a[0] = __smlabb(ve, pw[0], a[0]);
      a[2] = __smlatt(ve, pw[0], a[2]);
      a[1] = __smlabb(vo, pw[1], a[1]);
      a[3] = __smlatt(vo, pw[1], a[3]);
    }
  }
  const dsp::Quant* q = reinterpret_cast<const dsp::Quant*>(block + 4 + 2 * taps);
  int32_t v[4];
  for (int32_t i = 0; i < 4; ++i) {
    const int32_t ch = c + (i < valid ? i : 0);
    v[i] = dsp::requant(a[i], q[i < valid ? i : 0], quant.multiplier[ch], quant.shift[ch],
                        output_offset);
  }
  const uint32_t packed = dsp::pack_clamp4(v[0], v[1], v[2], v[3], min4, max4);
  if (valid == 4) {
    std::memcpy(out + c, &packed, 4);
  } else {
    for (int32_t i = 0; i < valid; ++i) out[c + i] = static_cast<int8_t>(packed >> (8 * i));
  }
}

void depthwise_dsp(const Conv2dParams& p, const PerChannelQuant& quant, const Dims4& in,
                   const int8_t* input, const Dims4& f, const int8_t* filter, const int32_t* bias,
                   const Dims4& out, int8_t* output, int8_t* scratch) {
  const int32_t channels = out.c;
  const int32_t groups = channels / 4;
  const int32_t all_groups = (channels + 3) / 4;
  const int32_t taps = f.h * f.w;
  const int32_t words = block_words(taps);
  uint32_t* blocks = reinterpret_cast<uint32_t*>(detail::align16(scratch));
  bool all_fast = true;
  for (int32_t g = 0; g < all_groups; ++g) {
    uint32_t* block = blocks + g * words;
    const int32_t c = 4 * g;
    const int32_t valid = channels - c < 4 ? channels - c : 4;
    int32_t sums[4] = {0, 0, 0, 0};
    for (int32_t t = 0; t < taps; ++t) {
      const int8_t* w = filter + t * channels + c;
      const uint32_t v = valid == 4 ? dsp::load_u32(w) : dsp::load_partial(w, valid);
      block[4 + 2 * t] = __sxtb16(v);
      block[4 + 2 * t + 1] = __sxtb16(dsp::ror8(v));
      for (int32_t i = 0; i < valid; ++i) sums[i] += w[i];
    }
    dsp::Quant* q = reinterpret_cast<dsp::Quant*>(block + 4 + 2 * taps);
    for (int32_t i = 0; i < 4; ++i) {
      if (i >= valid) {
        block[i] = 0;
        q[i] = dsp::Quant{0, 0, 0, 0};
        continue;
      }
      block[i] = static_cast<uint32_t>(
          detail::wrapping_add(bias != nullptr ? bias[c + i] : 0,
                               static_cast<int32_t>(static_cast<uint32_t>(sums[i]) *
                                                    static_cast<uint32_t>(p.input_offset))));
      q[i] = dsp::make_quant(quant.multiplier[c + i], quant.shift[c + i], p.output_offset);
      all_fast = all_fast && q[i].multiplier >= 0;
    }
  }
  const uint32_t offset2 = dsp::halfword_pair(p.input_offset);
  const uint32_t min4 = dsp::byte_quad(p.activation.min);
  const uint32_t max4 = dsp::byte_quad(p.activation.max);
  const int32_t column_step = p.dilation_w * in.c;
  const int32_t row_step = p.dilation_h * in.w * in.c;
  const bool fast3x3 = f.h == 3 && f.w == 3 && all_fast && groups > 0;
  // The padding row (the input zero point, 0 once the offset is added) and the tap list.
  int8_t* pad_row = reinterpret_cast<int8_t*>(blocks + all_groups * words);
  std::memset(pad_row, -p.input_offset, static_cast<size_t>(channels));
  const int8_t** list = reinterpret_cast<const int8_t**>(
      (reinterpret_cast<uintptr_t>(pad_row + channels) + 3) & ~uintptr_t{3});
  int8_t* dst = output;
  for (int32_t n = 0; n < out.n; ++n) {
    const int8_t* image = input + n * in.h * in.w * in.c;
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t y0 = oy * p.stride_h - p.pad_h;
      for (int32_t ox = 0; ox < out.w; ++ox, dst += channels) {
        const int32_t x0 = ox * p.stride_w - p.pad_w;
        const TapRange r = tap_range(p, in, f, y0, x0);
        const int8_t* first =
            image + ((y0 + r.ky0 * p.dilation_h) * in.w + x0 + r.kx0 * p.dilation_w) * in.c;
        int32_t g = 0;
        if (fast3x3 && r.ky1 - r.ky0 == 3 && r.kx1 - r.kx0 == 3) {
          interior3x3_dsp(first, blocks, column_step, row_step, dst, groups, min4, max4);
          g = groups;
        } else if (all_fast && groups > 0) {
          for (int32_t ky = 0, t = 0; ky < f.h; ++ky) {
            const int32_t y = y0 + ky * p.dilation_h;
            for (int32_t kx = 0; kx < f.w; ++kx, ++t) {
              const int32_t x = x0 + kx * p.dilation_w;
              list[t] = y >= 0 && y < in.h && x >= 0 && x < in.w ? image + (y * in.w + x) * in.c
                                                                 : pad_row;
            }
          }
          window_list_dsp(list, taps, blocks, dst, groups, min4, max4);
          g = groups;
        }
        for (; g < all_groups; ++g) {
          const int32_t c = 4 * g;
          window_dsp(first + c, blocks + g * words, channels - c < 4 ? channels - c : 4, r, f,
                     column_step, row_step, offset2, bias, quant, c, p.output_offset, min4, max4,
                     dst);
        }
      }
    }
  }
}

#endif  // TE_MAC_DSP

#if defined(TE_MAC_MVE)

namespace mve = detail::mve;

// Per group of 16 channels (the last one zero-padded), one block of scratch (16-byte words):
//   init: 4 vectors, the folded start bias + input_offset * (sum of the channel's weights) of
//         the channels in the lane order the widening products produce: A = {0, 4, 8, 12},
//         B = {2, 6, 10, 14}, C = {1, 5, 9, 13}, D = {3, 7, 11, 15};
//   per tap the 16 weights (int8);
//   left shifts of A..D (4 vectors), then per vector its multiplier and right shift.
int32_t block_bytes_mve(int32_t taps) {
  return 16 * (4 + taps + 4 + 8);
}

// One tap of 16 channels: x at [p], weights streamed from the block. 12 instructions.
#define TE_DWM_TAP            \
  "vldrb.8 q5, [r2], #16\n\t" \
  "vmullb.s8 q6, q4, q5\n\t"  \
  "vmullt.s8 q7, q4, q5\n\t"  \
  "vmovlb.s16 q4, q6\n\t"     \
  "vadd.i32 q0, q0, q4\n\t"   \
  "vmovlt.s16 q4, q6\n\t"     \
  "vadd.i32 q1, q1, q4\n\t"   \
  "vmovlb.s16 q4, q7\n\t"     \
  "vadd.i32 q2, q2, q4\n\t"   \
  "vmovlt.s16 q4, q7\n\t"     \
  "vadd.i32 q3, q3, q4\n\t"
// The output stage of one group: optional left shifts, VQRDMULH, the rounding divide,
// saturating narrowing to int16, offset, clamp, narrowing to int8, store. r8: output offset,
// r9 / r10: activation min / max, [sp]: whether any channel has a left shift.
#define TE_DWM_REQUANT(q)      \
  "vldrw.32 q4, [r2], #16\n\t" \
  "vqrdmulh.s32 " q ", " q     \
  ", q4\n\t"                   \
  "vldrw.32 q5, [r2], #16\n\t" \
  "vand q6, " q                \
  ", q5\n\t"                   \
  "vshr.s32 q6, q6, #31\n\t"   \
  "vqadd.s32 " q ", " q        \
  ", q6\n\t"                   \
  "vrshl.s32 " q ", " q ", q5\n\t"
// The output stage's constants. packed, for window9_mve: the output offset (low half, for
// VQADD.S16), bit 16 any left shift, bit 17 a clamp narrower than int8.
struct MveStage {
  int32_t output_offset, act_min, act_max, packed;
};

// A run of 3x3 windows for window9_mve: `pixels` >= 1 windows, window i's 9 tap addresses
// base + i * base_step + table_i[t] (32-bit words), table_i = table + i * table_step bytes (0:
// one table for the run).
struct Window9Run {
  const int32_t* table;
  int32_t table_step;
  int32_t pixels;
  uintptr_t base;
};

// The windows of `count` >= 1 runs one after the other: tap t's address is that of its input
// pixel, channel 0, or of a row of the input zero point for a tap in the padding (which adds 0
// given the folded init). Every group, the tap pointers advancing 16 channels per group; the
// outputs one after the other from out. Per group 12 instructions per tap (16 MACs) plus about
// 48; per window about 26, per run 10.
__attribute__((noinline)) void window9_mve(const Window9Run* runs, int32_t count,
                                           int32_t base_step, const int8_t* blocks, int8_t* out,
                                           int32_t groups, const MveStage& st) {
  register const Window9Run* r0 asm("r0") = runs;
  register int32_t r1 asm("r1") = count;
  register int32_t r4 asm("r4") = base_step;
  register const int8_t* r2 asm("r2") = blocks;
  register int8_t* r5 asm("r5") = out;
  register int32_t r11 asm("r11") = groups;
  register const MveStage* r12 asm("r12") = &st;
#define TE_DWM_X(reg) "vldrb.8 q4, [" reg "], #16\n\t"
  asm volatile(
      // Stack: [sp] act min, [sp, #4] act max, [sp, #8] r7, [sp, #12] blocks, [sp, #16]
      // groups, [sp, #20] base, [sp, #24] base step, [sp, #28] next run, [sp, #32] runs left,
      // [sp, #36] table, [sp, #40] table step, [sp, #44] windows left of the run.
      // lr: st.packed.
      "sub sp, #48\n\t"
      "str r7, [sp, #8]\n\t"
      "str r2, [sp, #12]\n\t"
      "str r11, [sp, #16]\n\t"
      "str r4, [sp, #24]\n\t"
      "str r1, [sp, #32]\n\t"
      "ldr r7, [r12, #4]\n\t"
      "str r7, [sp]\n\t"
      "ldr r7, [r12, #8]\n\t"
      "str r7, [sp, #4]\n\t"
      "ldr lr, [r12, #12]\n"
      "8:\n\t"
      "ldm r0!, {r1, r3, r4, r6}\n\t"
      "str r6, [sp, #20]\n\t"
      "str r0, [sp, #28]\n\t"
      "str r1, [sp, #36]\n\t"
      "str r3, [sp, #40]\n\t"
      "str r4, [sp, #44]\n"
      "7:\n\t"
      "ldr r1, [sp, #36]\n\t"
      "ldr r12, [sp, #40]\n\t"
      "add r12, r1\n\t"
      "str r12, [sp, #36]\n\t"
      "ldr r12, [sp, #20]\n\t"
      "ldm r1, {r0, r1, r3, r4, r6, r7, r8, r9, r10}\n\t"
      "add r0, r12\n\t"
      "add r1, r12\n\t"
      "add r3, r12\n\t"
      "add r4, r12\n\t"
      "add r6, r12\n\t"
      "add r7, r12\n\t"
      "add r8, r12\n\t"
      "add r9, r12\n\t"
      "add r10, r12\n\t"
      "ldr r2, [sp, #12]\n\t"
      "ldr r11, [sp, #16]\n"
      "1:\n\t"
      "vldrw.32 q0, [r2], #16\n\t"
      "vldrw.32 q1, [r2], #16\n\t"
      "vldrw.32 q2, [r2], #16\n\t"
      "vldrw.32 q3, [r2], #16\n\t"
      TE_DWM_X("r0") TE_DWM_TAP TE_DWM_X("r1") TE_DWM_TAP TE_DWM_X("r3") TE_DWM_TAP
      TE_DWM_X("r4") TE_DWM_TAP TE_DWM_X("r6") TE_DWM_TAP TE_DWM_X("r7") TE_DWM_TAP
      TE_DWM_X("r8") TE_DWM_TAP TE_DWM_X("r9") TE_DWM_TAP TE_DWM_X("r10") TE_DWM_TAP
      "tst lr, #0x10000\n\t"
      "beq 5f\n\t"
      "vldrw.32 q4, [r2], #16\n\t"
      "vshl.s32 q0, q0, q4\n\t"
      "vldrw.32 q4, [r2], #16\n\t"
      "vshl.s32 q1, q1, q4\n\t"
      "vldrw.32 q4, [r2], #16\n\t"
      "vshl.s32 q2, q2, q4\n\t"
      "vldrw.32 q4, [r2], #16\n\t"
      "vshl.s32 q3, q3, q4\n\t"
      "b 6f\n"
      "5:\n\t"
      "add r2, #64\n"
      "6:\n\t"
      TE_DWM_REQUANT("q0") TE_DWM_REQUANT("q1") TE_DWM_REQUANT("q2") TE_DWM_REQUANT("q3")
      // Saturate to int16, add the offset, saturate to int8: that is the clamp to the int8
      // range, so only a narrower activation range needs VMAX / VMIN.
      "vqmovnb.s32 q4, q0\n\t"
      "vqmovnt.s32 q4, q1\n\t"
      "vqmovnb.s32 q5, q2\n\t"
      "vqmovnt.s32 q5, q3\n\t"
      "vqadd.s16 q4, q4, lr\n\t"
      "vqadd.s16 q5, q5, lr\n\t"
      "vqmovnb.s16 q6, q4\n\t"
      "vqmovnt.s16 q6, q5\n\t"
      "tst lr, #0x20000\n\t"
      "beq 4f\n\t"
      "ldr r12, [sp]\n\t"
      "vdup.8 q4, r12\n\t"
      "vmax.s8 q6, q6, q4\n\t"
      "ldr r12, [sp, #4]\n\t"
      "vdup.8 q4, r12\n\t"
      "vmin.s8 q6, q6, q4\n"
      "4:\n\t"
      "vstrb.8 q6, [r5], #16\n\t"
      "subs r11, #1\n\t"
      "bne 1b\n\t"
      "ldr r0, [sp, #20]\n\t"
      "ldr r1, [sp, #24]\n\t"
      "add r0, r1\n\t"
      "str r0, [sp, #20]\n\t"
      "ldr r0, [sp, #44]\n\t"
      "subs r0, #1\n\t"
      "str r0, [sp, #44]\n\t"
      "bne 7b\n\t"
      "ldr r0, [sp, #28]\n\t"
      "ldr r1, [sp, #32]\n\t"
      "subs r1, #1\n\t"
      "str r1, [sp, #32]\n\t"
      "bne 8b\n\t"
      "ldr r7, [sp, #8]\n\t"
      "add sp, #48"
      : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r4), "+r"(r5), "+r"(r11), "+r"(r12)
      :
      : "r3", "r6", "r8", "r9", "r10", "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "cc",
        "memory");
#undef TE_DWM_X
}

#undef TE_DWM_TAP
#undef TE_DWM_REQUANT

// Any window as a list of tap addresses (list[t]: tap t's input pixel, channel 0, or a row of
// the input zero point for a tap in the padding, which adds 0 given the folded init): every
// group of one output pixel, the last one predicated so that nothing is read or written past
// the channels. The general path (not 3x3, or a partial last group): intrinsics.
void window_list_mve(const int8_t* const* list, int32_t taps, int32_t channels,
                     const int8_t* block, int32_t block_bytes, const MveStage& st, int8_t* out) {
  const int16x8_t offset = vdupq_n_s16(static_cast<int16_t>(st.output_offset));
  const int16x8_t lo = vdupq_n_s16(static_cast<int16_t>(st.act_min));
  const int16x8_t hi = vdupq_n_s16(static_cast<int16_t>(st.act_max));
  for (int32_t c = 0; c < channels; c += 16, block += block_bytes) {
    const mve_pred16_t p8 = vctp8q(static_cast<uint32_t>(channels - c));
    const int32_t* head = reinterpret_cast<const int32_t*>(block);
    int32x4_t a0 = vldrwq_s32(head), a1 = vldrwq_s32(head + 4), a2 = vldrwq_s32(head + 8),
              a3 = vldrwq_s32(head + 12);
    const int8_t* w = block + 64;
    for (int32_t t = 0; t < taps; ++t, w += 16) {
      const int8x16_t x = vldrbq_z_s8(list[t] + c, p8), ww = vldrbq_s8(w);
      const int16x8_t pe = vmullbq_int_s8(x, ww), po = vmulltq_int_s8(x, ww);
      a0 = vaddq_s32(a0, vmovlbq_s16(pe));
      a1 = vaddq_s32(a1, vmovltq_s16(pe));
      a2 = vaddq_s32(a2, vmovlbq_s16(po));
      a3 = vaddq_s32(a3, vmovltq_s16(po));
    }
    const int32_t* q = reinterpret_cast<const int32_t*>(w);
    int32x4_t acc[4] = {a0, a1, a2, a3};
    for (int32_t i = 0; i < 4; ++i) {
      const int32x4_t left = vldrwq_s32(q + 4 * i);
      const int32x4_t mult = vldrwq_s32(q + 16 + 8 * i), right = vldrwq_s32(q + 20 + 8 * i);
      acc[i] = mve::requantize(acc[i], mult, left, right);
    }
    int16x8_t e = vqmovntq_s32(vqmovnbq_s32(vdupq_n_s16(0), acc[0]), acc[1]);
    int16x8_t o = vqmovntq_s32(vqmovnbq_s32(vdupq_n_s16(0), acc[2]), acc[3]);
    e = vminq_s16(vmaxq_s16(vqaddq_s16(e, offset), lo), hi);
    o = vminq_s16(vmaxq_s16(vqaddq_s16(o, offset), lo), hi);
    vstrbq_p_s8(out + c, vmovntq_s16(vmovnbq_s16(vdupq_n_s8(0), e), o), p8);
  }
}

void depthwise_mve(const Conv2dParams& p, const PerChannelQuant& quant, const Dims4& in,
                   const int8_t* input, const Dims4& f, const int8_t* filter, const int32_t* bias,
                   const Dims4& out, int8_t* output, int8_t* scratch) {
  const int32_t channels = out.c;
  const int32_t groups = channels / 16, all_groups = (channels + 15) / 16;
  const int32_t taps = f.h * f.w;
  const int32_t block_bytes = block_bytes_mve(taps);
  int8_t* blocks = detail::align16(scratch);
  MveStage st{p.output_offset, p.activation.min, p.activation.max, 0};
  int32_t any_left = 0;
  // Fewer than 16 channels dividing 16 with stride 1 along x: one vector holds `pack`
  // neighbouring output pixels (their taps are contiguous in the input), so the block repeats
  // the channels across its lanes.
  const int32_t pack = channels < 16 && 16 % channels == 0 && p.stride_w == 1 ? 16 / channels : 1;
  for (int32_t g = 0; g < all_groups; ++g) {
    int8_t* block = blocks + g * block_bytes;
    const int32_t c0 = 16 * g;
    const int32_t valid = channels - c0 < 16 ? channels - c0 : 16;
    const mve_pred16_t p8 = vctp8q(static_cast<uint32_t>(valid));
    // The weights, and their sums per channel in the A..D lane orders (the widening moves
    // produce exactly those orders).
    int32x4_t sum[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
    for (int32_t t = 0; t < taps; ++t) {
      int8x16_t w = vldrbq_z_s8(filter + t * channels + c0, p8);
      vstrbq_s8(block + 64 + 16 * t, w);
      if (pack > 1) {
        for (int32_t lane = channels; lane < 16; ++lane) {
          block[64 + 16 * t + lane] = filter[t * channels + lane % channels];
        }
        w = vldrbq_s8(block + 64 + 16 * t);
      }
      const int16x8_t e = vmovlbq_s8(w), o = vmovltq_s8(w);
      sum[0] = vaddq_s32(sum[0], vmovlbq_s16(e));
      sum[1] = vaddq_s32(sum[1], vmovltq_s16(e));
      sum[2] = vaddq_s32(sum[2], vmovlbq_s16(o));
      sum[3] = vaddq_s32(sum[3], vmovltq_s16(o));
    }
    int32_t* head = reinterpret_cast<int32_t*>(block);
    int32_t* q = reinterpret_cast<int32_t*>(block + 16 * (4 + taps));
    for (int32_t v = 0; v < 4; ++v) vst1q_s32(head + 4 * v, vmulq_n_s32(sum[v], p.input_offset));
    for (int32_t lane = 0; lane < 16; ++lane) {
      const int32_t v = lane / 4, l = lane % 4;  // vector A..D, lane
      const int32_t in_group = 4 * l + (v >> 1) + 2 * (v & 1);  // A..D start at 0, 2, 1, 3
      const int32_t c = pack > 1 ? in_group % channels : c0 + in_group;
      if (c >= channels) {
        head[lane] = q[4 * v + l] = q[16 + 8 * v + l] = q[20 + 8 * v + l] = 0;
        continue;
      }
      if (bias != nullptr) head[lane] = detail::wrapping_add(head[lane], bias[c]);
      const int32_t shift = quant.shift[c];
      q[4 * v + l] = shift > 0 ? shift : 0;
      q[16 + 8 * v + l] = quant.multiplier[c];
      q[20 + 8 * v + l] = shift > 0 ? 0 : shift;
      if (shift > 0) any_left = 1;
    }
  }
  st.packed = (p.output_offset & 0xffff) | (any_left << 16) |
              (p.activation.min > -128 || p.activation.max < 127 ? 1 << 17 : 0);
  int8_t* pad_row = blocks + all_groups * block_bytes;
  mve::fill_bytes(pad_row, static_cast<int8_t>(-p.input_offset), 16 * all_groups);
  const int8_t** list = reinterpret_cast<const int8_t**>(pad_row + 16 * all_groups);
  const bool is3x3 = f.h == 3 && f.w == 3;
  // A window inside the input: its taps at fixed byte offsets from its corner.
  int32_t* offsets = reinterpret_cast<int32_t*>(list + taps);
  for (int32_t ky = 0, t = 0; ky < f.h; ++ky) {
    for (int32_t kx = 0; kx < f.w; ++kx, ++t) {
      offsets[t] = (ky * p.dilation_h * in.w + kx * p.dilation_w) * in.c;
    }
  }
  const int32_t extent_h = (f.h - 1) * p.dilation_h;
  // Output columns [ox_lo, ox_hi) have their windows inside the input horizontally.
  int32_t ox_lo = 0, ox_hi = out.w;
  while (ox_lo < out.w && ox_lo * p.stride_w - p.pad_w < 0) ++ox_lo;
  while (ox_hi > ox_lo && (ox_hi - 1) * p.stride_w - p.pad_w + (f.w - 1) * p.dilation_w >= in.w) {
    --ox_hi;
  }
  const int32_t column_step = p.stride_w * in.c;
  int8_t* dst = output;
  // 3x3, every group full: the windows inside the input (rows and columns) share `offsets`;
  // the others get a table each, their padding taps pointing at pad_row. Several rows per call
  // (as many as the runs and the tables in the scratch allow).
  int32_t* tables = offsets + taps;
  int32_t scratch_bytes = 0;
  depthwise_scratch(f, &scratch_bytes);
  // (The last table is written as 12 words.)
  const int32_t max_tables = static_cast<int32_t>(
      (scratch + scratch_bytes - 12 - reinterpret_cast<int8_t*>(tables)) / (4 * taps));
  if (is3x3 && groups == all_groups && max_tables >= 1) {
    // Locals: the tables are stored through int32_t pointers, which could alias p's fields.
    const int32_t stride_w = p.stride_w, pad_w = p.pad_w, dilation_w = p.dilation_w;
    const int32_t in_w = in.w, in_h = in.h, out_w = out.w;
    const uintptr_t pad_address = reinterpret_cast<uintptr_t>(pad_row);
    // The offsets as vectors of 4 taps, and the lane predicate of 4 bits of a tap mask.
    const int32x4_t offsets0 = vldrwq_s32(offsets), offsets1 = vldrwq_s32(offsets + 4),
                    offsets2 = vldrwq_z_s32(offsets + 8, vctp32q(1));
    static constexpr uint16_t kLanes[16] = {0x0000, 0x000f, 0x00f0, 0x00ff, 0x0f00, 0x0f0f,
                                            0x0ff0, 0x0fff, 0xf000, 0xf00f, 0xf0f0, 0xf0ff,
                                            0xff00, 0xff0f, 0xfff0, 0xffff};
    constexpr int32_t kRuns = 12;
    Window9Run runs[kRuns];
    int32_t count = 0, used = 0;
    int8_t* call_out = dst;  // the pending runs' outputs
    auto flush = [&]() {
      window9_mve(runs, count, column_step, blocks, call_out, groups, st);
      call_out = dst;
      count = used = 0;
    };
    // The taps (bit t) of window column ox in padding columns.
    auto column_pad = [=](int32_t ox) {
      uint32_t pad = 0;
      for (int32_t kx = 0, x = ox * stride_w - pad_w; kx < 3; ++kx, x += dilation_w) {
        if (x < 0 || x >= in_w) pad |= 0x49u << kx;  // taps kx, kx + 3, kx + 6
      }
      return pad;
    };
    // The table of the window at `corner`, taps `pad` in the padding (12 words: the next
    // table overwrites the last 3).
    auto fill_table = [&](int32_t* table, uintptr_t corner, uint32_t pad) {
      const int32x4_t to_pad = vdupq_n_s32(static_cast<int32_t>(pad_address - corner));
      vstrwq_s32(table, vpselq_s32(to_pad, offsets0, kLanes[pad & 15]));
      vstrwq_s32(table + 4, vpselq_s32(to_pad, offsets1, kLanes[(pad >> 4) & 15]));
      vstrwq_s32(table + 8, vpselq_s32(to_pad, offsets2, kLanes[pad >> 8]));
    };
    // Windows [ox, end) of the row from row_corner, a table each; row_pad: the taps in
    // padding rows.
    auto add_tables = [&](int32_t ox, int32_t end, uint32_t row_pad, uintptr_t row_corner) {
      while (ox < end) {
        if (count == kRuns || used == max_tables) flush();
        const int32_t windows = end - ox < max_tables - used ? end - ox : max_tables - used;
        int32_t* table = tables + 9 * used;
        uintptr_t corner = row_corner + static_cast<uintptr_t>(ox * column_step);
        runs[count++] = Window9Run{table, 36, windows, corner};
        used += windows;
        dst += windows * channels;
        for (const int32_t last = ox + windows; ox < last; ++ox, table += 9) {
          fill_table(table, corner, row_pad | column_pad(ox));
          corner += static_cast<uintptr_t>(column_step);
        }
      }
    };
    // Rows inside the input with few edge windows (columns [0, ox_lo) and [ox_hi, out_w)):
    // their padding taps and corner offsets once. Other rows (reaching into the padding, or
    // with many edge windows: large dilations, narrow inputs) get a table for every window.
    constexpr int32_t kEdges = 4;
    const int32_t left = ox_lo, edges = ox_lo + out_w - ox_hi;
    const bool few_edges = edges <= kEdges && edges <= max_tables;
    uint32_t edge_pad[kEdges];
    int32_t edge_offset[kEdges];
    for (int32_t e = 0; few_edges && e < edges; ++e) {
      const int32_t ox = e < left ? e : ox_hi + e - left;
      edge_pad[e] = column_pad(ox);
      edge_offset[e] = ox * column_step;
    }
    for (int32_t n = 0; n < out.n; ++n) {
      const int8_t* image = input + n * in.h * in.w * in.c;
      for (int32_t oy = 0; oy < out.h; ++oy) {
        const int32_t y0 = oy * p.stride_h - p.pad_h;
        // The address of window column 0's corner (as an integer: it may lie outside).
        const uintptr_t row_corner =
            reinterpret_cast<uintptr_t>(image) + static_cast<uintptr_t>((y0 * in_w - pad_w) * in.c);
        if (y0 >= 0 && y0 + extent_h < in_h && few_edges) {
          if (count > kRuns - 3 || used > max_tables - edges) flush();
          int32_t* table = tables + 9 * used;
          used += edges;
          for (int32_t e = 0; e < edges; ++e) {
            fill_table(table + 9 * e, row_corner + static_cast<uintptr_t>(edge_offset[e]),
                       edge_pad[e]);
          }
          if (left > 0) runs[count++] = Window9Run{table, 36, left, row_corner};
          if (ox_hi > ox_lo) {
            runs[count++] = Window9Run{offsets, 0, ox_hi - ox_lo,
                                       row_corner + static_cast<uintptr_t>(ox_lo * column_step)};
          }
          if (out_w > ox_hi) {
            runs[count++] = Window9Run{table + 9 * left, 36, out_w - ox_hi,
                                       row_corner + static_cast<uintptr_t>(ox_hi * column_step)};
          }
          dst += out_w * channels;
        } else {
          uint32_t row_pad = 0;
          for (int32_t ky = 0, y = y0; ky < 3; ++ky, y += p.dilation_h) {
            if (y < 0 || y >= in_h) row_pad |= 7u << (3 * ky);
          }
          add_tables(0, out_w, row_pad, row_corner);
        }
      }
    }
    if (count > 0) flush();
    return;
  }
  for (int32_t n = 0; n < out.n; ++n) {
    const int8_t* image = input + n * in.h * in.w * in.c;
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t y0 = oy * p.stride_h - p.pad_h;
      const bool rows_inside = y0 >= 0 && y0 + extent_h < in.h;
      // The address of window column 0's corner (as an integer: it may lie outside).
      const uintptr_t row_corner =
          reinterpret_cast<uintptr_t>(image) + static_cast<uintptr_t>((y0 * in.w - p.pad_w) * in.c);
      for (int32_t ox = 0; ox < out.w; ++ox, dst += channels) {
        const int32_t x0 = ox * p.stride_w - p.pad_w;
        if (rows_inside && is3x3 && pack > 1 && ox == ox_lo && ox_hi - ox_lo >= pack) {
          // The row's windows inside the input in one call: whole vectors of pixels (the rest
          // one by one below).
          const int32_t run = (ox_hi - ox_lo) / pack * pack;
          const Window9Run all{offsets, 0, run / pack,
                               row_corner + static_cast<uintptr_t>(ox * column_step)};
          window9_mve(&all, 1, pack * column_step, blocks, dst, 1, st);
          ox += run - 1;
          dst += (run - 1) * channels;
          continue;
        }
        // The taps' addresses (as integers: the window's corner may lie outside the input).
        const uintptr_t corner = row_corner + static_cast<uintptr_t>(ox * column_step);
        for (int32_t ky = 0, t = 0; ky < f.h; ++ky) {
          const int32_t y = y0 + ky * p.dilation_h;
          const bool row_inside = y >= 0 && y < in.h;
          for (int32_t kx = 0; kx < f.w; ++kx, ++t) {
            const int32_t x = x0 + kx * p.dilation_w;
            list[t] =
                row_inside && x >= 0 && x < in.w
                    ? reinterpret_cast<const int8_t*>(corner + static_cast<uintptr_t>(offsets[t]))
                    : pad_row;
          }
        }
        window_list_mve(list, taps, channels, blocks, block_bytes, st, dst);
      }
    }
  }
}

#endif  // TE_MAC_MVE

}  // namespace

int32_t depthwise_conv2d_s8_scratch_size(const Conv2dParams& params, const Dims4& input_dims,
                                         const Dims4& filter_dims, const Dims4& output_dims) {
  (void)params;
  (void)input_dims;
  (void)output_dims;
  int32_t bytes = 0;
  return depthwise_scratch(filter_dims, &bytes) ? bytes : 0;
}

namespace {

// depthwise_conv2d_s8_check's work, the spans by reference (copying them costs more code than
// the checks).
Status check_depthwise(const Conv2dParams& params, const PerChannelQuant& quant,
                       const Dims4& input_dims, const Span<const int8_t>& input,
                       const Dims4& filter_dims, const Span<const int8_t>& filter,
                       const Span<const int32_t>& bias, const Dims4& output_dims,
                       const Span<int8_t>& output, const Span<int8_t>& scratch) {
  TE_RETURN_IF_ERROR(detail::check_conv_arguments(params, quant, input_dims, input, filter_dims,
                                                  filter, bias, output_dims, output,
                                                  depthwise_channels_agree));
  int32_t needed = 0;
  TE_CHECK(depthwise_scratch(filter_dims, &needed), Status::kOverflow);
  TE_CHECK(scratch.size() >= static_cast<size_t>(needed), Status::kScratchTooSmall);
  TE_CHECK(scratch.data() != nullptr, Status::kNullPointer);
  return Status::kOk;
}

}  // namespace

Status depthwise_conv2d_s8_check(const Conv2dParams& params, const PerChannelQuant& quant,
                                 const Dims4& input_dims, Span<const int8_t> input,
                                 const Dims4& filter_dims, Span<const int8_t> filter,
                                 Span<const int32_t> bias, const Dims4& output_dims,
                                 Span<int8_t> output, Span<int8_t> scratch) {
  return check_depthwise(params, quant, input_dims, input, filter_dims, filter, bias, output_dims,
                         output, scratch);
}

Status depthwise_conv2d_s8(const Conv2dParams& params, const PerChannelQuant& quant,
                           const Dims4& input_dims, Span<const int8_t> input,
                           const Dims4& filter_dims, Span<const int8_t> filter,
                           Span<const int32_t> bias, const Dims4& output_dims, Span<int8_t> output,
                           Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(check_depthwise(params, quant, input_dims, input, filter_dims, filter, bias,
                                     output_dims, output, scratch));
  const bool multiplier_one = output_dims.c == input_dims.c;
#if defined(TE_MAC_MVE)
  if (multiplier_one) {
    depthwise_mve(params, quant, input_dims, input.data(), filter_dims, filter.data(),
                  detail::bias_or_null(bias), output_dims, output.data(), scratch.data());
    return Status::kOk;
  }
#elif defined(TE_MAC_DSP)
  if (multiplier_one) {
    depthwise_dsp(params, quant, input_dims, input.data(), filter_dims, filter.data(),
                  detail::bias_or_null(bias), output_dims, output.data(), scratch.data());
    return Status::kOk;
  }
#else
  (void)multiplier_one;
#endif
  depthwise_portable(params, quant, input_dims, input.data(), filter_dims, filter.data(),
                     detail::bias_or_null(bias), output_dims, output.data());
  return Status::kOk;
}

}  // namespace tinyexec::kernels
