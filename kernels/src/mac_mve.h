// SPDX-License-Identifier: Apache-2.0
// Helpers of the Helium (MVE, Cortex-M55) variants of the MAC-heavy kernels (conv, depthwise,
// fully connected, batch matmul): the vector requantization, tail-predicated dot-product and
// copy loops (inline assembly: GCC 12 emits no low-overhead tail-predicated loops).
//
// TE_MAC_MVE is defined when the target has integer MVE.
#pragma once

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define TE_MAC_MVE 1

#include <arm_mve.h>

#include <cstdint>

namespace tinyexec::kernels::detail::mve {

// requantize() on four lanes, bit-exact: left shift (wrapping), VQRDMULH (= the doubling high
// multiply; it saturates only INT32_MIN * INT32_MIN, impossible with multipliers >= 0), then
// the rounding divide by 2^-right: VRSHL rounds ties up, so negative values first get -1 (a
// saturating add: INT32_MIN stays, and divides exactly). right <= 0 is min(shift, 0).
inline int32x4_t requantize(int32x4_t acc, int32x4_t multiplier, int32x4_t left, int32x4_t right) {
  const int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, left), multiplier);
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, right), 31);
  return vrshlq_s32(vqaddq_s32(x, fixup), right);
}

// Per-channel (or broadcast per-tensor) requantization parameters of four lanes.
struct Quant4 {
  int32x4_t multiplier, left, right;
};
inline Quant4 quant4(int32x4_t multiplier, int32x4_t shift) {
  const int32x4_t zero = vdupq_n_s32(0);
  return {multiplier, vmaxq_s32(shift, zero), vminq_s32(shift, zero)};
}
// Channels [c, c + 4) of per-channel arrays; lanes at or past `valid` read nothing.
inline Quant4 quant4(const int32_t* multiplier, const int32_t* shift, int32_t valid) {
  const mve_pred16_t p = vctp32q(static_cast<uint32_t>(valid));
  return quant4(vldrwq_z_s32(multiplier, p), vldrwq_z_s32(shift, p));
}

// The output stage on four lanes: requantize, add the output offset, clamp (all int32).
inline int32x4_t output_stage(int32x4_t acc, const Quant4& q, int32_t output_offset,
                              int32x4_t act_min, int32x4_t act_max) {
  const int32x4_t v = vaddq_n_s32(requantize(acc, q.multiplier, q.left, q.right), output_offset);
  return vminq_s32(vmaxq_s32(v, act_min), act_max);
}

// {a, b, c, d} from four general registers (two dual-lane moves).
inline int32x4_t lanes(int32_t a, int32_t b, int32_t c, int32_t d) {
  int32x4_t v;
  asm("vmov %q[v][2], %q[v][0], %[a], %[c]\n\t"
      "vmov %q[v][3], %q[v][1], %[b], %[d]"
      : [v] "=w"(v)
      : [a] "r"(a), [b] "r"(b), [c] "r"(c), [d] "r"(d));
  return v;
}

// The vector loops below only read memory the kernels never write (inputs, weights), so they
// take no "memory" clobber: the compiler may keep values in registers across them.

// acc[i] += sum_k x[k] * w_i[k] over n >= 1 int8 values (tail-predicated; no read past n).
inline void dot_1x4(const int8_t* x, const int8_t* w0, const int8_t* w1, const int8_t* w2,
                    const int8_t* w3, int32_t n, int32_t& a0, int32_t& a1, int32_t& a2,
                    int32_t& a3) {
  int8x16_t vx, vw;
  asm volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n\t"
      "vldrb.8 %q[vx], [%[x]], #16\n\t"
      "vldrb.8 %q[vw], [%[w0]], #16\n\t"
      "vmladava.s8 %[a0], %q[vx], %q[vw]\n\t"
      "vldrb.8 %q[vw], [%[w1]], #16\n\t"
      "vmladava.s8 %[a1], %q[vx], %q[vw]\n\t"
      "vldrb.8 %q[vw], [%[w2]], #16\n\t"
      "vmladava.s8 %[a2], %q[vx], %q[vw]\n\t"
      "vldrb.8 %q[vw], [%[w3]], #16\n\t"
      "vmladava.s8 %[a3], %q[vx], %q[vw]\n\t"
      "letp lr, 1b"
      : [a0] "+Te"(a0), [a1] "+Te"(a1), [a2] "+Te"(a2), [a3] "+Te"(a3), [x] "+r"(x), [w0] "+r"(w0),
        [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3), [vx] "=&w"(vx), [vw] "=&w"(vw)
      : [n] "r"(n)
      : "lr");
}

// s[i] = sum_k w_i[k] over n >= 1 int8 values.
inline void sum_4(const int8_t* w0, const int8_t* w1, const int8_t* w2, const int8_t* w3, int32_t n,
                  int32_t& s0, int32_t& s1, int32_t& s2, int32_t& s3) {
  s0 = s1 = s2 = s3 = 0;
  int8x16_t v;
  asm volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n\t"
      "vldrb.8 %q[v], [%[w0]], #16\n\t"
      "vaddva.s8 %[s0], %q[v]\n\t"
      "vldrb.8 %q[v], [%[w1]], #16\n\t"
      "vaddva.s8 %[s1], %q[v]\n\t"
      "vldrb.8 %q[v], [%[w2]], #16\n\t"
      "vaddva.s8 %[s2], %q[v]\n\t"
      "vldrb.8 %q[v], [%[w3]], #16\n\t"
      "vaddva.s8 %[s3], %q[v]\n\t"
      "letp lr, 1b"
      : [s0] "+Te"(s0), [s1] "+Te"(s1), [s2] "+Te"(s2), [s3] "+Te"(s3), [w0] "+r"(w0),
        [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3), [v] "=&w"(v)
      : [n] "r"(n)
      : "lr");
}

// sum_k x[k] over n >= 1 int8 values.
inline int32_t sum_1(const int8_t* x, int32_t n) {
  int32_t s = 0;
  int8x16_t v;
  asm volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n\t"
      "vldrb.8 %q[v], [%[x]], #16\n\t"
      "vaddva.s8 %[s], %q[v]\n\t"
      "letp lr, 1b"
      : [s] "+Te"(s), [x] "+r"(x), [v] "=&w"(v)
      : [n] "r"(n)
      : "lr");
  return s;
}

// Output-stage table of four output channels (64 bytes, 16-byte aligned), as the tile loops
// below read it: the int32 accumulator start (bias plus folded offsets), the left shift
// max(shift, 0), the Q31 multiplier and the right shift min(shift, 0) of each channel.
struct QuantTile {
  int32_t init[4];
  int32_t left[4];
  int32_t multiplier[4];
  int32_t right[4];
};

// A run of columns multiplied by a block of weight rows, for the tile loops below. Column j is
// at x + j * x_step (k int8 values); its outputs at out + j * out_step; rows are contiguous
// (row r at w + r * k), four per table entry.
struct TileJob {
  const int8_t* x;         // 0
  int32_t x_step;          // 4
  int32_t columns;         // 8, >= 1
  const int8_t* w;         // 12
  int32_t k;               // 16, >= 1
  const QuantTile* table;  // 20
  int32_t tiles;           // 24, >= 1: rows / 4
  int8_t* out;             // 28 (advanced by the loops)
  int32_t out_step;        // 32
  int32_t output_offset;   // 36
};

// For every column of the job and every tile t: out[4 t + i] = clamp(requantize(
// table[t].init[i] + dot(column, row 4 t + i)) + output_offset). Per tile 28 instructions plus
// 10 per 16 values of k; per column 22.
__attribute__((noinline)) inline void tiles_1x4(TileJob& job, int32x4_t act_min, int32x4_t act_max) {
  register TileJob* r0 asm("r0") = &job;
  asm volatile(
      // Stack: [sp] tiles left, [sp, #4] columns left, [sp, #8] job, [sp, #12] column,
      // [sp, #16] output offset, [sp, #20] r7.
      "push {r7}\n\t"
      "sub sp, #20\n\t"
      "str r0, [sp, #8]\n\t"
      "ldr r1, [r0, #8]\n\t"
      "str r1, [sp, #4]\n\t"
      "ldr r1, [r0]\n\t"
      "str r1, [sp, #12]\n\t"
      "ldr r1, [r0, #36]\n\t"
      "str r1, [sp, #16]\n"
      "3:\n\t"
      "ldr r0, [sp, #8]\n\t"
      "ldr r1, [r0, #12]\n\t"
      "ldr r9, [r0, #16]\n\t"
      "ldr r10, [r0, #20]\n\t"
      "ldr r5, [r0, #28]\n\t"
      "ldr r7, [r0, #24]\n\t"
      "str r7, [sp]\n"
      "1:\n\t"
      "ldr r8, [sp, #12]\n\t"
      "add r3, r1, r9\n\t"
      "add r11, r3, r9\n\t"
      "add r12, r11, r9\n\t"
      "ldm r10!, {r0, r2, r4, r6}\n\t"
      "dlstp.8 lr, r9\n"
      "2:\n\t"
      "vldrb.8 q0, [r8], #16\n\t"
      "vldrb.8 q1, [r1], #16\n\t"
      "vmladava.s8 r0, q0, q1\n\t"
      "vldrb.8 q1, [r3], #16\n\t"
      "vmladava.s8 r2, q0, q1\n\t"
      "vldrb.8 q1, [r11], #16\n\t"
      "vmladava.s8 r4, q0, q1\n\t"
      "vldrb.8 q1, [r12], #16\n\t"
      "vmladava.s8 r6, q0, q1\n\t"
      "letp lr, 2b\n\t"
      // The loop moved the row pointers by k rounded up to 16: the next tile's first row is
      // the last row's end.
      "rsb r7, r9, #0\n\t"
      "and r7, r7, #15\n\t"
      "sub r1, r12, r7\n\t"
      "vmov q2[2], q2[0], r0, r4\n\t"
      "vmov q2[3], q2[1], r2, r6\n\t"
      "vldrw.32 q3, [r10], #16\n\t"
      "vshl.s32 q2, q2, q3\n\t"
      "vldrw.32 q3, [r10], #16\n\t"
      "vqrdmulh.s32 q2, q2, q3\n\t"
      "vldrw.32 q3, [r10], #16\n\t"
      "vand q4, q2, q3\n\t"
      "vshr.s32 q4, q4, #31\n\t"
      "vqadd.s32 q2, q2, q4\n\t"
      "vrshl.s32 q2, q2, q3\n\t"
      "ldr r7, [sp, #16]\n\t"
      "vadd.i32 q2, q2, r7\n\t"
      "vmax.s32 q2, q2, %q[mn]\n\t"
      "vmin.s32 q2, q2, %q[mx]\n\t"
      "vstrb.32 q2, [r5], #4\n\t"
      "ldr r7, [sp]\n\t"
      "subs r7, #1\n\t"
      "str r7, [sp]\n\t"
      "bne 1b\n\t"
      // Next column.
      "ldr r0, [sp, #8]\n\t"
      "ldr r5, [r0, #28]\n\t"
      "ldr r7, [r0, #32]\n\t"
      "add r5, r7\n\t"
      "str r5, [r0, #28]\n\t"
      "ldr r5, [sp, #12]\n\t"
      "ldr r7, [r0, #4]\n\t"
      "add r5, r7\n\t"
      "str r5, [sp, #12]\n\t"
      "ldr r7, [sp, #4]\n\t"
      "subs r7, #1\n\t"
      "str r7, [sp, #4]\n\t"
      "bne 3b\n\t"
      "add sp, #20\n\t"
      "pop {r7}"
      : "+r"(r0)
      : [mn] "w"(act_min), [mx] "w"(act_max)
      : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "q0", "q1", "q2",
        "q3", "q4", "cc", "memory");
}

// Like tiles_1x4 for k <= 16, two columns at a time (job.columns even). Per tile of two
// columns 56 instructions (8 outputs); per column pair 28.
__attribute__((noinline)) inline void tiles_2x4_short(TileJob& job, int32x4_t act_min, int32x4_t act_max) {
  register TileJob* r0 asm("r0") = &job;
#define TE_MVE_ROW(lo, hi) \
  "vpst\n\t"               \
  "vldrbt.8 q0, [r1]\n\t"  \
  "add r1, r3\n\t"         \
  "vmladav.s8 " lo         \
  ", q4, q0\n\t"           \
  "vmladav.s8 " hi ", q5, q0\n\t"
  asm volatile(
      // Stack: [sp] tiles left, [sp, #4] column pairs left, [sp, #8] job, [sp, #12] column,
      // [sp, #16] output offset, [sp, #20] r7.
      "push {r7}\n\t"
      "sub sp, #20\n\t"
      "str r0, [sp, #8]\n\t"
      "ldr r1, [r0, #8]\n\t"
      "lsr r1, r1, #1\n\t"
      "str r1, [sp, #4]\n\t"
      "ldr r1, [r0]\n\t"
      "str r1, [sp, #12]\n\t"
      "ldr r1, [r0, #36]\n\t"
      "str r1, [sp, #16]\n"
      "3:\n\t"
      "ldr r0, [sp, #8]\n\t"
      "ldr r3, [r0, #16]\n\t"
      "ldr r7, [sp, #12]\n\t"
      "ldr r11, [r0, #4]\n\t"
      "add r8, r7, r11\n\t"
      "vctp.8 r3\n\t"
      "vpstt\n\t"
      "vldrbt.8 q4, [r7]\n\t"
      "vldrbt.8 q5, [r8]\n\t"
      "ldr r1, [r0, #12]\n\t"
      "ldr r9, [r0, #20]\n\t"
      "ldr r5, [r0, #28]\n\t"
      "ldr r11, [r0, #32]\n\t"
      "ldr r7, [r0, #24]\n\t"
      "str r7, [sp]\n"
      "1:\n\t" TE_MVE_ROW("r0", "r2") TE_MVE_ROW("r4", "r6") TE_MVE_ROW("r8", "r10")
          TE_MVE_ROW("r12", "lr")
      "vmov q1[2], q1[0], r0, r8\n\t"
      "vmov q1[3], q1[1], r4, r12\n\t"
      "vmov q2[2], q2[0], r2, r10\n\t"
      "vmov q2[3], q2[1], r6, lr\n\t"
      "vldrw.32 q0, [r9], #16\n\t"
      "vadd.i32 q1, q1, q0\n\t"
      "vadd.i32 q2, q2, q0\n\t"
      "vldrw.32 q0, [r9], #16\n\t"
      "vshl.s32 q1, q1, q0\n\t"
      "vshl.s32 q2, q2, q0\n\t"
      "vldrw.32 q0, [r9], #16\n\t"
      "vqrdmulh.s32 q1, q1, q0\n\t"
      "vqrdmulh.s32 q2, q2, q0\n\t"
      "vldrw.32 q0, [r9], #16\n\t"
      "vand q3, q1, q0\n\t"
      "vshr.s32 q3, q3, #31\n\t"
      "vqadd.s32 q1, q1, q3\n\t"
      "vrshl.s32 q1, q1, q0\n\t"
      "vand q3, q2, q0\n\t"
      "vshr.s32 q3, q3, #31\n\t"
      "vqadd.s32 q2, q2, q3\n\t"
      "vrshl.s32 q2, q2, q0\n\t"
      "ldr r7, [sp, #16]\n\t"
      "vadd.i32 q1, q1, r7\n\t"
      "vadd.i32 q2, q2, r7\n\t"
      "vmax.s32 q1, q1, %q[mn]\n\t"
      "vmax.s32 q2, q2, %q[mn]\n\t"
      "vmin.s32 q1, q1, %q[mx]\n\t"
      "vmin.s32 q2, q2, %q[mx]\n\t"
      "vstrb.32 q1, [r5], #4\n\t"
      "add r7, r5, r11\n\t"
      "vstrb.32 q2, [r7, #-4]\n\t"
      "ldr r7, [sp]\n\t"
      "subs r7, #1\n\t"
      "str r7, [sp]\n\t"
      "bne 1b\n\t"
      // Next column pair.
      "ldr r0, [sp, #8]\n\t"
      "ldr r5, [r0, #28]\n\t"
      "ldr r7, [r0, #32]\n\t"
      "add r5, r5, r7, lsl #1\n\t"
      "str r5, [r0, #28]\n\t"
      "ldr r5, [sp, #12]\n\t"
      "ldr r7, [r0, #4]\n\t"
      "add r5, r5, r7, lsl #1\n\t"
      "str r5, [sp, #12]\n\t"
      "ldr r7, [sp, #4]\n\t"
      "subs r7, #1\n\t"
      "str r7, [sp, #4]\n\t"
      "bne 3b\n\t"
      "add sp, #20\n\t"
      "pop {r7}"
      : "+r"(r0)
      : [mn] "w"(act_min), [mx] "w"(act_max)
      : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "q0", "q1",
        "q2", "q3", "q4", "q5", "cc", "memory");
#undef TE_MVE_ROW
}

// Like tiles_1x4 with tiles of three output channels (table lanes 0..2; out advances by 3 per
// tile) and two columns at a time (job.columns even; x_step = out_step = 0 repeats one
// column): 12 instructions per 16 values of k for 6 outputs (VMLADAVA: 96 MACs), about 60 per
// tile besides. For large k.
__attribute__((noinline)) inline void tiles_2x3(TileJob& job, int32x4_t act_min, int32x4_t act_max) {
  register TileJob* r0 asm("r0") = &job;
  asm volatile(
      // Stack: [sp] tiles left, [sp, #4] column pairs left, [sp, #12] x0, [sp, #16] output
      // offset, [sp, #20] r7, [sp, #24] x_step, [sp, #28] k, [sp, #32] table, [sp, #36] out,
      // [sp, #40] out_step, [sp, #44] the pair's out, [sp, #48] w, [sp, #52] table start,
      // [sp, #56] tiles.
      "sub sp, #64\n\t"
      "str r7, [sp, #20]\n\t"
      "ldm r0, {r1, r2, r3, r4, r5, r6, r7}\n\t"  // x, x_step, columns, w, k, table, tiles
      "str r1, [sp, #12]\n\t"
      "str r2, [sp, #24]\n\t"
      "lsr r3, r3, #1\n\t"
      "str r3, [sp, #4]\n\t"
      "str r4, [sp, #48]\n\t"
      "str r5, [sp, #28]\n\t"
      "str r6, [sp, #52]\n\t"
      "str r7, [sp, #56]\n\t"
      "ldr r1, [r0, #28]\n\t"
      "str r1, [sp, #44]\n\t"
      "ldr r1, [r0, #32]\n\t"
      "str r1, [sp, #40]\n\t"
      "ldr r1, [r0, #36]\n\t"
      "str r1, [sp, #16]\n\t"
      "movs r1, #3\n\t"
      "vctp.32 r1\n"
      "3:\n\t"
      "ldr r1, [sp, #48]\n\t"
      "ldr r7, [sp, #52]\n\t"
      "str r7, [sp, #32]\n\t"
      "ldr r7, [sp, #44]\n\t"
      "str r7, [sp, #36]\n\t"
      "ldr r7, [sp, #56]\n\t"
      "str r7, [sp]\n"
      "1:\n\t"
      "ldr r9, [sp, #12]\n\t"
      "ldr r12, [sp, #24]\n\t"
      "add r11, r9, r12\n\t"
      "ldr r12, [sp, #28]\n\t"
      "add r3, r1, r12\n\t"
      "add r5, r3, r12\n\t"
      "ldr r7, [sp, #32]\n\t"
      "ldm r7, {r0, r2, r4}\n\t"
      "adds r7, #16\n\t"
      "mov r6, r0\n\t"
      "mov r8, r2\n\t"
      "mov r10, r4\n\t"
      "dlstp.8 lr, r12\n"
      "2:\n\t"
      "vldrb.8 q0, [r9], #16\n\t"
      "vldrb.8 q1, [r11], #16\n\t"
      "vldrb.8 q2, [r1], #16\n\t"
      "vmladava.s8 r0, q0, q2\n\t"
      "vmladava.s8 r6, q1, q2\n\t"
      "vldrb.8 q2, [r3], #16\n\t"
      "vmladava.s8 r2, q0, q2\n\t"
      "vmladava.s8 r8, q1, q2\n\t"
      "vldrb.8 q2, [r5], #16\n\t"
      "vmladava.s8 r4, q0, q2\n\t"
      "vmladava.s8 r10, q1, q2\n\t"
      "letp lr, 2b\n\t"
      "rsb r12, r12, #0\n\t"
      "and r12, r12, #15\n\t"
      "sub r1, r5, r12\n\t"
      "vmov q0[2], q0[0], r0, r4\n\t"
      "vmov q0[3], q0[1], r2, r2\n\t"
      "vmov q1[2], q1[0], r6, r10\n\t"
      "vmov q1[3], q1[1], r8, r8\n\t"
      "vldrw.32 q2, [r7], #16\n\t"
      "vshl.s32 q0, q0, q2\n\t"
      "vshl.s32 q1, q1, q2\n\t"
      "vldrw.32 q2, [r7], #16\n\t"
      "vqrdmulh.s32 q0, q0, q2\n\t"
      "vqrdmulh.s32 q1, q1, q2\n\t"
      "vldrw.32 q2, [r7], #16\n\t"
      "vand q3, q0, q2\n\t"
      "vshr.s32 q3, q3, #31\n\t"
      "vqadd.s32 q0, q0, q3\n\t"
      "vrshl.s32 q0, q0, q2\n\t"
      "vand q3, q1, q2\n\t"
      "vshr.s32 q3, q3, #31\n\t"
      "vqadd.s32 q1, q1, q3\n\t"
      "vrshl.s32 q1, q1, q2\n\t"
      "str r7, [sp, #32]\n\t"
      "ldr r7, [sp, #16]\n\t"
      "vadd.i32 q0, q0, r7\n\t"
      "vadd.i32 q1, q1, r7\n\t"
      "vmax.s32 q0, q0, %q[mn]\n\t"
      "vmax.s32 q1, q1, %q[mn]\n\t"
      "vmin.s32 q0, q0, %q[mx]\n\t"
      "vmin.s32 q1, q1, %q[mx]\n\t"
      "ldr r3, [sp, #36]\n\t"
      "ldr r5, [sp, #40]\n\t"
      "add r5, r3\n\t"
      "vpst\n\t"
      "vstrbt.32 q0, [r3]\n\t"
      "vpst\n\t"
      "vstrbt.32 q1, [r5]\n\t"
      "adds r3, #3\n\t"
      "str r3, [sp, #36]\n\t"
      "ldr r7, [sp]\n\t"
      "subs r7, #1\n\t"
      "str r7, [sp]\n\t"
      "bne 1b\n\t"
      // Next column pair.
      "ldr r7, [sp, #44]\n\t"
      "ldr r12, [sp, #40]\n\t"
      "add r7, r7, r12, lsl #1\n\t"
      "str r7, [sp, #44]\n\t"
      "ldr r7, [sp, #12]\n\t"
      "ldr r12, [sp, #24]\n\t"
      "add r7, r7, r12, lsl #1\n\t"
      "str r7, [sp, #12]\n\t"
      "ldr r7, [sp, #4]\n\t"
      "subs r7, #1\n\t"
      "str r7, [sp, #4]\n\t"
      "bne 3b\n\t"
      "ldr r7, [sp, #20]\n\t"
      "add sp, #64"
      : "+r"(r0)
      : [mn] "w"(act_min), [mx] "w"(act_max)
      : "r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "q0", "q1", "q2",
        "q3", "cc", "memory");
}

// Packs `rows` runs of `run` bytes (run >= 1), src + i * src_stride, one after the other at
// dst: the im2col column of a window that lies inside the input.
inline void gather_rows(int8_t* dst, const int8_t* src, int32_t run, int32_t rows,
                        int32_t src_stride) {
  const int8_t* s;
  int8_t* d;
  int8x16_t v;
  asm volatile(
      "1:\n\t"
      "mov %[s], %[src]\n\t"
      "mov %[d], %[dst]\n\t"
      "dlstp.8 lr, %[run]\n"
      "2:\n\t"
      "vldrb.8 %q[v], [%[s]], #16\n\t"
      "vstrb.8 %q[v], [%[d]], #16\n\t"
      "letp lr, 2b\n\t"
      "add %[src], %[stride]\n\t"
      "add %[dst], %[run]\n\t"
      "subs %[rows], #1\n\t"
      "bne 1b"
      :
      [src] "+r"(src), [dst] "+r"(dst), [rows] "+r"(rows), [s] "=&r"(s), [d] "=&r"(d), [v] "=&w"(v)
      : [run] "r"(run), [stride] "r"(src_stride)
      : "lr", "cc", "memory");
}

// dst[0, n) = src[0, n), n >= 1 (no overlap).
inline void copy_bytes(int8_t* dst, const int8_t* src, int32_t n) {
  int8x16_t v;
  asm volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n\t"
      "vldrb.8 %q[v], [%[s]], #16\n\t"
      "vstrb.8 %q[v], [%[d]], #16\n\t"
      "letp lr, 1b"
      : [s] "+r"(src), [d] "+r"(dst), [v] "=&w"(v)
      : [n] "r"(n)
      : "lr", "memory");
}

// dst[0, n) = value, n >= 1.
inline void fill_bytes(int8_t* dst, int8_t value, int32_t n) {
  const int8x16_t v = vdupq_n_s8(value);
  asm volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n\t"
      "vstrb.8 %q[v], [%[d]], #16\n\t"
      "letp lr, 1b"
      : [d] "+r"(dst)
      : [n] "r"(n), [v] "w"(v)
      : "lr", "memory");
}

}  // namespace tinyexec::kernels::detail::mve

#endif  // MVE
