// SPDX-License-Identifier: Apache-2.0
// conv2d_s8 in three variants selected at compile time, side by side: Helium (TE_MAC_MVE), DSP
// (TE_MAC_DSP) and the portable reference. All give the reference's bits. The accelerated ones
// treat every convolution (any kernel size, 1x1 and 1xN included, strides, dilations, padding,
// groups) as a matrix product over im2col columns:
// - DSP: two output pixels at a time, their windows widened to int16 with the input offset
//   added (padding becomes 0), times two output channels (SMLAD: 16 MACs in 16 instructions).
// - Helium: one pixel's window as int8 (padding filled with the input zero point, i.e. 0 after
//   the offset), four output channels at a time (VMLADAVA, 16 MACs per instruction); the
//   input offset enters through per-channel weight sums computed once per call. 1x1 kernels
//   read the input pixels directly.
#include "tinyexec/kernels/conv.h"

#include <cstring>

#include "common_s8.h"
#include "conv_checks.h"
#include "mac_dsp.h"
#include "mac_mve.h"

namespace tinyexec::kernels {
namespace {

// Groups = in.c / f.c; every group gets the same number of output channels.
bool conv_channels_agree(const Dims4& in, const Dims4& f, const Dims4& out) {
  return in.c % f.c == 0 && out.c == f.n && out.c % (in.c / f.c) == 0;
}

// Scratch, the same on every target: 5 bytes per window value rounded up to 16 (DSP: the
// widened column pair, 4 bytes per value, and an int8 staging column; Helium: four int8
// columns), 64 bytes per 3 output channels of a group, rounded up (the requantization
// records: DSP 16 bytes per channel; Helium one 64-byte table per tile of 3 or 4 channels),
// and 16 for alignment.
bool conv_scratch(const Dims4& in, const Dims4& f, const Dims4& out, int32_t* bytes) {
  if (f.h <= 0 || f.w <= 0 || f.c <= 0 || in.c <= 0 || out.c <= 0) return false;
  const int64_t k = int64_t{f.h} * f.w * f.c;
  if (k > INT32_MAX - 15) return false;
  const int32_t groups = in.c / f.c > 0 ? in.c / f.c : 1;
  const int64_t tables = int64_t{groups} * ((out.c / groups + 2) / 3);
  const int64_t total = 5 * ((k + 15) & ~int64_t{15}) + 64 * tables + 16;
  if (total > INT32_MAX) return false;
  *bytes = static_cast<int32_t>(total);
  return true;
}

#if !defined(TE_MAC_DSP) && !defined(TE_MAC_MVE)
// The reference: one output at a time.
void conv_portable(const Conv2dParams& params, const PerChannelQuant& quant, const Dims4& in,
                   const int8_t* input, const Dims4& f, const int8_t* filter,
                   const int32_t* bias_data, const Dims4& out, int8_t* dst) {
  const int32_t out_per_group = out.c / (in.c / f.c);
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t y0 = oy * params.stride_h - params.pad_h;
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t x0 = ox * params.stride_w - params.pad_w;
        for (int32_t oc = 0; oc < out.c; ++oc) {
          const int32_t first_ic = (oc / out_per_group) * f.c;
          int32_t acc = bias_data != nullptr ? bias_data[oc] : 0;
          for (int32_t ky = 0; ky < f.h; ++ky) {
            const int32_t y = y0 + ky * params.dilation_h;
            if (y < 0 || y >= in.h) continue;
            for (int32_t kx = 0; kx < f.w; ++kx) {
              const int32_t x = x0 + kx * params.dilation_w;
              if (x < 0 || x >= in.w) continue;
              const int8_t* src = input + ((n * in.h + y) * in.w + x) * in.c + first_ic;
              const int8_t* w = filter + ((oc * f.h + ky) * f.w + kx) * f.c;
              for (int32_t ic = 0; ic < f.c; ++ic) {
                acc = detail::wrapping_add(acc, (src[ic] + params.input_offset) * w[ic]);
              }
            }
          }
          *dst++ = detail::output_stage(acc, quant.multiplier[oc], quant.shift[oc],
                                        params.output_offset, params.activation);
        }
      }
    }
  }
}
#endif

#if defined(TE_MAC_DSP) || defined(TE_MAC_MVE)

// Where one output pixel's window lies in the input (batch n, group channels at first_ic).
struct Window {
  const int8_t* image;  // input + batch n + first_ic
  int32_t y0, x0;       // top-left corner (may be negative: padding)
};

inline void copy_run(int8_t* dst, const int8_t* src, int32_t n) {
#if defined(TE_MAC_MVE)
  detail::mve::copy_bytes(dst, src, n);
#else
  std::memcpy(dst, src, static_cast<size_t>(n));
#endif
}
inline void fill_run(int8_t* dst, int8_t value, int32_t n) {
#if defined(TE_MAC_MVE)
  detail::mve::fill_bytes(dst, value, n);
#else
  std::memset(dst, value, static_cast<size_t>(n));
#endif
}

// Copies the window of an output pixel into col (K = f.h * f.w * f.c int8 values, OHWI
// order), taps outside the input set to pad_value. Neighbouring taps inside the input are one
// run when they are contiguous there (no dilation along x, one group).
__attribute__((noinline)) void gather_window(const Conv2dParams& p, const Dims4& in, const Dims4& f,
                                             const Window& win, int8_t pad_value, int8_t* col) {
  const bool contiguous = p.dilation_w == 1 && f.c == in.c;
  for (int32_t ky = 0; ky < f.h; ++ky) {
    const int32_t y = win.y0 + ky * p.dilation_h;
    for (int32_t kx = 0; kx < f.w;) {
      const int32_t x = win.x0 + kx * p.dilation_w;
      int32_t taps = 1;
      if (y < 0 || y >= in.h || x < 0 || x >= in.w) {
        fill_run(col, pad_value, f.c);
      } else {
        while (contiguous && kx + taps < f.w && x + taps < in.w) ++taps;
        copy_run(col, win.image + (y * in.w + x) * in.c, taps * f.c);
      }
      kx += taps;
      col += taps * f.c;
    }
  }
}

#endif

#if defined(TE_MAC_DSP)

namespace dsp = detail::dsp;

// One group of four window values for 2 channels x 2 pixels, 16 instructions per 16 MACs, in
// fixed registers for tiles_2x2_dsp: r0..r3 a00, a01, a10, a11; r4, r5 x0, x1;
// r6, r7 y0, y1; r8 w; r9 v; r10, r11 the weight rows; r12 the column pair.
#define TE_CONV_GROUP_FIXED     \
  "ldrd r6, r7, [r12, #8]\n\t"  \
  "ldrd r4, r5, [r12], #16\n\t" \
  "ldr r8, [r10], #4\n\t"       \
  "sxtb16 r9, r8, ror #8\n\t"   \
  "sxtb16 r8, r8\n\t"           \
  "smlad r0, r8, r4, r0\n\t"    \
  "smlad r0, r9, r5, r0\n\t"    \
  "smlad r1, r8, r6, r1\n\t"    \
  "smlad r1, r9, r7, r1\n\t"    \
  "ldr r8, [r11], #4\n\t"       \
  "sxtb16 r9, r8, ror #8\n\t"   \
  "sxtb16 r8, r8\n\t"           \
  "smlad r2, r8, r4, r2\n\t"    \
  "smlad r2, r9, r5, r2\n\t"    \
  "smlad r3, r8, r6, r3\n\t"    \
  "smlad r3, r9, r7, r3\n\t"
// The output stage of one accumulator with records built without the output offset: mac_dsp.h's,
// then the offset held in r11 added before saturating.
#define TE_CONV_REQUANT_POST(a) \
  TE_DSP_REQUANT_ASM(a) "add " a ", " a ", r11\n\t" "ssat " a ", #8, " a "\n\t"
struct DspConv {
  const Conv2dParams* p;
  const Dims4* in;
  const Dims4* f;
  const PerChannelQuant* quant;
  const int32_t* bias;
  const dsp::Quant* table;  // per output channel
  uint32_t* cols;           // the widened column pair
  int8_t* stage;            // int8 staging column
  int32_t k, full, tail;    // window values, full groups of four, values in the last group
  uint32_t offset2, min4, max4;
  int32_t post_offset;      // added to every precomputed channel's result (records without it)
};

// Fills column slot `slot` (0 or 1) for one output pixel.
void fill_column(const DspConv& d, const Window& win, int32_t slot) {
  const Dims4& f = *d.f;
  const int8_t* src;
  if (f.h == 1 && f.w == 1) {
    src = win.image + (win.y0 * d.in->w + win.x0) * d.in->c;  // 1x1: never padded
  } else {
    gather_window(*d.p, *d.in, f, win, static_cast<int8_t>(-d.p->input_offset), d.stage);
    src = d.stage;
  }
  uint32_t* dst = d.cols + 2 * slot;
  dsp::widen_groups<4>(src, d.full, d.offset2, dst);
  if (d.tail > 0) dsp::widen_tail(src + 4 * d.full, d.tail, d.p->input_offset, dst + 4 * d.full);
}

// Output channels c and c1 (c + 1, or c again when that does not exist) for the column pair;
// stores out0[c..] and, when out1 is not null, out1[c..].
__attribute__((noinline)) void channel_pair(const DspConv& d, const int8_t* filter, int32_t c,
                                            int32_t c1, int8_t* out0, int8_t* out1) {
  const int8_t* w0 = filter + c * d.k;
  const int8_t* w1 = filter + c1 * d.k;
  int32_t a00 = 0, a10 = 0;
  if (d.bias != nullptr) a00 = d.bias[c], a10 = d.bias[c1];
  int32_t a01 = a00, a11 = a10;
  const uint32_t* col = d.cols;
  for (int32_t g = 0; g < d.full; ++g, col += 4, w0 += 4, w1 += 4) {
    const uint32_t wa = dsp::load_u32(w0), wb = dsp::load_u32(w1);
    a00 = dsp::dot_group(a00, wa, col[0], col[1]);
    a01 = dsp::dot_group(a01, wa, col[2], col[3]);
    a10 = dsp::dot_group(a10, wb, col[0], col[1]);
    a11 = dsp::dot_group(a11, wb, col[2], col[3]);
  }
  if (d.tail > 0) {
    const uint32_t wt0 = dsp::load_partial(w0, d.tail), wt1 = dsp::load_partial(w1, d.tail);
    a00 = dsp::dot_group(a00, wt0, col[0], col[1]);
    a01 = dsp::dot_group(a01, wt0, col[2], col[3]);
    a10 = dsp::dot_group(a10, wt1, col[0], col[1]);
    a11 = dsp::dot_group(a11, wt1, col[2], col[3]);
  }
  const dsp::Quant& q0 = d.table[c];
  const dsp::Quant& q1 = d.table[c1];
  int32_t v00, v01, v10, v11;
  if ((q0.multiplier | q1.multiplier) >= 0) {
    const int32_t off = d.post_offset;
    v00 = dsp::requant_fast(a00, q0) + off, v01 = dsp::requant_fast(a01, q0) + off;
    v10 = dsp::requant_fast(a10, q1) + off, v11 = dsp::requant_fast(a11, q1) + off;
  } else {  // only with records that include the offset (post_offset 0)
    const int32_t* m = d.quant->multiplier.data();
    const int32_t* s = d.quant->shift.data();
    const int32_t off = d.p->output_offset;
    v00 = dsp::requant(a00, q0, m[c], s[c], off), v01 = dsp::requant(a01, q0, m[c], s[c], off);
    v10 = dsp::requant(a10, q1, m[c1], s[c1], off);
    v11 = dsp::requant(a11, q1, m[c1], s[c1], off);
  }
  const uint32_t packed = dsp::pack_clamp4(v00, v10, v01, v11, d.min4, d.max4);
  if (c1 != c) {
    const uint16_t lo = static_cast<uint16_t>(packed), hi = static_cast<uint16_t>(packed >> 16);
    std::memcpy(out0 + c, &lo, 2);
    if (out1 != nullptr) std::memcpy(out1 + c, &hi, 2);
  } else {
    out0[c] = static_cast<int8_t>(packed);
    if (out1 != nullptr) out1[c] = static_cast<int8_t>(packed >> 16);
  }
}

// The assembly tile loop's arguments (offsets used by it in comments).
struct DspTileJob {
  const uint32_t* cols;     // 0: the widened column pair
  const int8_t* w;          // 4: the first channel's weights (rows contiguous, k each)
  int32_t k;                // 8
  const int32_t* bias;      // 12: the first channel's bias (or zeros)
  int32_t bias_step;        // 16: 8 (a channel pair) or 0
  int32_t quads;            // 20: groups of four window values (ceil(k / 4)) / 4
  int32_t rest;             // 24: and % 4
  int32_t pad4;             // 28: 4 * ceil(k / 4) - k
  const dsp::Quant* table;  // 32: the first channel's record
  int8_t* out0;             // 36: pixel 0's output at the first channel
  int8_t* out1;             // 40: pixel 1's
  int8_t* out0_end;         // 44: out0 after the last pair
  uint32_t min4, max4;      // 48, 52
  int32_t clamp;            // 56: whether the activation range is narrower than int8
  int32_t output_offset;    // 60: added after the records' shift (tiles_2x2_dsp_post only)
};

// Channel pairs from the job's first channel to out0_end for the column pair (2 channels x 2
// pixels per tile): every group of four window values in 16 instructions (the last one may read
// up to 3 weight bytes of the next row, multiplied by the column's zero padding), the output
// stage from the precomputed records (every channel's must be the precomputed kind). About 60
// instructions per tile besides the groups.
// The tile loop's assembly, with REQUANT the output stage of one accumulator and LOAD_POST
// what the _POST stage needs loaded into r11 (the output offset) after the last group.
#define TE_CONV_TILES_ASM(LOAD_POST, REQUANT)                                      \
  "push {r0, r7}\n"                                                                \
  "1:\n\t"                                                                         \
  "ldr lr, [sp]\n\t"                                                               \
  "ldm lr, {r8, r10, r11, r12}\n\t" /* cols, w, k, bias */                         \
  "ldrd r0, r2, [r12]\n\t"                                                         \
  "ldr r9, [lr, #16]\n\t"                                                          \
  "add r12, r9\n\t"                                                                \
  "str r12, [lr, #12]\n\t"                                                         \
  "mov r12, r8\n\t"                                                                \
  "add r11, r10, r11\n\t"                                                          \
  "mov r1, r0\n\t"                                                                 \
  "mov r3, r2\n\t"                                                                 \
  "ldr lr, [lr, #20]\n\t"                                                          \
  "cmp lr, #0\n\t"                                                                 \
  "beq 3f\n"                                                                       \
  "2:\n\t" TE_CONV_GROUP_FIXED TE_CONV_GROUP_FIXED TE_CONV_GROUP_FIXED             \
      TE_CONV_GROUP_FIXED                                                          \
  "subs lr, #1\n\t"                                                                \
  "bne 2b\n"                                                                       \
  "3:\n\t"                                                                         \
  "ldr lr, [sp]\n\t"                                                               \
  "ldr lr, [lr, #24]\n\t"                                                          \
  "cmp lr, #0\n\t"                                                                 \
  "beq 5f\n"                                                                       \
  "4:\n\t" TE_CONV_GROUP_FIXED                                                     \
  "subs lr, #1\n\t"                                                                \
  "bne 4b\n"                                                                       \
  "5:\n\t"                                                                         \
  "ldr lr, [sp]\n\t"                                                               \
  "ldr r12, [lr, #28]\n\t"                                                         \
  "sub r10, r11, r12\n\t"                                                          \
  "str r10, [lr, #4]\n\t" LOAD_POST                                                \
  "ldr r12, [lr, #32]\n\t"                                                         \
  "ldm r12!, {r4, r5, r6, r7}\n\t" REQUANT("r0") REQUANT("r1")                      \
  "ldm r12!, {r4, r5, r6, r7}\n\t" REQUANT("r2") REQUANT("r3")                      \
  "str r12, [lr, #32]\n\t"                                                         \
  "bfi r0, r2, #8, #8\n\t"                                                         \
  "bfi r1, r3, #8, #8\n\t"                                                         \
  "bfi r0, r1, #16, #16\n\t"                                                       \
  "ldr r4, [lr, #56]\n\t"                                                          \
  "cbz r4, 6f\n\t"                                                                 \
  "ldrd r4, r5, [lr, #48]\n\t"                                                     \
  "ssub8 r6, r0, r4\n\t"                                                           \
  "sel r0, r0, r4\n\t"                                                             \
  "ssub8 r6, r5, r0\n\t"                                                           \
  "sel r0, r0, r5\n"                                                               \
  "6:\n\t"                                                                         \
  "ldrd r4, r5, [lr, #36]\n\t"                                                     \
  "strh r0, [r4], #2\n\t"                                                          \
  "lsr r0, r0, #16\n\t"                                                            \
  "strh r0, [r5], #2\n\t"                                                          \
  "strd r4, r5, [lr, #36]\n\t"                                                     \
  "ldr r5, [lr, #44]\n\t"                                                          \
  "cmp r4, r5\n\t"                                                                 \
  "bne 1b\n\t"                                                                     \
  "pop {r0, r7}"
#define TE_CONV_TILES_CLOBBERS \
  "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory"

__attribute__((noinline)) void tiles_2x2_dsp(DspTileJob& job) {
  register DspTileJob* r0 asm("r0") = &job;
  asm volatile(TE_CONV_TILES_ASM("", TE_DSP_REQUANT_SAT_ASM) : "+r"(r0) : : TE_CONV_TILES_CLOBBERS);
}

// The same with records built without the output offset (shifts past 23), added afterwards.
__attribute__((noinline)) void tiles_2x2_dsp_post(DspTileJob& job) {
  register DspTileJob* r0 asm("r0") = &job;
  asm volatile(TE_CONV_TILES_ASM("ldr r11, [lr, #60]\n\t", TE_CONV_REQUANT_POST)
               : "+r"(r0)
               :
               : TE_CONV_TILES_CLOBBERS);
}

// Every channel's precomputed record for the output offset `offset`; whether all have one.
bool build_table(const PerChannelQuant& quant, int32_t channels, int32_t offset,
                 dsp::Quant* table) {
  bool all_fast = true;
  for (int32_t c = 0; c < channels; ++c) {
    table[c] = dsp::make_quant(quant.multiplier[c], quant.shift[c], offset);
    all_fast = all_fast && table[c].multiplier >= 0;
  }
  return all_fast;
}

void conv_dsp(const Conv2dParams& p, const PerChannelQuant& quant, const Dims4& in,
              const int8_t* input, const Dims4& f, const int8_t* filter, const int32_t* bias,
              const Dims4& out, int8_t* output, int8_t* scratch) {
  DspConv d;
  d.p = &p, d.in = &in, d.f = &f, d.quant = &quant, d.bias = bias;
  d.k = f.h * f.w * f.c;
  d.full = d.k / 4, d.tail = d.k % 4;
  const int32_t groups4 = (d.k + 3) / 4;
  d.cols = reinterpret_cast<uint32_t*>(detail::align16(scratch));
  d.stage = reinterpret_cast<int8_t*>(d.cols + 4 * groups4);
  dsp::Quant* table = reinterpret_cast<dsp::Quant*>(d.stage + 4 * groups4);
  // Records with the output offset inside when every channel allows it, else (a layer with
  // near-dead channels, whose shifts are past 23) without it, the offset added afterwards.
  d.post_offset = 0;
  bool all_fast = build_table(quant, out.c, p.output_offset, table);
  if (!all_fast && p.output_offset != 0) {
    if (build_table(quant, out.c, 0, table)) {
      all_fast = true, d.post_offset = p.output_offset;
    } else {
      build_table(quant, out.c, p.output_offset, table);
    }
  }
  d.table = table;
  static const int32_t kZeros[2] = {0, 0};
  const int32_t clamp = p.activation.min > -128 || p.activation.max < 127;
  d.offset2 = dsp::halfword_pair(p.input_offset);
  d.min4 = dsp::byte_quad(p.activation.min);
  d.max4 = dsp::byte_quad(p.activation.max);
  // The staging column's padding becomes 0 once the offset is added; its last partial group
  // is padded the same way.
  if (d.tail > 0) std::memset(d.stage + d.k, -p.input_offset, static_cast<size_t>(4 - d.tail));

  const int32_t groups = in.c / f.c, per_group = out.c / groups;
  const int32_t pixels = out.h * out.w;
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t g = 0; g < groups; ++g) {
      const int8_t* image = input + n * in.h * in.w * in.c + g * f.c;
      int32_t oy = 0, ox = 0;
      for (int32_t px = 0; px < pixels; px += 2) {
        const Window w0{image, oy * p.stride_h - p.pad_h, ox * p.stride_w - p.pad_w};
        if (++ox == out.w) ox = 0, ++oy;
        int8_t* out0 = output + (n * pixels + px) * out.c;
        int8_t* out1 = nullptr;
        fill_column(d, w0, 0);
        if (px + 1 < pixels) {
          const Window w1{image, oy * p.stride_h - p.pad_h, ox * p.stride_w - p.pad_w};
          if (++ox == out.w) ox = 0, ++oy;
          fill_column(d, w1, 1);
          out1 = out0 + out.c;
        } else {
          fill_column(d, w0, 1);
        }
        const int32_t end = (g + 1) * per_group;
        int32_t c = g * per_group;
        if (all_fast && out1 != nullptr) {
          // The assembly tiles: full pairs, except one whose last weight group would be read
          // past the filter's end.
          int32_t pairs = (end - c) / 2;
          if (d.tail > 0 && c + 2 * pairs == out.c) --pairs;
          if (pairs > 0) {
            DspTileJob job{d.cols,
                           filter + c * d.k,
                           d.k,
                           bias != nullptr ? bias + c : kZeros,
                           bias != nullptr ? 8 : 0,
                           groups4 / 4,
                           groups4 % 4,
                           4 * groups4 - d.k,
                           table + c,
                           out0 + c,
                           out1 + c,
                           out0 + c + 2 * pairs,
                           d.min4,
                           d.max4,
                           clamp,
                           d.post_offset};
            if (d.post_offset != 0) {
              tiles_2x2_dsp_post(job);
            } else {
              tiles_2x2_dsp(job);
            }
            c += 2 * pairs;
          }
        }
        for (; c < end; c += 2) {
          channel_pair(d, filter, c, c + 1 < end ? c + 1 : c, out0, out1);
        }
      }
    }
  }
}

#undef TE_CONV_GROUP_FIXED
#undef TE_CONV_REQUANT_POST
#undef TE_CONV_TILES_ASM
#undef TE_CONV_TILES_CLOBBERS

#endif  // TE_MAC_DSP

#if defined(TE_MAC_MVE)

namespace mve = detail::mve;

// The output-stage tables of every group's tiles of `width` (3 or 4) channels (lanes past the
// tile's channels zero; a group's last tile may have fewer): init = bias + input_offset * (sum of
// the filter row), the padding trick making that offset term the same for every pixel.
void build_tables_mve(const PerChannelQuant& quant, const int8_t* filter, int32_t k,
                      const int32_t* bias, int32_t input_offset, int32_t groups, int32_t per_group,
                      int32_t width, mve::QuantTile* table) {
  const int32_t tiles = (per_group + width - 1) / width;
  for (int32_t g = 0; g < groups; ++g) {
    for (int32_t t = 0; t < tiles; ++t, ++table) {
      const int32_t c = g * per_group + width * t;
      const int32_t valid = per_group - width * t < width ? per_group - width * t : width;
      const int8_t* w0 = filter + c * k;
      const int8_t* w1 = valid > 1 ? w0 + k : w0;
      const int8_t* w2 = valid > 2 ? w1 + k : w1;
      const int8_t* w3 = valid > 3 ? w2 + k : w2;
      int32_t sums[4];
      mve::sum_4(w0, w1, w2, w3, k, sums[0], sums[1], sums[2], sums[3]);
      for (int32_t i = 0; i < 4; ++i) {
        if (i >= valid) {
          table->init[i] = table->left[i] = table->multiplier[i] = table->right[i] = 0;
          continue;
        }
        const uint32_t offset_term =
            static_cast<uint32_t>(sums[i]) * static_cast<uint32_t>(input_offset);
        table->init[i] = detail::wrapping_add(bias != nullptr ? bias[c + i] : 0,
                                              static_cast<int32_t>(offset_term));
        const int32_t shift = quant.shift[c + i];
        table->left[i] = shift > 0 ? shift : 0;
        table->multiplier[i] = quant.multiplier[c + i];
        table->right[i] = shift > 0 ? 0 : shift;
      }
    }
  }
}

// A group's last, partial tile (channels [c, c + valid)) for one column.
void partial_tile_mve(const int8_t* col, const int8_t* w0, int32_t k, int32_t valid,
                      const mve::QuantTile& q, int32_t output_offset, int32x4_t act_min,
                      int32x4_t act_max, int8_t* out) {
  const int8_t* w1 = valid > 1 ? w0 + k : w0;
  const int8_t* w2 = valid > 2 ? w1 + k : w1;
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  mve::dot_1x4(col, w0, w1, w2, w2, k, a0, a1, a2, a3);
  const int32x4_t acc = vaddq_s32(mve::lanes(a0, a1, a2, a3), vldrwq_s32(q.init));
  const mve::Quant4 quant{vldrwq_s32(q.multiplier), vldrwq_s32(q.left), vldrwq_s32(q.right)};
  const int32x4_t v = mve::output_stage(acc, quant, output_offset, act_min, act_max);
  vstrbq_p_s32(out, v, vctp32q(static_cast<uint32_t>(valid)));
}

// Every column of a job: the full tiles with the assembly loops (two columns at a time when
// k <= 16), a partial last tile (`rest` channels, table entry job.tiles) in C.
// Every column of a job: the full tiles with the assembly loops (two columns at a time when
// k <= 16 or with 3-channel tiles), a partial last tile (`rest` channels, table entry
// job.tiles) in C.
void run_job(const mve::TileJob& start, int32_t width, int32_t rest, int32x4_t act_min,
             int32x4_t act_max) {
  mve::TileJob job = start;
  if (job.tiles > 0) {
    if (width == 3) {
      const int32_t odd = job.columns & 1;
      job.columns -= odd;
      if (job.columns > 0) mve::tiles_2x3(job, act_min, act_max);
      if (odd) {  // the last column twice
        job = start;
        job.x = start.x + (start.columns - 1) * start.x_step;
        job.out = start.out + (start.columns - 1) * start.out_step;
        job.columns = 2;
        job.x_step = job.out_step = 0;
        mve::tiles_2x3(job, act_min, act_max);
      }
    } else if (job.k <= 16 && job.columns >= 2) {
      const int32_t odd = job.columns & 1;
      job.columns -= odd;
      mve::tiles_2x4_short(job, act_min, act_max);
      if (odd) {
        job.x = start.x + job.columns * job.x_step;
        job.columns = 1;
        mve::tiles_1x4(job, act_min, act_max);
      }
    } else {
      mve::tiles_1x4(job, act_min, act_max);
    }
  }
  if (rest > 0) {
    const int32_t c = width * start.tiles;
    for (int32_t j = 0; j < start.columns; ++j) {
      partial_tile_mve(start.x + j * start.x_step, start.w + c * start.k, start.k, rest,
                       start.table[start.tiles], start.output_offset, act_min, act_max,
                       start.out + j * start.out_step + c);
    }
  }
}

void conv_mve(const Conv2dParams& p, const PerChannelQuant& quant, const Dims4& in,
              const int8_t* input, const Dims4& f, const int8_t* filter, const int32_t* bias,
              const Dims4& out, int8_t* output, int8_t* scratch) {
  const int32_t k = f.h * f.w * f.c;
  const int32_t groups = in.c / f.c, per_group = out.c / groups;
  // Large windows: 3 channels x 2 pixels per tile (12 instructions per 96 MACs); otherwise 4
  // channels x 1 pixel (10 per 64), or 4 x 2 when k <= 16.
  const int32_t width = per_group >= 3 && (k >= 256 || (k >= 128 && per_group % 3 == 0)) ? 3 : 4;
  const int32_t full_tiles = per_group / width, rest = per_group % width;
  const int32_t tiles = full_tiles + (rest > 0 ? 1 : 0);
  // Four im2col columns, then the tables.
  int8_t* col0 = detail::align16(scratch);
  mve::QuantTile* table = reinterpret_cast<mve::QuantTile*>(col0 + 4 * ((k + 15) & ~15));
  build_tables_mve(quant, filter, k, bias, p.input_offset, groups, per_group, width, table);
  const int32x4_t act_min = vdupq_n_s32(p.activation.min);
  const int32x4_t act_max = vdupq_n_s32(p.activation.max);
  mve::TileJob job;
  job.k = k;
  job.tiles = full_tiles;
  job.out_step = out.c;
  job.output_offset = p.output_offset;
  const int32_t pixels = out.h * out.w;
  if (f.h == 1 && f.w == 1) {
    // 1x1 (never padded): the input pixels are the columns, a row of them per job (the whole
    // image when the stride is 1).
    const bool whole = p.stride_h == 1 && p.stride_w == 1;
    for (int32_t n = 0; n < out.n; ++n) {
      for (int32_t oy = 0; oy < (whole ? 1 : out.h); ++oy) {
        for (int32_t g = 0; g < groups; ++g) {
          job.x = input + ((n * in.h + oy * p.stride_h) * in.w) * in.c + g * f.c;
          job.x_step = p.stride_w * in.c;
          job.columns = whole ? pixels : out.w;
          job.w = filter + g * per_group * k;
          job.table = table + g * tiles;
          job.out = output + (n * pixels + oy * out.w) * out.c + g * per_group;
          run_job(job, width, rest, act_min, act_max);
        }
      }
    }
    return;
  }
  // Otherwise im2col columns in scratch, four pixels at a time.
  const int8_t pad_value = static_cast<int8_t>(-p.input_offset);
  const int32_t run = f.w * f.c;  // a window row, contiguous when dilation_w = 1, groups = 1
  const bool packed_rows = p.dilation_w == 1 && groups == 1;
  const int32_t row_stride = p.dilation_h * in.w * in.c;
  const int32_t extent_h = (f.h - 1) * p.dilation_h, extent_w = (f.w - 1) * p.dilation_w;
  const int32_t col_bytes = (k + 15) & ~15;
  job.x = col0;
  job.x_step = col_bytes;
  for (int32_t n = 0; n < out.n; ++n) {
    const int8_t* image = input + n * in.h * in.w * in.c;
    for (int32_t g = 0; g < groups; ++g) {
      int32_t oy = 0, ox = 0;
      for (int32_t px = 0; px < pixels; px += 4) {
        const int32_t columns = pixels - px < 4 ? pixels - px : 4;
        int8_t* col = col0;
        for (int32_t j = 0; j < columns; ++j, col += col_bytes) {
          const int32_t y = oy * p.stride_h - p.pad_h, x = ox * p.stride_w - p.pad_w;
          if (++ox == out.w) ox = 0, ++oy;
          if (packed_rows && y >= 0 && y + extent_h < in.h && x >= 0 && x + extent_w < in.w) {
            mve::gather_rows(col, image + (y * in.w + x) * in.c, run, f.h, row_stride);
          } else {
            gather_window(p, in, f, Window{image + g * f.c, y, x}, pad_value, col);
          }
        }
        job.columns = columns;
        job.w = filter + g * per_group * k;
        job.table = table + g * tiles;
        job.out = output + (n * pixels + px) * out.c + g * per_group;
        run_job(job, width, rest, act_min, act_max);
      }
    }
  }
}

#endif  // TE_MAC_MVE

}  // namespace

int32_t conv2d_s8_scratch_size(const Conv2dParams& params, const Dims4& input_dims,
                               const Dims4& filter_dims, const Dims4& output_dims) {
  (void)params;
  int32_t bytes = 0;
  return conv_scratch(input_dims, filter_dims, output_dims, &bytes) ? bytes : 0;
}

namespace {

// conv2d_s8_check's work, the spans by reference (copying them costs more code than the checks).
Status check_conv(const Conv2dParams& params, const PerChannelQuant& quant, const Dims4& input_dims,
                  const Span<const int8_t>& input, const Dims4& filter_dims,
                  const Span<const int8_t>& filter, const Span<const int32_t>& bias,
                  const Dims4& output_dims, const Span<int8_t>& output,
                  const Span<int8_t>& scratch) {
  TE_RETURN_IF_ERROR(detail::check_conv_arguments(params, quant, input_dims, input, filter_dims,
                                                  filter, bias, output_dims, output,
                                                  conv_channels_agree));
  int32_t needed = 0;
  TE_CHECK(conv_scratch(input_dims, filter_dims, output_dims, &needed), Status::kOverflow);
  TE_CHECK(scratch.size() >= static_cast<size_t>(needed), Status::kScratchTooSmall);
  TE_CHECK(scratch.data() != nullptr, Status::kNullPointer);
  return Status::kOk;
}

}  // namespace

Status conv2d_s8_check(const Conv2dParams& params, const PerChannelQuant& quant,
                       const Dims4& input_dims, Span<const int8_t> input, const Dims4& filter_dims,
                       Span<const int8_t> filter, Span<const int32_t> bias,
                       const Dims4& output_dims, Span<int8_t> output, Span<int8_t> scratch) {
  return check_conv(params, quant, input_dims, input, filter_dims, filter, bias, output_dims,
                    output, scratch);
}

Status conv2d_s8(const Conv2dParams& params, const PerChannelQuant& quant, const Dims4& input_dims,
                 Span<const int8_t> input, const Dims4& filter_dims, Span<const int8_t> filter,
                 Span<const int32_t> bias, const Dims4& output_dims, Span<int8_t> output,
                 Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(check_conv(params, quant, input_dims, input, filter_dims, filter, bias,
                                output_dims, output, scratch));
#if defined(TE_MAC_MVE)
  conv_mve(params, quant, input_dims, input.data(), filter_dims, filter.data(),
           detail::bias_or_null(bias), output_dims, output.data(), scratch.data());
#elif defined(TE_MAC_DSP)
  conv_dsp(params, quant, input_dims, input.data(), filter_dims, filter.data(),
           detail::bias_or_null(bias), output_dims, output.data(), scratch.data());
#else
  conv_portable(params, quant, input_dims, input.data(), filter_dims, filter.data(),
                detail::bias_or_null(bias), output_dims, output.data());
#endif
  return Status::kOk;
}

}  // namespace tinyexec::kernels
