// SPDX-License-Identifier: Apache-2.0
// fully_connected_s8 and the matrix product it shares with batch_matmul_s8 (matmul_s8.h), in
// three variants selected at compile time: Helium (TE_MAC_MVE), DSP (TE_MAC_DSP) and the
// portable reference. All three give the reference's bits: int32 sums wrap modulo 2^32, so
// regrouping them (offsets folded into row sums, see fully_connected.h) changes nothing.
#include "tinyexec/kernels/fully_connected.h"

#include <cstddef>

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

// fc_row_dsp reads MatmulArgs at these offsets.
static_assert(offsetof(MatmulArgs, lhs) == 0 && offsetof(MatmulArgs, rhs) == 4 &&
                  offsetof(MatmulArgs, bias) == 8 && offsetof(MatmulArgs, output) == 24 &&
                  offsetof(MatmulArgs, cols) == 32 && offsetof(MatmulArgs, depth) == 36 &&
                  offsetof(MatmulArgs, lhs_offset) == 40 && offsetof(MatmulArgs, activation) == 52,
              "MatmulArgs layout");

// What fc_row_dsp needs besides the MatmulArgs.
struct DspRowArgs {
  dsp::Quant quant;  // 0: the output stage (the precomputed kind)
  int32_t tiles;     // 16: full tiles to run (the last group of a tile may read up to 3 bytes
                     //     past its last rhs row: not past the rhs end); 0 with weight offsets
};

// One lhs row (row): widens its full groups of four into ext (13 instructions per 16 values
// from a word-aligned row, else 16; the caller widens a partial last group), then runs `tiles`
// tiles of four output columns from column 0 against it: 21 instructions per 16 MACs (the
// last group may read up to 3 bytes of the next rhs row, multiplied by the row's zero
// padding), about 50 per tile besides, about 50 per call; a narrower activation range is
// applied to the row's outputs afterwards (7 instructions per 4).
__attribute__((noinline)) void fc_row_dsp(const MatmulArgs& a, const DspRowArgs& args, int32_t row,
                                          uint32_t* ext) {
  register const MatmulArgs* r0 asm("r0") = &a;
  register const DspRowArgs* r1 asm("r1") = &args;
  register int32_t r2 asm("r2") = row;
  register uint32_t* r3 asm("r3") = ext;
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
// A tile's start: the four weight rows from [sp, #8] (r8..r11), the accumulators from the
// bias (advancing it), the widened row (r12) and the quad count (lr).
#define TE_FC_TILE_HEAD          \
  "ldrd r8, r4, [sp, #8]\n\t"    \
  "add r9, r8, r4\n\t"           \
  "add r10, r9, r4\n\t"          \
  "add r11, r10, r4\n\t"         \
  "ldrd r12, r4, [sp, #16]\n\t"  \
  "ldm r12, {r0, r1, r2, r3}\n\t" \
  "add r12, r4\n\t"              \
  "str r12, [sp, #16]\n\t"       \
  "ldrd r12, lr, [sp]\n\t"
// A tile's end: requantize, pack and store the four outputs; the next tile from `loop`.
#define TE_FC_TILE_TAIL(loop)                                                               \
  "ldr r4, [sp, #36]\n\t"                                                                   \
  "ldm r4, {r4, r5, r6, r7}\n\t" TE_DSP_REQUANT_SAT_ASM("r0") TE_DSP_REQUANT_SAT_ASM("r1")  \
      TE_DSP_REQUANT_SAT_ASM("r2") TE_DSP_REQUANT_SAT_ASM("r3")                          \
  "bfi r0, r1, #8, #8\n\t"                                                                  \
  "bfi r0, r2, #16, #8\n\t"                                                                 \
  "bfi r0, r3, #24, #8\n\t"                                                                 \
  "ldrd r4, r5, [sp, #52]\n\t"                                                              \
  "str r0, [r4], #4\n\t"                                                                    \
  "str r4, [sp, #52]\n\t"                                                                   \
  "cmp r4, r5\n\t"                                                                          \
  "bne " loop "\n\t"
// Widens the four words r0..r3 with the offset pair in r10 into ext (r8), then counts r11 down.
#define TE_FC_WIDEN4               \
  "sxtab16 r4, r10, r0\n\t"        \
  "sxtab16 r5, r10, r0, ror #8\n\t" \
  "sxtab16 r6, r10, r1\n\t"        \
  "sxtab16 r7, r10, r1, ror #8\n\t" \
  "stm r8!, {r4, r5, r6, r7}\n\t"  \
  "sxtab16 r4, r10, r2\n\t"        \
  "sxtab16 r5, r10, r2, ror #8\n\t" \
  "sxtab16 r6, r10, r3\n\t"        \
  "sxtab16 r7, r10, r3, ror #8\n\t" \
  "stm r8!, {r4, r5, r6, r7}\n\t"  \
  "subs r11, #1\n\t"
  asm volatile(
      // Frame: [sp] ext, [sp, #4] quads (groups of four / 4), [sp, #8] the tile's first rhs
      // row, [sp, #12] k, [sp, #16] bias, [sp, #20] bias step (16 or 0), [sp, #24] groups
      // of four % 4, [sp, #28] pad (4 * groups - k), [sp, #32] the row's output, [sp, #36] &quant,
      // [sp, #52] out, [sp, #56] out end, [sp, #60] min4, [sp, #64] max4, [sp, #68] clamp,
      // [sp, #72] 16 zero bytes (no bias), [sp, #88] r7.
      "push {r7}\n\t"
      "sub sp, #88\n\t"
      "ldr r9, [r0, #36]\n\t"
      "add r4, r9, #3\n\t"
      "lsr r5, r4, #4\n\t"
      "ubfx r6, r4, #2, #2\n\t"
      "bic r4, r4, #3\n\t"
      "sub r4, r4, r9\n\t"
      "strd r3, r5, [sp]\n\t"
      "strd r6, r4, [sp, #24]\n\t"
      "ldr r4, [r0, #4]\n\t"
      "strd r4, r9, [sp, #8]\n\t"
      "ldr r4, [r0, #8]\n\t"
      "mov r5, #16\n\t"
      "cbnz r4, 1f\n\t"
      "movs r5, #0\n\t"
      "movs r6, #0\n\t"
      "add r4, sp, #72\n\t"
      "strd r5, r6, [r4]\n\t"
      "strd r5, r6, [r4, #8]\n"
      "1:\n\t"
      "strd r4, r5, [sp, #16]\n\t"
      "ldr r10, [r1, #16]\n\t"
      "str r1, [sp, #36]\n\t"
      "ldr r4, [r0, #24]\n\t"
      "ldr r5, [r0, #32]\n\t"
      "mla r4, r2, r5, r4\n\t"
      "add r5, r4, r10, lsl #2\n\t"
      "strd r4, r5, [sp, #52]\n\t"
      "str r4, [sp, #32]\n\t"
      "ldrd r4, r5, [r0, #52]\n\t"
      "adds r6, r4, #128\n\t"
      "eor r7, r5, #127\n\t"
      "orrs r6, r7\n\t"
      "str r6, [sp, #68]\n\t"
      "beq 8f\n\t"
      "uxtb r4, r4\n\t"
      "orr r4, r4, r4, lsl #8\n\t"
      "orr r4, r4, r4, lsl #16\n\t"
      "uxtb r5, r5\n\t"
      "orr r5, r5, r5, lsl #8\n\t"
      "orr r5, r5, r5, lsl #16\n\t"
      "strd r4, r5, [sp, #60]\n"
      "8:\n\t"
      "ldr r12, [r0]\n\t"
      "mla r12, r2, r9, r12\n\t"
      "ldr r10, [r0, #40]\n\t"
      "pkhbt r10, r10, r10, lsl #16\n\t"
      "mov r8, r3\n\t"
      // Widen the lhs row's full groups: four per pass (one LDM from a word-aligned row,
      // which LDM needs), then singles.
      "lsr r9, r9, #2\n\t"
      "lsrs r11, r9, #2\n\t"
      "beq 21f\n\t"
      "tst r12, #3\n\t"
      "bne 20f\n"
      "24:\n\t"
      "ldm r12!, {r0, r1, r2, r3}\n\t" TE_FC_WIDEN4
      "bne 24b\n\t"
      "b 21f\n"
      "20:\n\t"
      "ldr r0, [r12], #4\n\t"
      "ldr r1, [r12], #4\n\t"
      "ldr r2, [r12], #4\n\t"
      "ldr r3, [r12], #4\n\t" TE_FC_WIDEN4
      "bne 20b\n"
      "21:\n\t"
      "ands r9, r9, #3\n\t"
      "beq 23f\n"
      "22:\n\t"
      "ldr r0, [r12], #4\n\t"
      "sxtab16 r4, r10, r0\n\t"
      "sxtab16 r5, r10, r0, ror #8\n\t"
      "strd r4, r5, [r8], #8\n\t"
      "subs r9, #1\n\t"
      "bne 22b\n"
      "23:\n\t"
      "ldrd r4, r5, [sp, #52]\n\t"
      "cmp r4, r5\n\t"
      "beq 9f\n\t"
      // A depth that is a multiple of 16: tiles without the partial-loop checks.
      "ldr r4, [sp, #12]\n\t"
      "tst r4, #15\n\t"
      "beq 30f\n"
      "10:\n\t" TE_FC_TILE_HEAD
      "cmp lr, #0\n\t"
      "beq 3f\n"
      "2:\n\t" TE_FC_GROUP_FIXED TE_FC_GROUP_FIXED TE_FC_GROUP_FIXED TE_FC_GROUP_FIXED
      "subs lr, #1\n\t"
      "bne 2b\n"
      "3:\n\t"
      "ldr r4, [sp, #24]\n\t"
      "cbz r4, 5f\n\t"
      "mov lr, r4\n"
      "4:\n\t" TE_FC_GROUP_FIXED
      "subs lr, #1\n\t"
      "bne 4b\n"
      "5:\n\t"
      "ldr r4, [sp, #28]\n\t"
      "sub r8, r11, r4\n\t"
      "str r8, [sp, #8]\n\t" TE_FC_TILE_TAIL("10b")
      "b 12f\n"
      "30:\n\t" TE_FC_TILE_HEAD
      "31:\n\t" TE_FC_GROUP_FIXED TE_FC_GROUP_FIXED TE_FC_GROUP_FIXED TE_FC_GROUP_FIXED
      "subs lr, #1\n\t"
      "bne 31b\n\t"
      "str r11, [sp, #8]\n\t" TE_FC_TILE_TAIL("30b")
      "12:\n\t"
      // A narrower activation range: clamp the row's outputs, four bytes at a time.
      "ldr r4, [sp, #68]\n\t"
      "cbz r4, 9f\n\t"
      "ldr r8, [sp, #32]\n\t"
      "ldrd r4, r5, [sp, #60]\n"
      "11:\n\t"
      "ldr r0, [r8]\n\t"
      "ssub8 r6, r0, r4\n\t"
      "sel r0, r0, r4\n\t"
      "ssub8 r6, r5, r0\n\t"
      "sel r0, r0, r5\n\t"
      "str r0, [r8], #4\n\t"
      "ldr r9, [sp, #56]\n\t"
      "cmp r8, r9\n\t"
      "bne 11b\n"
      "9:\n\t"
      "add sp, #88\n\t"
      "pop {r7}"
      : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
      :
      : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
#undef TE_FC_GROUP_FIXED
#undef TE_FC_WIDEN4
#undef TE_FC_TILE_HEAD
#undef TE_FC_TILE_TAIL
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
// rhs_offset * sum(lhs + lhs_offset), so the weights only need sign extension. fc_row_dsp
// widens each row and, with per-tensor requantization of the precomputed kind, runs its full
// tiles; the other columns take row_dsp.
void matmul_dsp(const MatmulArgs& a) {
  const int32_t depth = a.depth;
  const int32_t full = static_cast<int32_t>(static_cast<uint32_t>(depth) >> 2);
  const int32_t tail = depth & 3;
  uint32_t* ext = reinterpret_cast<uint32_t*>((reinterpret_cast<uintptr_t>(a.scratch.data()) + 3) &
                                              ~uintptr_t{3});
  DspRowArgs args;
  args.quant = dsp::make_quant(a.multiplier[0], a.shift[0], a.output_offset);
  // Full tiles in assembly (per-tensor requantization of the precomputed kind, symmetric
  // weights), except one whose last group would read past the rhs end.
  args.tiles = 0;
  if (!a.per_channel && a.rhs_offset == 0 && args.quant.multiplier >= 0) {
    args.tiles = static_cast<int32_t>(static_cast<uint32_t>(a.cols) >> 2);
    if (tail > 0 && 4 * args.tiles == a.cols) --args.tiles;
  }
  if (tail == 0 && 4 * args.tiles == a.cols) {  // the common case
    for (int32_t r = 0; r < a.rows; ++r) fc_row_dsp(a, args, r, ext);
    return;
  }
  const int8_t* x = a.lhs;
  for (int32_t r = 0; r < a.rows; ++r, x += depth) {
    if (tail > 0) dsp::widen_tail(x + 4 * full, tail, a.lhs_offset, ext + 2 * full);
    int32_t row_term = 0;  // rhs_offset * sum_k (lhs + lhs_offset)
    if (a.rhs_offset != 0) {
      int32_t sum = 0;
      for (int32_t k = 0; k < depth; ++k) sum = wrapping_add(sum, x[k] + a.lhs_offset);
      row_term =
          static_cast<int32_t>(static_cast<uint32_t>(sum) * static_cast<uint32_t>(a.rhs_offset));
    }
    fc_row_dsp(a, args, r, ext);
    if (4 * args.tiles < a.cols) {
      const DspRow row{&a,
                       ext,
                       full,
                       tail,
                       row_term,
                       args.quant,
                       dsp::byte_quad(a.activation.min),
                       dsp::byte_quad(a.activation.max),
                       a.output + r * a.cols};
      row_dsp(row, 4 * args.tiles);
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
inline void tile_mve(const MatmulArgs& a, const MveShared& sh, const int8_t* w, int32_t c,
                     int32_t valid) {
  const int32_t depth = a.depth;
  const int8_t* w0 = w;
  const int8_t* w1 = valid > 1 ? w0 + depth : w0;
  const int8_t* w2 = valid > 2 ? w1 + depth : w1;
  const int8_t* w3 = valid > 3 ? w2 + depth : w2;
  const mve_pred16_t p = vctp32q(static_cast<uint32_t>(valid));
  int32x4_t base = vdupq_n_s32(0);
  if (a.bias != nullptr) base = vldrwq_z_s32(a.bias + c, p);
  if (a.lhs_offset != 0) {
    int32_t s0, s1, s2, s3;
    mve::sum_4(w0, w1, w2, w3, depth, s0, s1, s2, s3);
    base = vmlaq_n_s32(base, mve::lanes(s0, s1, s2, s3), a.lhs_offset);
  }
  if (a.rhs_offset != 0) base = vaddq_n_s32(base, sh.both);
  mve::Quant4 quant = sh.tensor_quant;
  if (a.per_channel) {
    quant = mve::quant4(a.multiplier + c, a.shift + c, valid);
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
    vstrbq_p_s32(out, v, p);
  }
}

// fc_rows_mve reads MatmulArgs at these offsets.
static_assert(offsetof(MatmulArgs, lhs) == 0 && offsetof(MatmulArgs, rhs) == 4 &&
                  offsetof(MatmulArgs, multiplier) == 12 && offsetof(MatmulArgs, shift) == 16 &&
                  offsetof(MatmulArgs, output) == 24 && offsetof(MatmulArgs, rows) == 28 &&
                  offsetof(MatmulArgs, cols) == 32 && offsetof(MatmulArgs, depth) == 36 &&
                  offsetof(MatmulArgs, output_offset) == 48 &&
                  offsetof(MatmulArgs, activation) == 52,
              "MatmulArgs layout");

// Columns [col0, col0 + 4 tiles) of every lhs row, four at a time, with per-tensor
// requantization with a right shift (shift < 0) and lhs_offset 0 (it is in the init):
// out = clamp(requantize(init[4 t + i] + (rhs row c_i) . x) + output_offset), init: int32[4] per
// tile, the accumulators' starts from col0. Per tile about 25 instructions plus 10 per 16
// values of k; per row about 20.
__attribute__((noinline)) void fc_rows_mve(const MatmulArgs& a, const int32_t* init, int32_t tiles,
                                           int32_t col0) {
  register const MatmulArgs* r0 asm("r0") = &a;
  register const int32_t* r1 asm("r1") = init;
  register int32_t r2 asm("r2") = tiles;
  register int32_t r3 asm("r3") = col0;
  // Stack: [sp] the row's end of output, [sp, #4] the lhs row, [sp, #8] output offset,
  // [sp, #12] rows left, [sp, #16] tiles, [sp, #20] init, [sp, #24] the first column's rhs row,
  // [sp, #28] the output row, [sp, #32] cols (the output row step), [sp, #36] (-k) & 15,
  // [sp, #40] r7. q4 = shift, q5 = act_min, q6 = act_max, q7 = the multiplier.
#define TE_FC_ROW_TOP          \
  "ldr r7, [sp, #16]\n\t"      \
  "add r7, r5, r7, lsl #2\n\t" \
  "str r7, [sp]\n\t"
#define TE_FC_TILE_TOP   \
  "ldr r8, [sp, #4]\n\t" \
  "add r3, r1, r9\n\t"   \
  "add r11, r3, r9\n\t"  \
  "add r12, r11, r9\n\t" \
  "ldm r10!, {r0, r2, r4, r6}\n\t"
#define TE_FC_COL(ptr, acc) \
  "vldrb.8 q1, [" ptr       \
  "], #16\n\t"              \
  "vmladava.s8 " acc ", q0, q1\n\t"
#define TE_FC_LOOP(label, COL)                                                 \
  "dlstp.8 lr, r9\n" label                                                     \
  ":\n\t"                                                                      \
  "vldrb.8 q0, [r8], #16\n\t" COL("r1", "r0") COL("r3", "r2") COL("r11", "r4") \
      COL("r12", "r6") "letp lr, " label                                       \
                       "b\n\t"                                                 \
                       "ldr r7, [sp, #36]\n\t"                                 \
                       "sub r1, r12, r7\n\t"                                   \
                       "vmov q2[2], q2[0], r0, r4\n\t"                         \
                       "vmov q2[3], q2[1], r2, r6\n\t"
#define TE_FC_STORE(loop)     \
  "vshr.s32 q3, q2, #31\n\t"  \
  "vqadd.s32 q2, q2, q3\n\t"  \
  "vrshl.s32 q2, q2, q4\n\t"  \
  "ldr r7, [sp, #8]\n\t"      \
  "vadd.i32 q2, q2, r7\n\t"   \
  "vmax.s32 q2, q2, q5\n\t"   \
  "vmin.s32 q2, q2, q6\n\t"   \
  "vstrb.32 q2, [r5], #4\n\t" \
  "ldr r7, [sp]\n\t"          \
  "cmp r5, r7\n\t"            \
  "bne " loop "\n\t"
  asm volatile(
      "push {r7}\n\t"
      "sub sp, #40\n\t"
      "str r1, [sp, #20]\n\t"
      "mov r10, r1\n\t"
      "str r2, [sp, #16]\n\t"
      "ldr r9, [r0, #36]\n\t"
      "ldr r1, [r0, #4]\n\t"
      "mla r1, r3, r9, r1\n\t"
      "str r1, [sp, #24]\n\t"
      "ldr r5, [r0, #24]\n\t"
      "add r5, r3\n\t"
      "str r5, [sp, #28]\n\t"
      "ldr r7, [r0, #32]\n\t"
      "str r7, [sp, #32]\n\t"
      "ldr r7, [r0]\n\t"
      "str r7, [sp, #4]\n\t"
      "ldr r7, [r0, #28]\n\t"
      "str r7, [sp, #12]\n\t"
      "ldr r7, [r0, #48]\n\t"
      "str r7, [sp, #8]\n\t"
      "rsb r7, r9, #0\n\t"
      "and r7, r7, #15\n\t"
      "str r7, [sp, #36]\n\t"
      "ldr r7, [r0, #16]\n\t"
      "ldr r7, [r7]\n\t"
      "vdup.32 q4, r7\n\t"
      "ldr r7, [r0, #52]\n\t"
      "vdup.32 q5, r7\n\t"
      "ldr r7, [r0, #56]\n\t"
      "vdup.32 q6, r7\n\t"
      "ldr r7, [r0, #12]\n\t"
      "ldr r7, [r7]\n\t"
      "vdup.32 q7, r7\n"
      "10:\n\t" TE_FC_ROW_TOP
      "11:\n\t" TE_FC_TILE_TOP TE_FC_LOOP("12", TE_FC_COL)
      "vqrdmulh.s32 q2, q2, q7\n\t" TE_FC_STORE("11b")
      "ldr r7, [sp, #12]\n\t"
      "subs r7, #1\n\t"
      "beq 90f\n\t"
      "str r7, [sp, #12]\n\t"
      // The next row: its output and lhs; init and rhs from the start.
      "ldrd r5, r7, [sp, #28]\n\t"
      "add r5, r7\n\t"
      "str r5, [sp, #28]\n\t"
      "ldr r8, [sp, #4]\n\t"
      "add r8, r9\n\t"
      "str r8, [sp, #4]\n\t"
      "ldr r10, [sp, #20]\n\t"
      "ldr r1, [sp, #24]\n\t"
      "b 10b\n"
      "90:\n\t"
      "add sp, #40\n\t"
      "pop {r7}"
      : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
      :
      : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "q0", "q1", "q2", "q3", "q4",
        "q5", "q6", "q7", "cc", "memory");
#undef TE_FC_ROW_TOP
#undef TE_FC_TILE_TOP
#undef TE_FC_COL
#undef TE_FC_LOOP
#undef TE_FC_STORE
}

// The common case (per-tensor requantization with a right shift, symmetric weights): the
// first 4 * full columns in assembly. Their accumulators start from the bias plus lhs_offset
// times the rhs row's sum (a fully connected layer's kernel sums are exactly that, precomputed,
// with lhs_offset 0), computed here 64 columns at a time unless the bias already is the start.
inline void matmul_mve_fast(const MatmulArgs& a, int32_t full) {
  if (a.bias != nullptr && a.lhs_offset == 0) {
    fc_rows_mve(a, a.bias, full, 0);
    return;
  }
  alignas(16) int32_t init[64];
  for (int32_t t0 = 0; t0 < full; t0 += 16) {
    const int32_t tiles = full - t0 < 16 ? full - t0 : 16;
    for (int32_t j = 0; j < 4 * tiles; ++j) {
      const int32_t c = 4 * t0 + j;
      uint32_t start = a.bias != nullptr ? static_cast<uint32_t>(a.bias[c]) : 0u;
      if (a.lhs_offset != 0) {  // wrapping, like the accumulators
        start += static_cast<uint32_t>(mve::sum_1(a.rhs + c * a.depth, a.depth)) *
                 static_cast<uint32_t>(a.lhs_offset);
      }
      init[j] = static_cast<int32_t>(start);
    }
    fc_rows_mve(a, init, tiles, 4 * t0);
  }
}

// Columns [c, cols) with tile_mve.
__attribute__((noinline)) void columns_mve(const MatmulArgs& a, int32_t c) {
  MveShared sh;
  sh.act_min = vdupq_n_s32(a.activation.min);
  sh.act_max = vdupq_n_s32(a.activation.max);
  sh.tensor_quant = mve::quant4(vdupq_n_s32(a.multiplier[0]), vdupq_n_s32(a.shift[0]));
  sh.both =
      static_cast<int32_t>(static_cast<uint32_t>(a.depth) * static_cast<uint32_t>(a.lhs_offset) *
                           static_cast<uint32_t>(a.rhs_offset));
  const int8_t* w = a.rhs + c * a.depth;
  for (; c < a.cols; c += 4, w += 4 * a.depth) {
    tile_mve(a, sh, w, c, a.cols - c < 4 ? a.cols - c : 4);
  }
}

void matmul_mve(const MatmulArgs& a) {
  int32_t done = 0;
  if (!a.per_channel && a.rhs_offset == 0 && a.shift[0] < 0 && a.cols >= 4) {
    done = static_cast<int32_t>(static_cast<uint32_t>(a.cols) >> 2);
    matmul_mve_fast(a, done);
    done *= 4;
  }
  if (done < a.cols) columns_mve(a, done);
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

// Spans by reference in the internal functions: copying them costs more code than the checks.
Status check_fc(const FullyConnectedParams& p, const FullyConnectedShape& shape,
                const Span<const int8_t>& input, const Span<const int8_t>& weights,
                const Span<const int32_t>& bias, const Span<int8_t>& output,
                const Span<int8_t>& scratch, const Span<const int32_t>& kernel_sums) {
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

// With kernel sums the input offset's share is in them: they replace the bias and the product
// runs with input offset 0.
detail::MatmulArgs fc_args(const FullyConnectedParams& p, const FullyConnectedShape& shape,
                           const Span<const int8_t>& input, const Span<const int8_t>& weights,
                           const Span<const int32_t>& bias, const Span<int8_t>& output,
                           const Span<int8_t>& scratch, const Span<const int32_t>& kernel_sums,
                           const int32_t* multiplier, const int32_t* shift, bool per_channel) {
  const bool folded = !kernel_sums.empty();
  return detail::MatmulArgs{input.data(),
                            weights.data(),
                            folded ? kernel_sums.data() : detail::bias_or_null(bias),
                            multiplier,
                            shift,
                            per_channel,
                            output.data(),
                            shape.batches,
                            shape.output_depth,
                            shape.input_depth,
                            folded ? 0 : p.input_offset,
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

namespace {

Status check_quant(const PerTensorQuant& q, int32_t /*channels*/) {
  TE_CHECK(detail::valid_quant(q.multiplier, q.shift), Status::kBadParam);
  return Status::kOk;
}
Status check_quant(const PerChannelQuant& q, int32_t channels) {
  return detail::check_per_channel(q, channels);
}

// fully_connected_s8_check's work for either quantization (spans by reference).
template <typename Quant>
Status check_all(const FullyConnectedParams& params, const Quant& quant,
                 const FullyConnectedShape& shape, const Span<const int8_t>& input,
                 const Span<const int8_t>& weights, const Span<const int32_t>& bias,
                 const Span<int8_t>& output, const Span<int8_t>& scratch,
                 const Span<const int32_t>& kernel_sums) {
  TE_RETURN_IF_ERROR(check_fc(params, shape, input, weights, bias, output, scratch, kernel_sums));
  return check_quant(quant, shape.output_depth);
}

}  // namespace

Status fully_connected_s8_check(const FullyConnectedParams& params, const PerTensorQuant& quant,
                                const FullyConnectedShape& shape, Span<const int8_t> input,
                                Span<const int8_t> weights, Span<const int32_t> bias,
                                Span<int8_t> output, Span<int8_t> scratch,
                                Span<const int32_t> kernel_sums) {
  return check_all(params, quant, shape, input, weights, bias, output, scratch, kernel_sums);
}

Status fully_connected_s8_check(const FullyConnectedParams& params, const PerChannelQuant& quant,
                                const FullyConnectedShape& shape, Span<const int8_t> input,
                                Span<const int8_t> weights, Span<const int32_t> bias,
                                Span<int8_t> output, Span<int8_t> scratch,
                                Span<const int32_t> kernel_sums) {
  return check_all(params, quant, shape, input, weights, bias, output, scratch, kernel_sums);
}

Status fully_connected_s8(const FullyConnectedParams& params, const PerTensorQuant& quant,
                          const FullyConnectedShape& shape, Span<const int8_t> input,
                          Span<const int8_t> weights, Span<const int32_t> bias, Span<int8_t> output,
                          Span<int8_t> scratch, Span<const int32_t> kernel_sums) {
  TE_RETURN_IF_ERROR(
      check_all(params, quant, shape, input, weights, bias, output, scratch, kernel_sums));
  detail::matmul_s8(fc_args(params, shape, input, weights, bias, output, scratch, kernel_sums,
                            &quant.multiplier, &quant.shift, false));
  return Status::kOk;
}

Status fully_connected_s8(const FullyConnectedParams& params, const PerChannelQuant& quant,
                          const FullyConnectedShape& shape, Span<const int8_t> input,
                          Span<const int8_t> weights, Span<const int32_t> bias, Span<int8_t> output,
                          Span<int8_t> scratch, Span<const int32_t> kernel_sums) {
  TE_RETURN_IF_ERROR(
      check_all(params, quant, shape, input, weights, bias, output, scratch, kernel_sums));
  detail::matmul_s8(fc_args(params, shape, input, weights, bias, output, scratch, kernel_sums,
                            quant.multiplier.data(), quant.shift.data(), true));
  return Status::kOk;
}

Status fully_connected_s8_kernel_sums_check(const FullyConnectedParams& params,
                                            const FullyConnectedShape& shape,
                                            Span<const int8_t> weights, Span<const int32_t> bias,
                                            Span<int32_t> kernel_sums) {
  TE_CHECK(weights.data() != nullptr && kernel_sums.data() != nullptr, Status::kNullPointer);
  TE_CHECK(shape.input_depth > 0 && shape.output_depth > 0, Status::kBadShape);
  int32_t weight_count = 0;
  TE_CHECK(checked_mul(shape.output_depth, shape.input_depth, &weight_count), Status::kOverflow);
  TE_CHECK(detail::valid_input_offset(params.input_offset) &&
               detail::valid_input_offset(params.filter_offset),
           Status::kBadParam);
  TE_RETURN_IF_ERROR(detail::check_bias(bias, shape.output_depth));
  TE_CHECK(weights.size() >= static_cast<size_t>(weight_count) &&
               kernel_sums.size() >= static_cast<size_t>(shape.output_depth),
           Status::kBufferTooSmall);
  return Status::kOk;
}

Status fully_connected_s8_kernel_sums(const FullyConnectedParams& params,
                                      const FullyConnectedShape& shape, Span<const int8_t> weights,
                                      Span<const int32_t> bias, Span<int32_t> kernel_sums) {
  TE_RETURN_IF_ERROR(
      fully_connected_s8_kernel_sums_check(params, shape, weights, bias, kernel_sums));
  for (int32_t o = 0; o < shape.output_depth; ++o) {
    const int8_t* w = weights.data() + o * shape.input_depth;
    uint32_t sum = 0;  // wrapping, like the accumulators
    for (int32_t i = 0; i < shape.input_depth; ++i) {
      sum += static_cast<uint32_t>(w[i] + params.filter_offset);
    }
    const uint32_t start = bias.empty() ? 0u : static_cast<uint32_t>(bias[o]);
    kernel_sums[o] =
        static_cast<int32_t>(start + sum * static_cast<uint32_t>(params.input_offset));
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
