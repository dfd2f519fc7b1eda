// SPDX-License-Identifier: Apache-2.0
// fully_connected_s8 and the matrix product it shares with batch_matmul_s8 (matmul_s8.h), in
// three variants selected at compile time: Helium (TE_MAC_MVE), DSP (TE_MAC_DSP) and the
// portable reference. All three give the reference's bits: int32 sums wrap modulo 2^32, so
// regrouping them (offsets folded into row sums, see fully_connected.h) changes nothing.
#include "tinyexec/kernels/fully_connected.h"

#include "common_s8.h"
#include "mac_dsp.h"
#include "mac_mve.h"
#include "matmul_s8.h"

namespace tinyexec::kernels {
namespace detail {
namespace {

// The reference: one output at a time.
[[maybe_unused]] void matmul_portable(const MatmulArgs& a) {
  int8_t* out = a.output;
  for (int32_t r = 0; r < a.rows; ++r) {
    const int8_t* x = a.lhs + r * a.depth;
    for (int32_t c = 0; c < a.cols; ++c) {
      const int8_t* w = a.rhs + c * a.depth;
      int32_t acc = a.bias != nullptr ? a.bias[c] : 0;
      for (int32_t k = 0; k < a.depth; ++k) {
        acc = wrapping_add(acc, (x[k] + a.lhs_offset) * (w[k] + a.rhs_offset));
      }
      const int32_t q = a.per_channel ? c : 0;
      *out++ = output_stage(acc, a.multiplier[q], a.shift[q], a.output_offset, a.activation);
    }
  }
}

#if defined(TE_MAC_DSP)

// What every 4-column tile of one lhs row shares.
struct DspRow {
  const MatmulArgs* a;
  const uint32_t* ext;  // the widened lhs row: two words per group of four
  int32_t full, tail;   // full groups of four, values in the partial last group
  int32_t row_term;     // rhs_offset * sum_k (lhs + lhs_offset)
  dsp::Quant tensor_quant;
  uint32_t min4, max4;
  int8_t* out;
};

// acc_i += dot(w_i, widened x) over `groups` full groups; advances the pointers (the C path
// for the tiles the assembly loop leaves).
inline void dot_4x1_dsp(const uint32_t*& x, const int8_t*& w0, const int8_t*& w1, const int8_t*& w2,
                        const int8_t*& w3, int32_t groups, int32_t& a0, int32_t& a1, int32_t& a2,
                        int32_t& a3) {
  for (; groups > 0; --groups, x += 2, w0 += 4, w1 += 4, w2 += 4, w3 += 4) {
    a0 = dsp::dot_group(a0, dsp::load_u32(w0), x[0], x[1]);
    a1 = dsp::dot_group(a1, dsp::load_u32(w1), x[0], x[1]);
    a2 = dsp::dot_group(a2, dsp::load_u32(w2), x[0], x[1]);
    a3 = dsp::dot_group(a3, dsp::load_u32(w3), x[0], x[1]);
  }
}

// The output stage of four adjacent columns: requantize (precomputed or generic per channel),
// clamp, store `valid` bytes at out.
inline void store_4x1_dsp(const DspRow& row, int32_t c, int32_t valid, int32_t a0, int32_t a1,
                          int32_t a2, int32_t a3, int8_t* out) {
  const MatmulArgs& a = *row.a;
  int32_t v0, v1, v2, v3;
  if (!a.per_channel && row.tensor_quant.multiplier >= 0) {
    const dsp::Quant& q = row.tensor_quant;
    v0 = dsp::requant_fast(a0, q), v1 = dsp::requant_fast(a1, q);
    v2 = dsp::requant_fast(a2, q), v3 = dsp::requant_fast(a3, q);
  } else {
    int32_t acc[4] = {a0, a1, a2, a3}, v[4];
    for (int32_t i = 0; i < 4; ++i) {
      const int32_t q = a.per_channel ? c + (i < valid ? i : valid - 1) : 0;
      v[i] = dsp::requant(acc[i], dsp::make_quant(a.multiplier[q], a.shift[q], a.output_offset),
                          a.multiplier[q], a.shift[q], a.output_offset);
    }
    v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3];
  }
  const uint32_t packed = dsp::pack_clamp4(v0, v1, v2, v3, row.min4, row.max4);
  if (valid == 4) {
    std::memcpy(out, &packed, 4);
  } else {
    for (int32_t i = 0; i < valid; ++i) out[i] = static_cast<int8_t>(packed >> (8 * i));
  }
}

// The assembly tile loop's arguments (offsets used by it in comments).
struct DspFcJob {
  const uint32_t* ext;  // 0: the widened lhs row
  const int8_t* w;      // 4: the first column's rhs row (rows contiguous, k each)
  int32_t k;            // 8
  const int32_t* bias;  // 12: the first column's bias (or zeros)
  int32_t bias_step;    // 16: 16 or 0
  int32_t quads, rest;  // 20, 24: groups of four depth values (ceil(k / 4)) / 4 and % 4
  int32_t pad4;         // 28: 4 * ceil(k / 4) - k
  int32_t row_term;     // 32
  dsp::Quant quant;     // 36: the output stage (the precomputed kind)
  int8_t* out;          // 52
  int8_t* out_end;      // 56
  uint32_t min4, max4;  // 60, 64
  int32_t clamp;        // 68: whether the activation range is narrower than int8
};

// Tiles of four output columns from the job's first to out_end against the widened lhs row:
// 21 instructions per 16 MACs (the last group may read up to 3 bytes of the next rhs row,
// multiplied by the row's zero padding), about 60 per tile besides.
__attribute__((noinline)) void tiles_4x1_dsp(DspFcJob& job) {
  register DspFcJob* r0 asm("r0") = &job;
#define TE_FC_GROUP_FIXED      \
  "ldrd r4, r5, [r12], #8\n\t" \
  "ldr r6, [r8], #4\n\t"       \
  "sxtb16 r7, r6, ror #8\n\t"  \
  "sxtb16 r6, r6\n\t"          \
  "smlad r0, r6, r4, r0\n\t"   \
  "smlad r0, r7, r5, r0\n\t"   \
  "ldr r6, [r9], #4\n\t"       \
  "sxtb16 r7, r6, ror #8\n\t"  \
  "sxtb16 r6, r6\n\t"          \
  "smlad r1, r6, r4, r1\n\t"   \
  "smlad r1, r7, r5, r1\n\t"   \
  "ldr r6, [r10], #4\n\t"      \
  "sxtb16 r7, r6, ror #8\n\t"  \
  "sxtb16 r6, r6\n\t"          \
  "smlad r2, r6, r4, r2\n\t"   \
  "smlad r2, r7, r5, r2\n\t"   \
  "ldr r6, [r11], #4\n\t"      \
  "sxtb16 r7, r6, ror #8\n\t"  \
  "sxtb16 r6, r6\n\t"          \
  "smlad r3, r6, r4, r3\n\t"   \
  "smlad r3, r7, r5, r3\n\t"
#define TE_FC_REQUANT(a) \
  "and r8, " a           \
  ", #0x80000000\n\t"    \
  "subs r9, r5, r8\n\t"  \
  "sbc r10, r6, #0\n\t"  \
  "smlal r9, r10, " a    \
  ", r4\n\t"             \
  "asr " a               \
  ", r10, r7\n\t"        \
  "ssat " a ", #8, " a "\n\t"
  asm volatile(
      "push {r0, r7}\n"
      "1:\n\t"
      "ldr lr, [sp]\n\t"
      "ldr r8, [lr, #4]\n\t"
      "ldr r4, [lr, #8]\n\t"
      "add r9, r8, r4\n\t"
      "add r10, r9, r4\n\t"
      "add r11, r10, r4\n\t"
      "ldr r12, [lr, #12]\n\t"
      "ldm r12, {r0, r1, r2, r3}\n\t"
      "ldr r4, [lr, #16]\n\t"
      "add r12, r4\n\t"
      "str r12, [lr, #12]\n\t"
      "ldr r4, [lr, #32]\n\t"
      "cbz r4, 6f\n\t"
      "add r0, r4\n\t"
      "add r1, r4\n\t"
      "add r2, r4\n\t"
      "add r3, r4\n"
      "6:\n\t"
      "ldr r12, [lr]\n\t"
      "ldr lr, [lr, #20]\n\t"
      "cmp lr, #0\n\t"
      "beq 3f\n"
      "2:\n\t" TE_FC_GROUP_FIXED TE_FC_GROUP_FIXED TE_FC_GROUP_FIXED TE_FC_GROUP_FIXED
      "subs lr, #1\n\t"
      "bne 2b\n"
      "3:\n\t"
      "ldr lr, [sp]\n\t"
      "ldr lr, [lr, #24]\n\t"
      "cmp lr, #0\n\t"
      "beq 5f\n"
      "4:\n\t" TE_FC_GROUP_FIXED
      "subs lr, #1\n\t"
      "bne 4b\n"
      "5:\n\t"
      "ldr lr, [sp]\n\t"
      "ldr r4, [lr, #28]\n\t"
      "sub r8, r11, r4\n\t"
      "str r8, [lr, #4]\n\t"
      "add r4, lr, #36\n\t"
      "ldm r4, {r4, r5, r6, r7}\n\t" TE_FC_REQUANT("r0") TE_FC_REQUANT("r1")
          TE_FC_REQUANT("r2") TE_FC_REQUANT("r3")
      "bfi r0, r1, #8, #8\n\t"
      "bfi r0, r2, #16, #8\n\t"
      "bfi r0, r3, #24, #8\n\t"
      "ldr r4, [lr, #68]\n\t"
      "cbz r4, 7f\n\t"
      "ldrd r4, r5, [lr, #60]\n\t"
      "ssub8 r6, r0, r4\n\t"
      "sel r0, r0, r4\n\t"
      "ssub8 r6, r5, r0\n\t"
      "sel r0, r0, r5\n"
      "7:\n\t"
      "ldrd r4, r5, [lr, #52]\n\t"
      "str r0, [r4], #4\n\t"
      "str r4, [lr, #52]\n\t"
      "cmp r4, r5\n\t"
      "bne 1b\n\t"
      "pop {r0, r7}"
      : "+r"(r0)
      :
      : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc",
        "memory");
#undef TE_FC_GROUP_FIXED
#undef TE_FC_REQUANT
}

// Output columns [c, cols) of one lhs row, four at a time (the last tile repeats its last
// column), in C.
__attribute__((noinline)) void row_dsp(const DspRow& row, int32_t c) {
  const MatmulArgs& a = *row.a;
  const int32_t depth = a.depth;
  const int8_t* w = a.rhs + c * depth;
  const int32_t* bias = a.bias != nullptr ? a.bias + c : nullptr;
  int8_t* out = row.out + c;
  for (; c < a.cols; c += 4) {
    const int32_t valid = a.cols - c < 4 ? a.cols - c : 4;
    const int8_t* w0 = w;
    const int8_t* w1 = valid > 1 ? w0 + depth : w0;
    const int8_t* w2 = valid > 2 ? w1 + depth : w1;
    const int8_t* w3 = valid > 3 ? w2 + depth : w2;
    w += 4 * depth;
    int32_t a0 = row.row_term, a1 = a0, a2 = a0, a3 = a0;
    if (bias != nullptr) {
      a0 = wrapping_add(a0, bias[0]);
      a1 = wrapping_add(a1, bias[valid > 1 ? 1 : 0]);
      a2 = wrapping_add(a2, bias[valid > 2 ? 2 : valid - 1]);
      a3 = wrapping_add(a3, bias[valid > 3 ? 3 : valid - 1]);
      bias += 4;
    }
    const uint32_t* x = row.ext;
    dot_4x1_dsp(x, w0, w1, w2, w3, row.full, a0, a1, a2, a3);
    if (row.tail > 0) {
      a0 = dsp::dot_group(a0, dsp::load_partial(w0, row.tail), x[0], x[1]);
      a1 = dsp::dot_group(a1, dsp::load_partial(w1, row.tail), x[0], x[1]);
      a2 = dsp::dot_group(a2, dsp::load_partial(w2, row.tail), x[0], x[1]);
      a3 = dsp::dot_group(a3, dsp::load_partial(w3, row.tail), x[0], x[1]);
    }
    store_4x1_dsp(row, c, valid, a0, a1, a2, a3, out);
    out += 4;
  }
}

// Four output columns at a time against one widened lhs row; rhs_offset is folded in as
// rhs_offset * sum(lhs + lhs_offset), so the weights only need sign extension. With
// per-tensor requantization of the precomputed kind, the full tiles run in assembly.
void matmul_dsp(const MatmulArgs& a) {
  const int32_t depth = a.depth;
  const int32_t full = static_cast<int32_t>(static_cast<uint32_t>(depth) >> 2);
  const int32_t tail = depth & 3;
  uint32_t* ext = reinterpret_cast<uint32_t*>((reinterpret_cast<uintptr_t>(a.scratch.data()) + 3) &
                                              ~uintptr_t{3});
  const dsp::Quant tensor_quant = dsp::make_quant(a.multiplier[0], a.shift[0], a.output_offset);
  // Full tiles in assembly, except one whose last group would read past the rhs end.
  int32_t tiles = 0;
  if (!a.per_channel && tensor_quant.multiplier >= 0) {
    tiles = static_cast<int32_t>(static_cast<uint32_t>(a.cols) >> 2);
    if (tail > 0 && 4 * tiles == a.cols) --tiles;
  }
  static const int32_t kZeros[4] = {0, 0, 0, 0};
  const int32_t groups4 = static_cast<int32_t>((static_cast<uint32_t>(depth) + 3) >> 2);
  DspFcJob job;
  job.ext = ext;
  job.k = depth;
  job.bias = a.bias != nullptr ? a.bias : kZeros;
  job.bias_step = a.bias != nullptr ? 16 : 0;
  job.quads = groups4 >> 2;
  job.rest = groups4 & 3;
  job.pad4 = 4 * groups4 - depth;
  job.row_term = 0;
  job.quant = tensor_quant;
  job.min4 = dsp::byte_quad(a.activation.min);
  job.max4 = dsp::byte_quad(a.activation.max);
  job.clamp = a.activation.min > -128 || a.activation.max < 127;
  const uint32_t offset2 = dsp::halfword_pair(a.lhs_offset);
  for (int32_t r = 0; r < a.rows; ++r) {
    const int8_t* x = a.lhs + r * depth;
    dsp::widen_groups<2>(x, full, offset2, ext);
    if (tail > 0) dsp::widen_tail(x + 4 * full, tail, a.lhs_offset, ext + 2 * full);
    if (a.rhs_offset != 0) {
      int32_t sum = 0;
      for (int32_t k = 0; k < depth; ++k) sum = wrapping_add(sum, x[k] + a.lhs_offset);
      job.row_term =
          static_cast<int32_t>(static_cast<uint32_t>(sum) * static_cast<uint32_t>(a.rhs_offset));
    }
    int8_t* out = a.output + r * a.cols;
    if (tiles > 0) {
      job.w = a.rhs;
      job.bias = a.bias != nullptr ? a.bias : kZeros;
      job.out = out;
      job.out_end = out + 4 * tiles;
      tiles_4x1_dsp(job);
    }
    if (4 * tiles < a.cols) {
      const DspRow row{&a, ext, full, tail, job.row_term, tensor_quant, job.min4, job.max4, out};
      row_dsp(row, 4 * tiles);
    }
  }
}

#endif  // TE_MAC_DSP

#if defined(TE_MAC_MVE)

// What the column tiles of a Helium matmul share.
struct MveShared {
  int32x4_t act_min, act_max;
  mve::Quant4 tensor_quant;
  int32_t both;  // depth * lhs_offset * rhs_offset
};

// Columns [c, c + valid) for every lhs row; w = rhs row c. VMLADAVA does 16 MACs per
// instruction, tail-predicated. Offsets folded:
//   acc = bias + sum lhs * rhs + lhs_offset * sum(rhs) + rhs_offset * sum(lhs)
//         + depth * lhs_offset * rhs_offset.
template <bool kFull>
inline void tile_mve(const MatmulArgs& a, const MveShared& sh, const int8_t* w, int32_t c,
                     int32_t valid) {
  const int32_t depth = a.depth;
  const int8_t* w0 = w;
  const int8_t* w1 = kFull || valid > 1 ? w0 + depth : w0;
  const int8_t* w2 = kFull || valid > 2 ? w1 + depth : w1;
  const int8_t* w3 = kFull || valid > 3 ? w2 + depth : w2;
  const mve_pred16_t p = kFull ? 0xffff : vctp32q(static_cast<uint32_t>(valid));
  int32x4_t sums;
  if (a.rhs_sums != nullptr) {
    sums = kFull ? vldrwq_s32(a.rhs_sums + c) : vldrwq_z_s32(a.rhs_sums + c, p);
  } else {
    int32_t s0, s1, s2, s3;
    mve::sum_4(w0, w1, w2, w3, depth, s0, s1, s2, s3);
    sums = mve::lanes(s0, s1, s2, s3);
  }
  int32x4_t base;
  if (a.bias != nullptr) {
    const int32x4_t bias = kFull ? vldrwq_s32(a.bias + c) : vldrwq_z_s32(a.bias + c, p);
    base = vmlaq_n_s32(bias, sums, a.lhs_offset);
  } else {
    base = vmulq_n_s32(sums, a.lhs_offset);
  }
  if (a.rhs_offset != 0) base = vaddq_n_s32(base, sh.both);
  mve::Quant4 quant = sh.tensor_quant;
  if (a.per_channel) {
    quant = kFull ? mve::quant4(vldrwq_s32(a.multiplier + c), vldrwq_s32(a.shift + c))
                  : mve::quant4(a.multiplier + c, a.shift + c, valid);
  }
  const int8_t* x = a.lhs;
  int8_t* out = a.output + c;
  for (int32_t r = 0; r < a.rows; ++r, x += depth, out += a.cols) {
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    mve::dot_1x4(x, w0, w1, w2, w3, depth, a0, a1, a2, a3);
    int32x4_t acc = vaddq_s32(mve::lanes(a0, a1, a2, a3), base);
    if (a.rhs_offset != 0) {
      const uint32_t sum = static_cast<uint32_t>(mve::sum_1(x, depth));
      acc = vaddq_n_s32(acc, static_cast<int32_t>(sum * static_cast<uint32_t>(a.rhs_offset)));
    }
    const int32x4_t v = mve::output_stage(acc, quant, a.output_offset, sh.act_min, sh.act_max);
    if (kFull) {
      vstrbq_s32(out, v);
    } else {
      vstrbq_p_s32(out, v, p);
    }
  }
}

// The common case (per-tensor requantization without left shift, symmetric weights): an
// assembly tile loop, the accumulators' starts (bias + lhs_offset * kernel sum; the sums
// computed here when not given) 64 columns at a time on the stack. Returns the columns done
// (a multiple of 4).
__attribute__((noinline)) int32_t matmul_mve_fast(const MatmulArgs& a) {
  const int32_t full = a.cols / 4;
  if (full == 0 || a.shift[0] > 0) return 0;
  alignas(16) int32_t init[64];
  const int32x4_t mult = vdupq_n_s32(a.multiplier[0]), right = vdupq_n_s32(a.shift[0]);
  const int32x4_t act_min = vdupq_n_s32(a.activation.min);
  const int32x4_t act_max = vdupq_n_s32(a.activation.max);
  mve::TileJob job;
  job.x_step = 0;
  job.columns = 1;
  job.k = a.depth;
  job.table = reinterpret_cast<const mve::QuantTile*>(init);
  job.out_step = 0;
  job.output_offset = a.output_offset;
  for (int32_t t0 = 0; t0 < full; t0 += 16) {
    const int32_t n = full - t0 < 16 ? full - t0 : 16;
    const int32_t* sums = a.rhs_sums + 4 * t0;
    if (a.rhs_sums == nullptr) {  // the kernel sums of these columns, into init
      const int8_t* w = a.rhs + 4 * t0 * a.depth;
#pragma GCC unroll 1
      for (int32_t t = 0; t < n; ++t, w += 4 * a.depth) {
        int32_t* s4 = init + 4 * t;
        mve::sum_4(w, w + a.depth, w + 2 * a.depth, w + 3 * a.depth, a.depth, s4[0], s4[1],
                   s4[2], s4[3]);
      }
      sums = init;
    }
    int32_t* dst = init;
    if (a.bias != nullptr) {
      const int32_t* bias = a.bias + 4 * t0;
#pragma GCC unroll 1
      for (int32_t t = 0; t < n; ++t, sums += 4, bias += 4, dst += 4) {
        vst1q_s32(dst, vmlaq_n_s32(vldrwq_s32(bias), vldrwq_s32(sums), a.lhs_offset));
      }
    } else {
#pragma GCC unroll 1
      for (int32_t t = 0; t < n; ++t, sums += 4, dst += 4) {
        vst1q_s32(dst, vmulq_n_s32(vldrwq_s32(sums), a.lhs_offset));
      }
    }
    for (int32_t r = 0; r < a.rows; ++r) {
      job.x = a.lhs + r * a.depth;
      job.w = a.rhs + 4 * t0 * a.depth;
      job.tiles = n;
      job.out = a.output + r * a.cols + 4 * t0;
      mve::tiles_1x4_uniform(job, mult, right, act_min, act_max);
    }
  }
  return 4 * full;
}

void matmul_mve(const MatmulArgs& a) {
  int32_t done = 0;
  if (!a.per_channel && a.rhs_offset == 0) done = matmul_mve_fast(a);
  if (done == a.cols) return;
  MveShared sh;
  sh.act_min = vdupq_n_s32(a.activation.min);
  sh.act_max = vdupq_n_s32(a.activation.max);
  sh.tensor_quant = mve::quant4(vdupq_n_s32(a.multiplier[0]), vdupq_n_s32(a.shift[0]));
  sh.both =
      static_cast<int32_t>(static_cast<uint32_t>(a.depth) * static_cast<uint32_t>(a.lhs_offset) *
                           static_cast<uint32_t>(a.rhs_offset));
  int32_t c = done;
  const int8_t* w = a.rhs + c * a.depth;
  for (; c + 4 <= a.cols; c += 4, w += 4 * a.depth) tile_mve<true>(a, sh, w, c, 4);
  if (c < a.cols) tile_mve<false>(a, sh, w, c, a.cols - c);
}

#endif  // TE_MAC_MVE

}  // namespace

bool matmul_s8_scratch_bytes(int32_t depth, int32_t* bytes) {
  if (depth < 0 || depth > (INT32_MAX - 16) / 2) return false;
  *bytes = ((depth + 3) / 4) * 8 + 4;
  return true;
}

void matmul_s8(const MatmulArgs& a) {
#if defined(TE_MAC_MVE)
  matmul_mve(a);
#elif defined(TE_MAC_DSP)
  matmul_dsp(a);
#else
  matmul_portable(a);
#endif
}

}  // namespace detail

namespace {

// Buffer lengths of the shape: rows * depth for input, weights and output.
Status check_shape(const FullyConnectedShape& s, int32_t* input_count, int32_t* weight_count,
                   int32_t* output_count) {
  TE_CHECK(s.batches > 0 && s.input_depth > 0 && s.output_depth > 0, Status::kBadShape);
  int32_t scratch_bytes = 0;
  TE_CHECK(checked_mul(s.batches, s.input_depth, input_count) &&
               checked_mul(s.output_depth, s.input_depth, weight_count) &&
               checked_mul(s.batches, s.output_depth, output_count) &&
               detail::matmul_s8_scratch_bytes(s.input_depth, &scratch_bytes),
           Status::kOverflow);
  return Status::kOk;
}

Status check_fc(const FullyConnectedParams& p, const FullyConnectedShape& shape,
                Span<const int8_t> input, Span<const int8_t> weights, Span<const int32_t> bias,
                Span<int8_t> output, Span<int8_t> scratch, Span<const int32_t> kernel_sums) {
  TE_CHECK(input.data() != nullptr && weights.data() != nullptr && output.data() != nullptr,
           Status::kNullPointer);
  int32_t input_count = 0, weight_count = 0, output_count = 0;
  TE_RETURN_IF_ERROR(check_shape(shape, &input_count, &weight_count, &output_count));
  TE_CHECK(detail::valid_input_offset(p.input_offset) &&
               detail::valid_input_offset(p.filter_offset) &&
               detail::valid_output_offset(p.output_offset) && valid_activation(p.activation),
           Status::kBadParam);
  TE_RETURN_IF_ERROR(detail::check_bias(bias, shape.output_depth));
  if (!kernel_sums.empty()) {
    TE_CHECK(kernel_sums.data() != nullptr, Status::kNullPointer);
    TE_CHECK(kernel_sums.size() >= static_cast<size_t>(shape.output_depth),
             Status::kBufferTooSmall);
  }
  TE_CHECK(input.size() >= static_cast<size_t>(input_count) &&
               weights.size() >= static_cast<size_t>(weight_count) &&
               output.size() >= static_cast<size_t>(output_count),
           Status::kBufferTooSmall);
  const int32_t needed = fully_connected_s8_scratch_size(shape);
  TE_CHECK(scratch.size() >= static_cast<size_t>(needed), Status::kScratchTooSmall);
  TE_CHECK(needed == 0 || scratch.data() != nullptr, Status::kNullPointer);
  return Status::kOk;
}

detail::MatmulArgs fc_args(const FullyConnectedParams& p, const FullyConnectedShape& shape,
                           Span<const int8_t> input, Span<const int8_t> weights,
                           Span<const int32_t> bias, Span<int8_t> output, Span<int8_t> scratch,
                           Span<const int32_t> kernel_sums, const int32_t* multiplier,
                           const int32_t* shift, bool per_channel) {
  return detail::MatmulArgs{input.data(),
                            weights.data(),
                            detail::bias_or_null(bias),
                            kernel_sums.empty() ? nullptr : kernel_sums.data(),
                            multiplier,
                            shift,
                            per_channel,
                            output.data(),
                            shape.batches,
                            shape.output_depth,
                            shape.input_depth,
                            p.input_offset,
                            p.filter_offset,
                            p.output_offset,
                            p.activation,
                            scratch};
}

}  // namespace

int32_t fully_connected_s8_scratch_size(const FullyConnectedShape& shape) {
  int32_t bytes = 0;
  return detail::matmul_s8_scratch_bytes(shape.input_depth, &bytes) ? bytes : 0;
}

Status fully_connected_s8_check(const FullyConnectedParams& params, const PerTensorQuant& quant,
                                const FullyConnectedShape& shape, Span<const int8_t> input,
                                Span<const int8_t> weights, Span<const int32_t> bias,
                                Span<int8_t> output, Span<int8_t> scratch,
                                Span<const int32_t> kernel_sums) {
  TE_RETURN_IF_ERROR(check_fc(params, shape, input, weights, bias, output, scratch, kernel_sums));
  TE_CHECK(detail::valid_quant(quant.multiplier, quant.shift), Status::kBadParam);
  return Status::kOk;
}

Status fully_connected_s8_check(const FullyConnectedParams& params, const PerChannelQuant& quant,
                                const FullyConnectedShape& shape, Span<const int8_t> input,
                                Span<const int8_t> weights, Span<const int32_t> bias,
                                Span<int8_t> output, Span<int8_t> scratch,
                                Span<const int32_t> kernel_sums) {
  TE_RETURN_IF_ERROR(check_fc(params, shape, input, weights, bias, output, scratch, kernel_sums));
  return detail::check_per_channel(quant, shape.output_depth);
}

Status fully_connected_s8(const FullyConnectedParams& params, const PerTensorQuant& quant,
                          const FullyConnectedShape& shape, Span<const int8_t> input,
                          Span<const int8_t> weights, Span<const int32_t> bias, Span<int8_t> output,
                          Span<int8_t> scratch, Span<const int32_t> kernel_sums) {
  TE_RETURN_IF_ERROR(fully_connected_s8_check(params, quant, shape, input, weights, bias, output,
                                              scratch, kernel_sums));
  detail::matmul_s8(fc_args(params, shape, input, weights, bias, output, scratch, kernel_sums,
                            &quant.multiplier, &quant.shift, false));
  return Status::kOk;
}

Status fully_connected_s8(const FullyConnectedParams& params, const PerChannelQuant& quant,
                          const FullyConnectedShape& shape, Span<const int8_t> input,
                          Span<const int8_t> weights, Span<const int32_t> bias, Span<int8_t> output,
                          Span<int8_t> scratch, Span<const int32_t> kernel_sums) {
  TE_RETURN_IF_ERROR(fully_connected_s8_check(params, quant, shape, input, weights, bias, output,
                                              scratch, kernel_sums));
  detail::matmul_s8(fc_args(params, shape, input, weights, bias, output, scratch, kernel_sums,
                            quant.multiplier.data(), quant.shift.data(), true));
  return Status::kOk;
}

Status fully_connected_s8_kernel_sums_check(const FullyConnectedShape& shape,
                                            Span<const int8_t> weights, Span<int32_t> kernel_sums) {
  TE_CHECK(weights.data() != nullptr && kernel_sums.data() != nullptr, Status::kNullPointer);
  TE_CHECK(shape.input_depth > 0 && shape.output_depth > 0, Status::kBadShape);
  int32_t weight_count = 0;
  TE_CHECK(checked_mul(shape.output_depth, shape.input_depth, &weight_count), Status::kOverflow);
  TE_CHECK(weights.size() >= static_cast<size_t>(weight_count) &&
               kernel_sums.size() >= static_cast<size_t>(shape.output_depth),
           Status::kBufferTooSmall);
  return Status::kOk;
}

Status fully_connected_s8_kernel_sums(const FullyConnectedShape& shape, Span<const int8_t> weights,
                                      Span<int32_t> kernel_sums) {
  TE_RETURN_IF_ERROR(fully_connected_s8_kernel_sums_check(shape, weights, kernel_sums));
  for (int32_t o = 0; o < shape.output_depth; ++o) {
    const int8_t* w = weights.data() + o * shape.input_depth;
    int32_t sum = 0;
    for (int32_t i = 0; i < shape.input_depth; ++i) sum = detail::wrapping_add(sum, w[i]);
    kernel_sums[o] = sum;
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
