// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/batch_matmul.h"

#include "common_s8.h"
#include "matmul_s8.h"

namespace tinyexec::kernels {
namespace {

// An operand's batch size broadcasts to the output's: equal, or 1.
bool broadcasts(int32_t lhs, int32_t rhs, int32_t out) {
  return (lhs == out || lhs == 1) && (rhs == out || rhs == 1) && out == (lhs > rhs ? lhs : rhs);
}

Status check_batch_matmul(const BatchMatmulParams& p, const PerTensorQuant& quant, const Dims4& l,
                          Span<const int8_t> lhs, const Dims4& r, Span<const int8_t> rhs,
                          const Dims4& out, Span<int8_t> output) {
  TE_CHECK(lhs.data() != nullptr && rhs.data() != nullptr && output.data() != nullptr,
           Status::kNullPointer);
  TE_CHECK(dims_positive(l) && dims_positive(r) && dims_positive(out), Status::kBadShape);
  TE_CHECK(l.c == r.c && out.w == l.w && out.c == r.w, Status::kBadShape);
  TE_CHECK(broadcasts(l.n, r.n, out.n) && broadcasts(l.h, r.h, out.h), Status::kBadShape);
  TE_CHECK(detail::valid_input_offset(p.lhs_offset) && detail::valid_input_offset(p.rhs_offset) &&
               detail::valid_output_offset(p.output_offset) && valid_activation(p.activation) &&
               detail::valid_quant(quant.multiplier, quant.shift),
           Status::kBadParam);
  TE_RETURN_IF_ERROR(detail::check_span(lhs, l));
  TE_RETURN_IF_ERROR(detail::check_span(rhs, r));
  TE_RETURN_IF_ERROR(detail::check_span(output, out));
  int32_t scratch_bytes = 0;
  TE_CHECK(detail::matmul_s8_scratch_bytes(l.c, &scratch_bytes), Status::kOverflow);
  return Status::kOk;
}

}  // namespace

int32_t batch_matmul_s8_scratch_size(const Dims4& lhs_dims, const Dims4& rhs_dims,
                                     const Dims4& output_dims) {
  (void)rhs_dims;
  (void)output_dims;
  int32_t bytes = 0;
  return lhs_dims.c > 0 && detail::matmul_s8_scratch_bytes(lhs_dims.c, &bytes) ? bytes : 0;
}

Status batch_matmul_s8_check(const BatchMatmulParams& params, const PerTensorQuant& quant,
                             const Dims4& lhs_dims, Span<const int8_t> lhs, const Dims4& rhs_dims,
                             Span<const int8_t> rhs, const Dims4& output_dims, Span<int8_t> output,
                             Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(
      check_batch_matmul(params, quant, lhs_dims, lhs, rhs_dims, rhs, output_dims, output));
  const int32_t needed = batch_matmul_s8_scratch_size(lhs_dims, rhs_dims, output_dims);
  TE_CHECK(scratch.size() >= static_cast<size_t>(needed), Status::kScratchTooSmall);
  TE_CHECK(scratch.data() != nullptr, Status::kNullPointer);
  return Status::kOk;
}

Status batch_matmul_s8(const BatchMatmulParams& params, const PerTensorQuant& quant,
                       const Dims4& lhs_dims, Span<const int8_t> lhs, const Dims4& rhs_dims,
                       Span<const int8_t> rhs, const Dims4& output_dims, Span<int8_t> output,
                       Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(batch_matmul_s8_check(params, quant, lhs_dims, lhs, rhs_dims, rhs, output_dims,
                                           output, scratch));

  const Dims4& l = lhs_dims;
  const Dims4& r = rhs_dims;
  const Dims4& out = output_dims;
  detail::MatmulArgs a{nullptr,
                       nullptr,
                       nullptr,
                       &quant.multiplier,
                       &quant.shift,
                       false,
                       nullptr,
                       out.w,
                       out.c,
                       l.c,
                       params.lhs_offset,
                       params.rhs_offset,
                       params.output_offset,
                       params.activation,
                       scratch};
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t h = 0; h < out.h; ++h) {
      // A size-1 batch dimension is broadcast: index 0 along it.
      a.lhs = lhs.data() + ((l.n == 1 ? 0 : n) * l.h + (l.h == 1 ? 0 : h)) * l.w * l.c;
      a.rhs = rhs.data() + ((r.n == 1 ? 0 : n) * r.h + (r.h == 1 ? 0 : h)) * r.w * r.c;
      a.output = output.data() + (n * out.h + h) * out.w * out.c;
      detail::matmul_s8(a);
    }
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
