// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/elementwise.h"

#include "common_s8.h"
#include "tinyexec/kernels/requant.h"

namespace tinyexec::kernels {
namespace {

// Element strides of an input walked along the output's coordinates: a broadcast (size-1)
// dimension gets stride 0 so the same element is read again.
struct Strides {
  int32_t n, h, w, c;
};

Strides broadcast_strides(const Dims4& d) {
  const int32_t w = d.c;
  const int32_t h = d.w * w;
  const int32_t n = d.h * h;
  return {d.n == 1 ? 0 : n, d.h == 1 ? 0 : h, d.w == 1 ? 0 : w, d.c == 1 ? 0 : 1};
}

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

// Applies op to every output element; each output index is read from the inputs before it is
// written, which makes an output aliasing a same-shaped input safe.
template <typename Op>
void broadcast_apply(const Dims4& input1_dims, const int8_t* input1, const Dims4& input2_dims,
                     const int8_t* input2, const Dims4& output_dims, int8_t* output, Op op) {
  const Strides s1 = broadcast_strides(input1_dims);
  const Strides s2 = broadcast_strides(input2_dims);
  int32_t out = 0;
  for (int32_t n = 0; n < output_dims.n; ++n) {
    for (int32_t h = 0; h < output_dims.h; ++h) {
      for (int32_t w = 0; w < output_dims.w; ++w) {
        const int32_t base1 = n * s1.n + h * s1.h + w * s1.w;
        const int32_t base2 = n * s2.n + h * s2.h + w * s2.w;
        for (int32_t c = 0; c < output_dims.c; ++c) {
          output[out++] = op(input1[base1 + c * s1.c], input2[base2 + c * s2.c]);
        }
      }
    }
  }
}

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

  const AddParams p = params;
  broadcast_apply(input1_dims, input1.data(), input2_dims, input2.data(), output_dims,
                  output.data(), [&p](int8_t a, int8_t b) {
                    // |in + offset| <= 256, so the headroom shift of at most 22 cannot overflow.
                    const int32_t a_shifted = (a + p.input1_offset) * (1 << p.left_shift);
                    const int32_t b_shifted = (b + p.input2_offset) * (1 << p.left_shift);
                    const int32_t sum = detail::wrapping_add(
                        requantize(a_shifted, p.input1.multiplier, p.input1.shift),
                        requantize(b_shifted, p.input2.multiplier, p.input2.shift));
                    return detail::output_stage(sum, p.output.multiplier, p.output.shift,
                                                p.output_offset, p.activation);
                  });
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

  const MulParams p = params;
  broadcast_apply(input1_dims, input1.data(), input2_dims, input2.data(), output_dims,
                  output.data(), [&p](int8_t a, int8_t b) {
                    // |product| <= 256 * 256: no overflow before the rescale.
                    const int32_t product = (a + p.input1_offset) * (b + p.input2_offset);
                    return detail::output_stage(product, p.output.multiplier, p.output.shift,
                                                p.output_offset, p.activation);
                  });
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
  broadcast_apply(input1_dims, input1.data(), input2_dims, input2.data(), output_dims,
                  output.data(), [](int8_t a, int8_t b) { return a > b ? a : b; });
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
  broadcast_apply(input1_dims, input1.data(), input2_dims, input2.data(), output_dims,
                  output.data(), [](int8_t a, int8_t b) { return a < b ? a : b; });
  return Status::kOk;
}

}  // namespace tinyexec::kernels
