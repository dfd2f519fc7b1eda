// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/fully_connected.h"

#include "common_s8.h"

namespace tinyexec::kernels {
namespace {

// Buffer lengths of the shape: rows * depth for input, weights and output.
Status check_shape(const FullyConnectedShape& s, int32_t* input_count, int32_t* weight_count,
                   int32_t* output_count) {
  TE_CHECK(s.batches > 0 && s.input_depth > 0 && s.output_depth > 0, Status::kBadShape);
  TE_CHECK(checked_mul(s.batches, s.input_depth, input_count) &&
               checked_mul(s.output_depth, s.input_depth, weight_count) &&
               checked_mul(s.batches, s.output_depth, output_count),
           Status::kOverflow);
  return Status::kOk;
}

Status check_fc(const FullyConnectedParams& p, const FullyConnectedShape& shape,
                Span<const int8_t> input, Span<const int8_t> weights, Span<const int32_t> bias,
                Span<int8_t> output, Span<int8_t> scratch) {
  TE_CHECK(input.data() != nullptr && weights.data() != nullptr && output.data() != nullptr,
           Status::kNullPointer);
  int32_t input_count = 0, weight_count = 0, output_count = 0;
  TE_RETURN_IF_ERROR(check_shape(shape, &input_count, &weight_count, &output_count));
  TE_CHECK(detail::valid_input_offset(p.input_offset) &&
               detail::valid_input_offset(p.filter_offset) &&
               detail::valid_output_offset(p.output_offset) && valid_activation(p.activation),
           Status::kBadParam);
  TE_RETURN_IF_ERROR(detail::check_bias(bias, shape.output_depth));
  TE_CHECK(input.size() >= static_cast<size_t>(input_count) &&
               weights.size() >= static_cast<size_t>(weight_count) &&
               output.size() >= static_cast<size_t>(output_count),
           Status::kBufferTooSmall);
  TE_CHECK(scratch.size() >= static_cast<size_t>(fully_connected_s8_scratch_size(shape)),
           Status::kScratchTooSmall);
  return Status::kOk;
}

// Runs the layer; quant_of(o) gives output channel o's (multiplier, shift).
template <typename QuantOf>
void fully_connected(const FullyConnectedParams& p, const FullyConnectedShape& shape,
                     const int8_t* input, const int8_t* weights, const int32_t* bias,
                     int8_t* output, QuantOf quant_of) {
  for (int32_t b = 0; b < shape.batches; ++b) {
    const int8_t* in = input + b * shape.input_depth;
    for (int32_t o = 0; o < shape.output_depth; ++o) {
      const int8_t* w = weights + o * shape.input_depth;
      int32_t acc = bias != nullptr ? bias[o] : 0;
      for (int32_t i = 0; i < shape.input_depth; ++i) {
        acc = detail::wrapping_add(acc, (in[i] + p.input_offset) * (w[i] + p.filter_offset));
      }
      const PerTensorQuant q = quant_of(o);
      *output++ = detail::output_stage(acc, q.multiplier, q.shift, p.output_offset, p.activation);
    }
  }
}

}  // namespace

int32_t fully_connected_s8_scratch_size(const FullyConnectedShape& shape) {
  (void)shape;
  return 0;
}

Status fully_connected_s8_check(const FullyConnectedParams& params, const PerTensorQuant& quant,
                                const FullyConnectedShape& shape, Span<const int8_t> input,
                                Span<const int8_t> weights, Span<const int32_t> bias,
                                Span<int8_t> output, Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(check_fc(params, shape, input, weights, bias, output, scratch));
  TE_CHECK(detail::valid_quant(quant.multiplier, quant.shift), Status::kBadParam);
  return Status::kOk;
}

Status fully_connected_s8_check(const FullyConnectedParams& params, const PerChannelQuant& quant,
                                const FullyConnectedShape& shape, Span<const int8_t> input,
                                Span<const int8_t> weights, Span<const int32_t> bias,
                                Span<int8_t> output, Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(check_fc(params, shape, input, weights, bias, output, scratch));
  return detail::check_per_channel(quant, shape.output_depth);
}

Status fully_connected_s8(const FullyConnectedParams& params, const PerTensorQuant& quant,
                          const FullyConnectedShape& shape, Span<const int8_t> input,
                          Span<const int8_t> weights, Span<const int32_t> bias, Span<int8_t> output,
                          Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(
      fully_connected_s8_check(params, quant, shape, input, weights, bias, output, scratch));
  fully_connected(params, shape, input.data(), weights.data(), detail::bias_or_null(bias),
                  output.data(), [&quant](int32_t) { return quant; });
  return Status::kOk;
}

Status fully_connected_s8(const FullyConnectedParams& params, const PerChannelQuant& quant,
                          const FullyConnectedShape& shape, Span<const int8_t> input,
                          Span<const int8_t> weights, Span<const int32_t> bias, Span<int8_t> output,
                          Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(
      fully_connected_s8_check(params, quant, shape, input, weights, bias, output, scratch));
  fully_connected(params, shape, input.data(), weights.data(), detail::bias_or_null(bias),
                  output.data(), [&quant](int32_t o) {
                    return PerTensorQuant{quant.multiplier[o], quant.shift[o]};
                  });
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
