// SPDX-License-Identifier: Apache-2.0
// Element-wise add, mul, maximum and minimum. Three variants side by side, chosen at compile
// time by simd_s8.h: Helium (M55), DSP (M4/M7/M33) and the portable reference loops. The fast
// variants are bit-exact with the reference: they evaluate the same requantization with fewer,
// wider instructions (see the "Fast variants" section below), and they hand any parameter set
// whose intermediate values they cannot prove to fit in int32 back to the reference loops.
#include "tinyexec/kernels/elementwise.h"

#include <cstring>

#include "common_s8.h"
#include "simd_s8.h"
#include "tinyexec/kernels/requant.h"

namespace tinyexec::kernels {
namespace {

bool broadcasts_to(const Dims4& in, const Dims4& out) {
  return (in.n == out.n || in.n == 1) && (in.h == out.h || in.h == 1) &&
         (in.w == out.w || in.w == 1) && (in.c == out.c || in.c == 1);
}

bool valid_quant(const PerTensorQuant& q) {
  return detail::valid_quant(q.multiplier, q.shift);
}

Status check_tensors(const Dims4& input1_dims, Span<const int8_t> input1, const Dims4& input2_dims,
                     Span<const int8_t> input2, const Dims4& output_dims, Span<int8_t> output) {
  TE_CHECK(input1.data() != nullptr && input2.data() != nullptr && output.data() != nullptr,
           Status::kNullPointer);
  TE_CHECK(dims_positive(input1_dims) && dims_positive(input2_dims) && dims_positive(output_dims),
           Status::kBadShape);
  TE_CHECK(broadcasts_to(input1_dims, output_dims) && broadcasts_to(input2_dims, output_dims),
           Status::kBadShape);
  int32_t count1 = 0, count2 = 0, count_out = 0;
  TE_CHECK(dims_count(input1_dims, &count1) && dims_count(input2_dims, &count2) &&
               dims_count(output_dims, &count_out),
           Status::kOverflow);
  TE_CHECK(input1.size() >= static_cast<size_t>(count1) &&
               input2.size() >= static_cast<size_t>(count2) &&
               output.size() >= static_cast<size_t>(count_out),
           Status::kBufferTooSmall);
  return Status::kOk;
}

// ---------------------------------------------------------------------------------------------
// Broadcasting (every variant): the output is walked as at most four nested dimensions after
// merging neighbours that both inputs step through alike; the innermost one is a run of
// contiguous output elements. A row function handles a run with both inputs contiguous; an input
// that is constant along the run (step 0) is served from a small buffer filled with its value,
// so every run goes through the same (vector) code. Each output element is computed from input
// elements of the same index read before it is written, so an output aliasing a same-shaped input
// is safe.
// ---------------------------------------------------------------------------------------------
using RowFn = void (*)(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void* ctx);

constexpr int32_t kConstantRun = 64;

// The merged dimensions, innermost first: their sizes and each input's element step along them
// (0 where it is broadcast).
struct Walk {
  int32_t count = 0;
  int32_t size[4], step1[4], step2[4];
  int32_t inner1 = 1, inner2 = 1;  // elements of each input inside the next dimension pushed

  // Adds the next dimension outwards: out elements of the output, n1 / n2 of the inputs.
  void push(int32_t out, int32_t n1, int32_t n2) {
    const int32_t s1 = n1 == 1 ? 0 : inner1, s2 = n2 == 1 ? 0 : inner2;
    inner1 *= n1;
    inner2 *= n2;
    if (out == 1) return;  // no steps to take
    // Merge into the previous dimension when stepping through it ends where this one steps.
    const int32_t k = count - 1;
    if (k >= 0 && s1 == step1[k] * size[k] && s2 == step2[k] * size[k]) {
      size[k] *= out;
      return;
    }
    size[count] = out;
    step1[count] = s1;
    step2[count] = s2;
    ++count;
  }
};

void for_each_run(const Dims4& d1, const int8_t* a, const Dims4& d2, const int8_t* b,
                  const Dims4& od, int8_t* out, RowFn row, const void* ctx) {
  Walk w;
  w.push(od.c, d1.c, d2.c);
  w.push(od.w, d1.w, d2.w);
  w.push(od.h, d1.h, d2.h);
  w.push(od.n, d1.n, d2.n);
  if (w.count == 0) {  // a single element: one run of 1
    w.count = 1;
    w.size[0] = w.step1[0] = w.step2[0] = 1;
  }
  // Runs with a constant input go in pieces of at most kConstantRun, others whole.
  const int32_t n = w.size[0];
  const bool constant1 = w.step1[0] == 0, constant2 = w.step2[0] == 0;
  const int32_t piece = constant1 || constant2 ? kConstantRun : n;
  const size_t fill = static_cast<size_t>(n < kConstantRun ? n : kConstantRun);
  int8_t buffer1[kConstantRun], buffer2[kConstantRun];
  int32_t index[4] = {0, 0, 0, 0};
  for (;;) {
    if (constant1) std::memset(buffer1, *a, fill);
    if (constant2) std::memset(buffer2, *b, fill);
    for (int32_t x = 0; x < n; x += piece) {
      row(constant1 ? buffer1 : a + x, constant2 ? buffer2 : b + x, out + x,
          n - x < piece ? n - x : piece, ctx);
    }
    out += n;
    // Next run: an odometer over the outer dimensions, innermost first.
    int32_t k = 1;
    for (; k < w.count; ++k) {
      a += w.step1[k];
      b += w.step2[k];
      if (++index[k] < w.size[k]) break;
      a -= w.step1[k] * w.size[k];
      b -= w.step2[k] * w.size[k];
      index[k] = 0;
    }
    if (k == w.count) return;
  }
}

// Reference rows (the portable variant, and the fallback of the fast ones).
void add_row_reference(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void* ctx) {
  const AddParams& p = *static_cast<const AddParams*>(ctx);
  for (int32_t i = 0; i < n; ++i) {
    // |in + offset| <= 256, so the headroom shift of at most 22 cannot overflow.
    const int32_t a_shifted = (a[i] + p.input1_offset) * (1 << p.left_shift);
    const int32_t b_shifted = (b[i] + p.input2_offset) * (1 << p.left_shift);
    const int32_t sum =
        detail::wrapping_add(requantize(a_shifted, p.input1.multiplier, p.input1.shift),
                             requantize(b_shifted, p.input2.multiplier, p.input2.shift));
    out[i] = detail::output_stage(sum, p.output.multiplier, p.output.shift, p.output_offset,
                                  p.activation);
  }
}

void mul_row_reference(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void* ctx) {
  const MulParams& p = *static_cast<const MulParams*>(ctx);
  for (int32_t i = 0; i < n; ++i) {
    // |product| <= 256 * 256: no overflow before the rescale.
    const int32_t product = (a[i] + p.input1_offset) * (b[i] + p.input2_offset);
    out[i] = detail::output_stage(product, p.output.multiplier, p.output.shift, p.output_offset,
                                  p.activation);
  }
}

#if defined(TE_SIMD_DSP) || defined(TE_SIMD_MVE)
// ---------------------------------------------------------------------------------------------
// Fast variants.
//
// Requantization: requantize(x, m, s) = rounding_divide_by_pot(doubling_high_mul(x << l, m), r)
// with l = max(s, 0), r = max(-s, 0). The fast code uses, for the values it meets here:
//   doubling_high_mul(x, m) = SMMULR(2x, m)            (DSP; 2x fits int32, m >= 0)
//                           = VQRDMULH(x, m)           (Helium; never saturates for m >= 0)
//   rounding_divide_by_pot(y, r) + z = (y + 2^(r-1) + z * 2^r - [y < 0]) >> r   (r >= 1)
// and [y < 0] may be taken from the sign of x (y has the sign of x or is 0, and for y = 0 the
// -1 changes nothing). The adds fold into SMMLAR / VQRDMLAH (acc + doubling_high_mul(x, m)).
// make_add_plan / make_mul_plan bound every intermediate value from the parameters (the
// requantization is monotone in its input, so the extreme inputs give the extreme values) and
// refuse parameters that could overflow; those run on the reference loops.
// ---------------------------------------------------------------------------------------------
#define TE_EW_FAST 1

#if defined(TE_SIMD_DSP)
constexpr int32_t kDoubling = 1;  // SMMULR needs 2x
#else
constexpr int32_t kDoubling = 0;
#endif

// One input of add: x = in * p + c = (in + offset) << left_shift (<< 1 more on DSP), then
// doubling_high_mul(x, m) when r = 0, else (n - [x < 0] + doubling_high_mul(x, m)) >> r with
// n = 2^(r-1). Input shifts are <= 0 here (TFLite's input multipliers are at most 1/2), so both
// inputs share p.
struct InputStage {
  int32_t c, m, n, r;
};

// The output stage: y = (no - [s < 0] + doubling_high_mul(s, mo)) >> ro, then clamped (s is
// doubled first on DSP). no = 2^(ro-1) + output_offset * 2^ro folds the rounding and the output
// zero point. The output shift is <= -1 here (ro >= 1): no left shift.
struct OutputStage {
  int32_t mo, no, ro, act_min, act_max;
};

struct AddPlan {
  int32_t p;
  InputStage in1, in2;
  OutputStage out;
};

struct MulPlan {
  int32_t offset1, offset2;
  OutputStage out;
};

int64_t max64(int64_t a, int64_t b) {
  return a > b ? a : b;
}

// Output stage for sums in [lo, hi]; false if an intermediate value could leave int32.
bool make_output_stage(const PerTensorQuant& q, int32_t offset, const ActivationRange& act,
                       int64_t lo, int64_t hi, OutputStage* out) {
  // Output shift >= 0 would mean an output scale 2^20 (add) or 1 / (scale_1 * scale_2) (mul)
  // times smaller than the inputs': not worth a variant.
  if (q.shift > -1) return false;
  const int32_t right = -q.shift;
  const int64_t scale = int64_t{1} << kDoubling;
  if (lo * scale < INT32_MIN || hi * scale > INT32_MAX) return false;
  const int64_t n = (int64_t{1} << (right - 1)) + offset * (int64_t{1} << right);
  const int64_t dmin = doubling_high_mul(static_cast<int32_t>(lo), q.multiplier);
  const int64_t dmax = doubling_high_mul(static_cast<int32_t>(hi), q.multiplier);
  if (n - 1 + dmin < INT32_MIN || n + dmax > INT32_MAX) return false;
  *out = {q.multiplier, static_cast<int32_t>(n), right, act.min, act.max};
  return true;
}

// One input of add: in + offset in [offset - 128, offset + 127], shifted by left_shift.
bool make_input_stage(int32_t offset, int32_t left_shift, const PerTensorQuant& q, int32_t p,
                      int64_t* lo, int64_t* hi, InputStage* st) {
  if (q.shift > 0) return false;
  const int32_t right = -q.shift;
  // Exact extremes from the reference arithmetic (monotone in the input).
  *lo += requantize((offset - 128) * (1 << left_shift), q.multiplier, q.shift);
  *hi += requantize((offset + 127) * (1 << left_shift), q.multiplier, q.shift);
  *st = {offset * p, q.multiplier, right > 0 ? 1 << (right - 1) : 0, right};
  return true;
}

bool make_add_plan(const AddParams& p, AddPlan* plan) {
  // |in + offset| <= 256: (in + offset) << (left_shift + 1) fits int32 up to left_shift 22.
  plan->p = 1 << (p.left_shift + kDoubling);
  int64_t lo = 0, hi = 0;
  return make_input_stage(p.input1_offset, p.left_shift, p.input1, plan->p, &lo, &hi, &plan->in1) &&
         make_input_stage(p.input2_offset, p.left_shift, p.input2, plan->p, &lo, &hi, &plan->in2) &&
         make_output_stage(p.output, p.output_offset, p.activation, lo, hi, &plan->out);
}

bool make_mul_plan(const MulParams& p, MulPlan* plan) {
  // Products of values in [offset - 128, offset + 127].
  const int64_t a[2] = {p.input1_offset - 128, p.input1_offset + 127};
  const int64_t b[2] = {p.input2_offset - 128, p.input2_offset + 127};
  int64_t lo = a[0] * b[0], hi = lo;
  for (int64_t x : a) {
    for (int64_t y : b) {
      lo = x * y < lo ? x * y : lo;
      hi = max64(hi, x * y);
    }
  }
  plan->offset1 = p.input1_offset;
  plan->offset2 = p.input2_offset;
  return make_output_stage(p.output, p.output_offset, p.activation, lo, hi, &plan->out);
}

inline int32_t clamp_act(int32_t y, const OutputStage& o) {
  return y < o.act_min ? o.act_min : (y > o.act_max ? o.act_max : y);
}

#if defined(TE_SIMD_DSP)
// The output stage of one element: s (already summed) to the int8 value before the clamp.
inline int32_t output_dsp(int32_t sum, const OutputStage& o) {
  return simd::smmlar(o.no + simd::sign_mask(sum), sum + sum, o.mo) >> o.ro;
}

// The rescaled sum of one element pair. Input 2 has a rounding shift (r >= 1) or, like input 1,
// none (add_s8 arranges that).
inline int32_t add_sum_dsp(int32_t a, int32_t b, const AddPlan& q, bool rounded) {
  const int32_t xa = a * q.p + q.in1.c;
  const int32_t xb = b * q.p + q.in2.c;
  const int32_t rescaled_b =
      rounded ? simd::smmlar(q.in2.n + simd::sign_mask(xb), xb, q.in2.m) >> q.in2.r
              : simd::smmulr(xb, q.in2.m);
  return simd::smmlar(rescaled_b, xa, q.in1.m);
}

// Four int32 results to four int8 in one word: saturate, pack (BFI), clamp with SIMD32.
inline void store4_dsp(int8_t* out, int32_t y0, int32_t y1, int32_t y2, int32_t y3, bool clamp,
                       uint32_t act_min4, uint32_t act_max4) {
  uint32_t w = static_cast<uint32_t>(__ssat(y0, 8));
  w = simd::insert_byte<8>(w, __ssat(y1, 8));
  w = simd::insert_byte<16>(w, __ssat(y2, 8));
  w = simd::insert_byte<24>(w, __ssat(y3, 8));
  if (clamp) {             // a fused activation narrower than int8 (loop-invariant)
    __ssub8(w, act_min4);  // GE where w >= act_min
    w = __sel(w, act_min4);
    __ssub8(w, act_max4);  // GE where w >= act_max
    w = __sel(act_max4, w);
  }
  std::memcpy(out, &w, 4);
}

uint32_t splat4(int32_t v) {
  return (static_cast<uint32_t>(v) & 0xffu) * 0x01010101u;
}

// With a rounded input, runs of up to kAddChunk elements take two passes (the rescaled sums into
// a small stack buffer, then the output stage): each pass needs only half of the constants,
// which then stay in registers instead of being reloaded for every element. Without, one pass
// needs few enough (equal input scales, a common case: 15 instead of 18 instructions per
// element on M4).
constexpr int32_t kAddChunk = 32;

void add_row(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void* ctx) {
  const AddPlan q = *static_cast<const AddPlan*>(ctx);  // a local copy: fields in registers
  const bool rounded = q.in2.r != 0;
  const OutputStage o = q.out;
  const uint32_t lo4 = splat4(o.act_min), hi4 = splat4(o.act_max);
  const bool clamp = o.act_min != -128 || o.act_max != 127;
  if (!rounded) {
    int32_t i = 0;
    for (; i <= n - 4; i += 4) {
      int32_t y[4];
      for (int k = 0; k < 4; ++k) y[k] = output_dsp(add_sum_dsp(a[i + k], b[i + k], q, false), o);
      store4_dsp(out + i, y[0], y[1], y[2], y[3], clamp, lo4, hi4);
    }
    for (; i < n; ++i) {
      out[i] = static_cast<int8_t>(clamp_act(output_dsp(add_sum_dsp(a[i], b[i], q, false), o), o));
    }
    return;
  }
  int32_t sums[kAddChunk];
  for (int32_t base = 0; base < n; base += kAddChunk) {
    const int32_t m = n - base < kAddChunk ? n - base : kAddChunk;
    for (int32_t i = 0; i < m; ++i) sums[i] = add_sum_dsp(a[base + i], b[base + i], q, true);
    int8_t* dst = out + base;
    int32_t i = 0;
    for (; i <= m - 4; i += 4) {
      store4_dsp(dst + i, output_dsp(sums[i], o), output_dsp(sums[i + 1], o),
                 output_dsp(sums[i + 2], o), output_dsp(sums[i + 3], o), clamp, lo4, hi4);
    }
    for (; i < m; ++i) dst[i] = static_cast<int8_t>(clamp_act(output_dsp(sums[i], o), o));
  }
}

inline int32_t mul_one_dsp(int32_t a, int32_t b, const MulPlan& q) {
  return output_dsp((a + q.offset1) * (b + q.offset2), q.out);
}

void mul_row(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void* ctx) {
  const MulPlan& q = *static_cast<const MulPlan*>(ctx);
  const uint32_t lo4 = splat4(q.out.act_min), hi4 = splat4(q.out.act_max);
  const bool clamp = q.out.act_min != -128 || q.out.act_max != 127;
  // (in + offset) for two elements at a time in 16-bit halves: SXTB16 + SADD16.
  const int16x2_t off1 =
      static_cast<int16x2_t>((static_cast<uint32_t>(q.offset1) & 0xffffu) * 0x00010001u);
  const int16x2_t off2 =
      static_cast<int16x2_t>((static_cast<uint32_t>(q.offset2) & 0xffffu) * 0x00010001u);
  int32_t i = 0;
  for (; i <= n - 4; i += 4) {
    int8x4_t wa, wb;
    std::memcpy(&wa, a + i, 4);
    std::memcpy(&wb, b + i, 4);
    const int16x2_t a02 = __sadd16(__sxtb16(wa), off1);
    const int16x2_t a13 = __sadd16(__sxtb16(simd::ror8(wa)), off1);
    const int16x2_t b02 = __sadd16(__sxtb16(wb), off2);
    const int16x2_t b13 = __sadd16(__sxtb16(simd::ror8(wb)), off2);
    const int32_t y0 = output_dsp(simd::mul_bottom(a02, b02), q.out);
    const int32_t y1 = output_dsp(simd::mul_bottom(a13, b13), q.out);
    const int32_t y2 = output_dsp(simd::mul_top(a02, b02), q.out);
    const int32_t y3 = output_dsp(simd::mul_top(a13, b13), q.out);
    store4_dsp(out + i, y0, y1, y2, y3, clamp, lo4, hi4);
  }
  for (; i < n; ++i) {
    out[i] = static_cast<int8_t>(clamp_act(mul_one_dsp(a[i], b[i], q), q.out));
  }
}

template <bool kMax>
void max_min_row(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void*) {
  int32_t i = 0;
  for (; i <= n - 4; i += 4) {
    uint32_t wa, wb;
    std::memcpy(&wa, a + i, 4);
    std::memcpy(&wb, b + i, 4);
    __ssub8(wa, wb);  // GE where a >= b
    const uint32_t w = kMax ? __sel(wa, wb) : __sel(wb, wa);
    std::memcpy(out + i, &w, 4);
  }
  for (; i < n; ++i) out[i] = kMax ? (a[i] > b[i] ? a[i] : b[i]) : (a[i] < b[i] ? a[i] : b[i]);
}
#endif  // TE_SIMD_DSP

#if defined(TE_SIMD_MVE)
// The plan's fields as scalars: int8 stores may alias anything, so fields read through a
// reference would be reloaded after every store.
struct OutputRegs {
  int32_t mo, no, neg_ro;
  int32x4_t lo, hi;
  explicit OutputRegs(const OutputStage& o)
      : mo(o.mo), no(o.no), neg_ro(-o.ro), lo(vdupq_n_s32(o.act_min)), hi(vdupq_n_s32(o.act_max)) {}
  int32x4_t operator()(int32x4_t s) const {
    const int32x4_t acc = vaddq_n_s32(vshrq_n_s32(s, 31), no);
    const int32x4_t y = vshlq_r_s32(vqrdmlahq_n_s32(acc, s, mo), neg_ro);
    return vminq_s32(vmaxq_s32(y, lo), hi);
  }
};

struct InputRegs {
  int32_t c, m, n, neg_r;
  int32x4_t p;
  InputRegs(const InputStage& st, int32_t scale)
      : c(st.c), m(st.m), n(st.n), neg_r(-st.r), p(vdupq_n_s32(scale)) {}
  int32x4_t scaled(int32x4_t v) const { return vmlasq_n_s32(v, p, c); }
  // (n - [x < 0] + doubling_high_mul(x, m)) >> r, for r >= 1.
  int32x4_t rescale(int32x4_t x) const {
    return vshlq_r_s32(vqrdmlahq_n_s32(vaddq_n_s32(vshrq_n_s32(x, 31), n), x, m), neg_r);
  }
};

// Input 2 has a rounding shift (r >= 1) or, like input 1, none (add_s8 arranges that).
void add_row(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void* ctx) {
  const AddPlan& q = *static_cast<const AddPlan*>(ctx);
  const InputRegs in1(q.in1, q.p), in2(q.in2, q.p);
  const OutputRegs output(q.out);
  const bool rounded = q.in2.r != 0;  // loop-invariant
  auto add4 = [&](int32x4_t va, int32x4_t vb) {
    const int32x4_t xa = in1.scaled(va), xb = in2.scaled(vb);
    const int32x4_t rescaled_b = rounded ? in2.rescale(xb) : vqrdmulhq_n_s32(xb, in2.m);
    return output(vqrdmlahq_n_s32(rescaled_b, xa, in1.m));
  };
  for (; n >= 4; n -= 4, a += 4, b += 4, out += 4) {
    vstrbq_s32(out, add4(vldrbq_s32(a), vldrbq_s32(b)));
  }
  if (n > 0) {
    const mve_pred16_t p = vctp32q(static_cast<uint32_t>(n));
    vstrbq_p_s32(out, add4(vldrbq_z_s32(a, p), vldrbq_z_s32(b, p)), p);
  }
}

void mul_row(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void* ctx) {
  const MulPlan& q = *static_cast<const MulPlan*>(ctx);
  const int32_t offset1 = q.offset1, offset2 = q.offset2;
  const OutputRegs output(q.out);
  auto mul4 = [&](int32x4_t va, int32x4_t vb) {
    return output(vmulq_s32(vaddq_n_s32(va, offset1), vaddq_n_s32(vb, offset2)));
  };
  for (; n >= 4; n -= 4, a += 4, b += 4, out += 4) {
    vstrbq_s32(out, mul4(vldrbq_s32(a), vldrbq_s32(b)));
  }
  if (n > 0) {
    const mve_pred16_t p = vctp32q(static_cast<uint32_t>(n));
    vstrbq_p_s32(out, mul4(vldrbq_z_s32(a, p), vldrbq_z_s32(b, p)), p);
  }
}

template <bool kMax>
void max_min_row(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void*) {
  int32_t i = 0;
  for (; i <= n - 16; i += 16) {
    const int8x16_t va = vldrbq_s8(a + i), vb = vldrbq_s8(b + i);
    vstrbq_s8(out + i, kMax ? vmaxq_s8(va, vb) : vminq_s8(va, vb));
  }
  if (i < n) {
    const mve_pred16_t p = vctp8q(static_cast<uint32_t>(n - i));
    const int8x16_t va = vldrbq_z_s8(a + i, p), vb = vldrbq_z_s8(b + i, p);
    vstrbq_p_s8(out + i, kMax ? vmaxq_s8(va, vb) : vminq_s8(va, vb), p);
  }
}
#endif  // TE_SIMD_MVE
#else
template <bool kMax>
void max_min_row(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, const void*) {
  for (int32_t i = 0; i < n; ++i)
    out[i] = kMax ? (a[i] > b[i] ? a[i] : b[i]) : (a[i] < b[i] ? a[i] : b[i]);
}
#endif  // fast variants

}  // namespace

Status add_s8_check(const AddParams& params, const Dims4& input1_dims, Span<const int8_t> input1,
                    const Dims4& input2_dims, Span<const int8_t> input2, const Dims4& output_dims,
                    Span<int8_t> output) {
  TE_RETURN_IF_ERROR(check_tensors(input1_dims, input1, input2_dims, input2, output_dims, output));
  TE_CHECK(detail::valid_input_offset(params.input1_offset) &&
               detail::valid_input_offset(params.input2_offset),
           Status::kBadParam);
  TE_CHECK(params.left_shift >= 0 && params.left_shift <= 22, Status::kBadParam);
  TE_CHECK(valid_quant(params.input1) && valid_quant(params.input2) && valid_quant(params.output),
           Status::kBadParam);
  TE_CHECK(detail::valid_output_offset(params.output_offset), Status::kBadParam);
  TE_CHECK(valid_activation(params.activation), Status::kBadParam);
  return Status::kOk;
}

Status add_s8(const AddParams& params, const Dims4& input1_dims, Span<const int8_t> input1,
              const Dims4& input2_dims, Span<const int8_t> input2, const Dims4& output_dims,
              Span<int8_t> output) {
  TE_RETURN_IF_ERROR(
      add_s8_check(params, input1_dims, input1, input2_dims, input2, output_dims, output));

  RowFn row = add_row_reference;
  const void* ctx = &params;
  bool swap = false;  // the inputs go to the rows in the opposite order
#if defined(TE_EW_FAST)
  AddPlan plan;
  // Both inputs with a rounding shift: TFLite never produces it (the larger-scale input always
  // gets (2^30, 0)), so no variant is spent on it and the reference loops run.
  if (make_add_plan(params, &plan) && (plan.in1.r == 0 || plan.in2.r == 0)) {
    // Add is symmetric: the input with a rounding shift goes second.
    swap = plan.in1.r != 0;
    if (swap) {
      const InputStage t = plan.in1;
      plan.in1 = plan.in2;
      plan.in2 = t;
    }
    row = add_row;
    ctx = &plan;
  }
#endif
  for_each_run(swap ? input2_dims : input1_dims, swap ? input2.data() : input1.data(),
               swap ? input1_dims : input2_dims, swap ? input1.data() : input2.data(), output_dims,
               output.data(), row, ctx);
  return Status::kOk;
}

Status mul_s8_check(const MulParams& params, const Dims4& input1_dims, Span<const int8_t> input1,
                    const Dims4& input2_dims, Span<const int8_t> input2, const Dims4& output_dims,
                    Span<int8_t> output) {
  TE_RETURN_IF_ERROR(check_tensors(input1_dims, input1, input2_dims, input2, output_dims, output));
  TE_CHECK(detail::valid_input_offset(params.input1_offset) &&
               detail::valid_input_offset(params.input2_offset),
           Status::kBadParam);
  TE_CHECK(valid_quant(params.output), Status::kBadParam);
  TE_CHECK(detail::valid_output_offset(params.output_offset), Status::kBadParam);
  TE_CHECK(valid_activation(params.activation), Status::kBadParam);
  return Status::kOk;
}

Status mul_s8(const MulParams& params, const Dims4& input1_dims, Span<const int8_t> input1,
              const Dims4& input2_dims, Span<const int8_t> input2, const Dims4& output_dims,
              Span<int8_t> output) {
  TE_RETURN_IF_ERROR(
      mul_s8_check(params, input1_dims, input1, input2_dims, input2, output_dims, output));

  RowFn row = mul_row_reference;
  const void* ctx = &params;
#if defined(TE_EW_FAST)
  MulPlan plan;
  if (make_mul_plan(params, &plan)) {
    row = mul_row;
    ctx = &plan;
  }
#endif
  for_each_run(input1_dims, input1.data(), input2_dims, input2.data(), output_dims, output.data(),
               row, ctx);
  return Status::kOk;
}

Status maximum_s8_check(const Dims4& input1_dims, Span<const int8_t> input1,
                        const Dims4& input2_dims, Span<const int8_t> input2,
                        const Dims4& output_dims, Span<int8_t> output) {
  return check_tensors(input1_dims, input1, input2_dims, input2, output_dims, output);
}

Status maximum_s8(const Dims4& input1_dims, Span<const int8_t> input1, const Dims4& input2_dims,
                  Span<const int8_t> input2, const Dims4& output_dims, Span<int8_t> output) {
  TE_RETURN_IF_ERROR(
      maximum_s8_check(input1_dims, input1, input2_dims, input2, output_dims, output));
  for_each_run(input1_dims, input1.data(), input2_dims, input2.data(), output_dims, output.data(),
               max_min_row<true>, nullptr);
  return Status::kOk;
}

Status minimum_s8_check(const Dims4& input1_dims, Span<const int8_t> input1,
                        const Dims4& input2_dims, Span<const int8_t> input2,
                        const Dims4& output_dims, Span<int8_t> output) {
  return check_tensors(input1_dims, input1, input2_dims, input2, output_dims, output);
}

Status minimum_s8(const Dims4& input1_dims, Span<const int8_t> input1, const Dims4& input2_dims,
                  Span<const int8_t> input2, const Dims4& output_dims, Span<int8_t> output) {
  TE_RETURN_IF_ERROR(
      minimum_s8_check(input1_dims, input1, input2_dims, input2, output_dims, output));
  for_each_run(input1_dims, input1.data(), input2_dims, input2.data(), output_dims, output.data(),
               max_min_row<false>, nullptr);
  return Status::kOk;
}

}  // namespace tinyexec::kernels
