// SPDX-License-Identifier: Apache-2.0
#include "operators.h"

#include <cstring>

#include "tensors.h"
#include "tinyexec/kernels/batch_matmul.h"
#include "tinyexec/kernels/concat.h"
#include "tinyexec/kernels/conv.h"
#include "tinyexec/kernels/depthwise_conv.h"
#include "tinyexec/kernels/elementwise.h"
#include "tinyexec/kernels/fully_connected.h"
#include "tinyexec/kernels/pad.h"
#include "tinyexec/kernels/pooling.h"
#include "tinyexec/kernels/quantize.h"
#include "tinyexec/kernels/softmax.h"
#include "tinyexec/kernels/transpose.h"
#include "tinyexec/kernels/transpose_conv.h"

namespace tinyexec::runtime::detail {
namespace {

using program::DType;
using program::OpParams;
using kernels::Span;
using kernels::Status;

// ---------------------------------------------------------------------------------------------
// Load-time checks

// The operand list of an operator: indices into program.tensors() (-1: omitted optional input).
class Operands {
 public:
  Operands(const program::Program& program, const program::Operator& op)
      : tensors_(*program.tensors()), op_(op) {}

  int32_t num_inputs() const { return size(op_.inputs()); }
  int32_t num_outputs() const { return size(op_.outputs()); }
  int32_t input_index(int32_t i) const { return op_.inputs()->Get(static_cast<uint32_t>(i)); }
  int32_t output_index(int32_t i) const { return op_.outputs()->Get(static_cast<uint32_t>(i)); }
  bool has_input(int32_t i) const { return i < num_inputs() && input_index(i) >= 0; }
  const program::Tensor& input(int32_t i) const { return tensor(input_index(i)); }
  const program::Tensor& output(int32_t i) const { return tensor(output_index(i)); }
  const program::Tensor& tensor(int32_t index) const {
    return *tensors_.Get(static_cast<uint32_t>(index));
  }

 private:
  template <typename V>
  static int32_t size(const V* vector) {
    return vector == nullptr ? 0 : static_cast<int32_t>(vector->size());
  }
  const flatbuffers::Vector<flatbuffers::Offset<program::Tensor>>& tensors_;
  const program::Operator& op_;
};

bool is(const program::Tensor& tensor, DType dtype, int32_t min_rank, int32_t max_rank) {
  const int32_t rank = rank_of(tensor);
  return tensor.dtype() == dtype && rank >= min_rank && rank <= max_rank;
}

int32_t dim(const program::Tensor& tensor, int32_t axis) {
  return tensor.shape()->Get(static_cast<uint32_t>(axis));
}

int32_t last_dim(const program::Tensor& tensor) {
  return dim(tensor, rank_of(tensor) - 1);
}

// Operand counts, dtypes and ranks, and the lengths of per-channel parameter vectors.
bool operands_fit(const Operands& o, const program::Operator& op) {
  const int32_t inputs = o.num_inputs();
  if (o.num_outputs() != 1) return false;
  // Every index refers to a tensor; only the bias (input 2 of weighted ops) may be omitted.
  for (int32_t i = 0; i < inputs; ++i) {
    if (!o.has_input(i) && i != 2) return false;
  }
  const program::Tensor& out = o.output(0);
  if (out.arena_offset() < 0) return false;  // outputs are written: they live in the arena
  auto bias_fits = [&](int32_t channels) {
    return !o.has_input(2) ||
           (is(o.input(2), DType::Int32, 1, 1) && o.input(2).shape()->Get(0) == channels);
  };
  auto requant_fits = [](const flatbuffers::Vector<int32_t>* multipliers,
                         const flatbuffers::Vector<int32_t>* shifts, int32_t channels) {
    return length(multipliers) == channels && length(shifts) == channels;
  };
  switch (op.params_type()) {
    case OpParams::Conv2d:
    case OpParams::DepthwiseConv2d:
    case OpParams::TransposeConv2d: {
      if (inputs < 2 || inputs > 3 || !is(o.input(0), DType::Int8, 4, 4) ||
          !is(o.input(1), DType::Int8, 4, 4) || !is(out, DType::Int8, 4, 4)) {
        return false;
      }
      const int32_t channels = last_dim(out);
      if (!bias_fits(channels)) return false;
      if (const auto* p = op.params_as_Conv2d()) {
        return requant_fits(p->multipliers(), p->shifts(), channels);
      }
      if (const auto* p = op.params_as_DepthwiseConv2d()) {
        return requant_fits(p->multipliers(), p->shifts(), channels);
      }
      const auto* p = op.params_as_TransposeConv2d();
      return requant_fits(p->multipliers(), p->shifts(), channels);
    }
    case OpParams::Linear: {
      if (inputs < 2 || inputs > 3 || !is(o.input(0), DType::Int8, 2, 2) ||
          !is(o.input(1), DType::Int8, 2, 2) || !is(out, DType::Int8, 2, 2)) {
        return false;
      }
      // The kernel takes its sizes from the input and the weight [channels, depth].
      const program::Tensor& in = o.input(0);
      const program::Tensor& weight = o.input(1);
      const int32_t channels = dim(out, 1);
      if (dim(out, 0) != dim(in, 0) || dim(weight, 0) != channels || dim(weight, 1) != dim(in, 1)) {
        return false;
      }
      const auto* p = op.params_as_Linear();
      const int32_t count = length(p->multipliers());
      return bias_fits(channels) && (count == 1 || count == channels) &&
             length(p->shifts()) == count &&
             (length(p->kernel_sums()) == 0 || length(p->kernel_sums()) == channels);
    }
    case OpParams::BatchMatmul:
      return inputs == 2 && is(o.input(0), DType::Int8, 2, 4) &&
             is(o.input(1), DType::Int8, 2, 4) && is(out, DType::Int8, 2, 4);
    case OpParams::Add:
    case OpParams::Mul:
    case OpParams::Maximum:
    case OpParams::Minimum:
      return inputs == 2 && is(o.input(0), DType::Int8, 0, 4) &&
             is(o.input(1), DType::Int8, 0, 4) && is(out, DType::Int8, 0, 4);
    case OpParams::AvgPool2d:
    case OpParams::MaxPool2d:
      return inputs == 1 && is(o.input(0), DType::Int8, 4, 4) && is(out, DType::Int8, 4, 4);
    case OpParams::Softmax:
      return inputs == 1 && is(o.input(0), DType::Int8, 1, kMaxRank) &&
             is(out, DType::Int8, 1, kMaxRank) && tensor_bytes(o.input(0)) == tensor_bytes(out);
    // Pad, Transpose and Concat kernels get no output dims: the output shape must be the one
    // their parameters give, or the kernel would write another layout (or leave bytes unset).
    case OpParams::Pad: {
      if (inputs != 1) return false;
      const int32_t rank = rank_of(o.input(0));
      const auto* pads = op.params_as_Pad()->pads();
      if (!is(o.input(0), DType::Int8, 1, 4) || !is(out, DType::Int8, rank, rank) ||
          length(pads) != 2 * rank) {
        return false;
      }
      for (int32_t i = 0; i < rank; ++i) {
        const int64_t grown = int64_t{dim(o.input(0), i)} + pads->Get(static_cast<uint32_t>(i)) +
                              pads->Get(static_cast<uint32_t>(rank + i));
        if (dim(out, i) != grown) return false;
      }
      return true;
    }
    case OpParams::Transpose: {
      if (inputs != 1) return false;
      const int32_t rank = rank_of(o.input(0));
      if (!is(o.input(0), DType::Int8, 1, 4) || !is(out, DType::Int8, rank, rank)) return false;
      const auto* perm = op.params_as_Transpose()->perm();
      if (length(perm) != rank) return false;
      bool seen[4] = {};
      for (int32_t i = 0; i < rank; ++i) {
        const int32_t axis = perm->Get(static_cast<uint32_t>(i));
        if (axis < 0 || axis >= rank || seen[axis]) return false;
        seen[axis] = true;
        if (dim(out, i) != dim(o.input(0), axis)) return false;
      }
      return true;
    }
    case OpParams::Concat: {
      const int32_t rank = rank_of(out);
      if (inputs < 1 || inputs > kMaxConcatInputs || !is(out, DType::Int8, 1, 4)) return false;
      const int32_t axis = op.params_as_Concat()->axis();
      if (axis < 0 || axis >= rank) return false;
      int64_t axis_total = 0;
      for (int32_t i = 0; i < inputs; ++i) {
        if (!o.has_input(i) || !is(o.input(i), DType::Int8, rank, rank)) return false;
        for (int32_t k = 0; k < rank; ++k) {
          if (k != axis && dim(o.input(i), k) != dim(out, k)) return false;
        }
        axis_total += dim(o.input(i), axis);
      }
      return axis_total == dim(out, axis);
    }
    case OpParams::Reshape:
      return inputs == 1 && o.input(0).dtype() == out.dtype() &&
             tensor_bytes(o.input(0)) == tensor_bytes(out);
    case OpParams::Lut:
      return inputs == 1 && is(o.input(0), DType::Int8, 0, kMaxRank) &&
             is(out, DType::Int8, 0, kMaxRank) && tensor_bytes(o.input(0)) == tensor_bytes(out) &&
             length(op.params_as_Lut()->table()) == 256;
    case OpParams::Quantize:
      return inputs == 1 && is(o.input(0), DType::Float32, 0, kMaxRank) &&
             is(out, DType::Int8, 0, kMaxRank) && numel_of(o.input(0)) == numel_of(out);
    case OpParams::Dequantize:
      return inputs == 1 && is(o.input(0), DType::Int8, 0, kMaxRank) &&
             is(out, DType::Float32, 0, kMaxRank) && numel_of(o.input(0)) == numel_of(out);
    case OpParams::NONE:
      return false;
  }
  return false;
}

// Ops whose kernel may write its output over a same-sized input (element i of the output
// depends only on element i of that input).
bool may_run_in_place(OpParams type) {
  switch (type) {
    case OpParams::Add:
    case OpParams::Mul:
    case OpParams::Maximum:
    case OpParams::Minimum:
    case OpParams::Lut:
      return true;
    default:
      return false;
  }
}

Range arena_range(const program::Tensor& tensor) {
  return {tensor.arena_offset(), tensor.arena_offset() + tensor_bytes(tensor)};
}

// The output must not overlap an input (except in place where allowed) and the scratch must not
// overlap any operand. A reshape copies with memmove, so it may overlap freely.
bool buffers_allowed(const Operands& o, const program::Operator& op) {
  const program::Tensor& out = o.output(0);
  const Range out_range = arena_range(out);
  const Range scratch{op.scratch_offset(), int64_t{op.scratch_offset()} + op.scratch_bytes()};
  const bool has_scratch = op.scratch_bytes() > 0;
  if (has_scratch && scratch.overlaps(out_range)) return false;
  for (int32_t i = 0; i < o.num_inputs(); ++i) {
    if (!o.has_input(i) || o.input(i).arena_offset() < 0) continue;
    const Range in_range = arena_range(o.input(i));
    if (has_scratch && scratch.overlaps(in_range)) return false;
    if (op.params_type() == OpParams::Reshape || !in_range.overlaps(out_range)) continue;
    if (!(may_run_in_place(op.params_type()) && in_range == out_range)) return false;
  }
  return true;
}

}  // namespace

Error verify_operator(const program::Program& program, const program::Operator& op) {
  const Operands operands(program, op);
  const int32_t num_tensors = static_cast<int32_t>(program.tensors()->size());
  for (int32_t i = 0; i < operands.num_inputs(); ++i) {
    const int32_t index = operands.input_index(i);
    if (index < -1 || index >= num_tensors) return Error::kBadOperator;
  }
  for (int32_t i = 0; i < operands.num_outputs(); ++i) {
    const int32_t index = operands.output_index(i);
    if (index < 0 || index >= num_tensors) return Error::kBadOperator;
  }
  if (op.scratch_bytes() < 0) return Error::kBadOperator;
  if (op.scratch_bytes() > 0) {
    const int64_t end = int64_t{op.scratch_offset()} + op.scratch_bytes();
    if (op.scratch_offset() < 0 || end > program.arena_bytes()) return Error::kOutOfBounds;
  }
  if (!operands_fit(operands, op)) return Error::kBadOperator;
  if (!buffers_allowed(operands, op)) return Error::kOverlap;
  return Error::kOk;
}

// ---------------------------------------------------------------------------------------------
// Kernel calls

namespace {

// The buffers of one operator's tensors in the bound arena and constants.
class Bound {
 public:
  Bound(const Binding& binding, const program::Operator& op)
      : binding_(binding), operands_(*binding.program, op), op_(op) {}

  const program::Tensor& input(int32_t i) const { return operands_.input(i); }
  const program::Tensor& output() const { return operands_.output(0); }
  int32_t num_inputs() const { return operands_.num_inputs(); }

  template <typename T>
  Span<const T> in(int32_t i) const {
    if (!operands_.has_input(i)) return {};
    const program::Tensor& t = input(i);
    return {reinterpret_cast<const T*>(data(t)), static_cast<size_t>(tensor_bytes(t)) / sizeof(T)};
  }
  template <typename T>
  Span<T> out() const {
    const program::Tensor& t = output();
    return {reinterpret_cast<T*>(binding_.arena + t.arena_offset()),
            static_cast<size_t>(tensor_bytes(t)) / sizeof(T)};
  }
  kernels::Dims4 in_dims(int32_t i) const { return dims4_of(input(i)); }
  kernels::Dims4 out_dims() const { return dims4_of(output()); }
  // Kernels' offsets: -zero point of an input, zero point of the output.
  int32_t in_offset(int32_t i) const { return -input(i).zero_point(); }
  int32_t out_offset() const { return output().zero_point(); }
  Span<int8_t> scratch() const {
    if (op_.scratch_bytes() <= 0) return {};
    return {reinterpret_cast<int8_t*>(binding_.arena + op_.scratch_offset()),
            static_cast<size_t>(op_.scratch_bytes())};
  }

 private:
  const uint8_t* data(const program::Tensor& t) const {
    return t.arena_offset() >= 0 ? binding_.arena + t.arena_offset()
                                 : binding_.constants + t.constant_offset();
  }
  const Binding& binding_;
  Operands operands_;
  const program::Operator& op_;
};

Span<const int32_t> span_of(const flatbuffers::Vector<int32_t>* vector) {
  if (vector == nullptr) return {};
  return {vector->data(), vector->size()};
}

template <typename P>
kernels::ActivationRange activation_of(const P& p) {
  return {p.activation_min(), p.activation_max()};
}

template <typename P>
kernels::Conv2dParams conv_params(const Bound& b, const P& p) {
  kernels::Conv2dParams params{};
  params.input_offset = b.in_offset(0);
  params.output_offset = b.out_offset();
  params.stride_h = p.stride_h();
  params.stride_w = p.stride_w();
  params.pad_h = p.pad_h();
  params.pad_w = p.pad_w();
  params.dilation_h = p.dilation_h();
  params.dilation_w = p.dilation_w();
  params.activation = activation_of(p);
  return params;
}

template <typename P>
kernels::PerChannelQuant per_channel(const P& p) {
  return {span_of(p.multipliers()), span_of(p.shifts())};
}

kernels::PoolParams pool_params(int32_t kernel_h, int32_t kernel_w,
                                int32_t stride_h, int32_t stride_w, int32_t pad_h, int32_t pad_w,
                                kernels::ActivationRange activation) {
  kernels::PoolParams params{};
  params.filter_h = kernel_h;
  params.filter_w = kernel_w;
  params.stride_h = stride_h;
  params.stride_w = stride_w;
  params.pad_h = pad_h;
  params.pad_w = pad_w;
  params.activation = activation;
  return params;
}

kernels::AffineQuant affine(const program::Tensor& tensor) {
  kernels::AffineQuant quant{};
  quant.scale = tensor.scale();
  quant.zero_point = tensor.zero_point();
  return quant;
}

}  // namespace

// The kernel, or its argument check (same arguments) when check_only.
#define TE_KERNEL(kernel, ...) \
  (check_only ? kernels::kernel##_check(__VA_ARGS__) : kernels::kernel(__VA_ARGS__))

Status run_operator(const Binding& binding, const program::Operator& op, bool check_only) {
  const Bound b(binding, op);
  switch (op.params_type()) {
    case OpParams::Conv2d: {
      const auto& p = *op.params_as_Conv2d();
      return TE_KERNEL(conv2d_s8, conv_params(b, p), per_channel(p), b.in_dims(0),
                       b.in<int8_t>(0), b.in_dims(1), b.in<int8_t>(1), b.in<int32_t>(2),
                       b.out_dims(), b.out<int8_t>(), b.scratch());
    }
    case OpParams::DepthwiseConv2d: {
      const auto& p = *op.params_as_DepthwiseConv2d();
      return TE_KERNEL(depthwise_conv2d_s8, conv_params(b, p), per_channel(p), b.in_dims(0),
                       b.in<int8_t>(0), b.in_dims(1), b.in<int8_t>(1), b.in<int32_t>(2),
                       b.out_dims(), b.out<int8_t>(), b.scratch());
    }
    case OpParams::TransposeConv2d: {
      const auto& p = *op.params_as_TransposeConv2d();
      kernels::TransposeConv2dParams params{};
      params.input_offset = b.in_offset(0);
      params.output_offset = b.out_offset();
      params.stride_h = p.stride_h();
      params.stride_w = p.stride_w();
      params.pad_h = p.pad_h();
      params.pad_w = p.pad_w();
      params.activation = activation_of(p);
      return TE_KERNEL(transpose_conv2d_s8, params, per_channel(p), b.in_dims(0), b.in<int8_t>(0),
                       b.in_dims(1), b.in<int8_t>(1), b.in<int32_t>(2), b.out_dims(),
                       b.out<int8_t>(), b.scratch());
    }
    case OpParams::Linear: {
      const auto& p = *op.params_as_Linear();
      kernels::FullyConnectedParams params;
      params.input_offset = b.in_offset(0);
      params.filter_offset = b.in_offset(1);
      params.output_offset = b.out_offset();
      params.activation = activation_of(p);
      const kernels::FullyConnectedShape shape{b.input(0).shape()->Get(0),
                                               b.input(0).shape()->Get(1),
                                               b.input(1).shape()->Get(0)};
      if (p.multipliers()->size() == 1) {
        const kernels::PerTensorQuant quant{p.multipliers()->Get(0), p.shifts()->Get(0)};
        return TE_KERNEL(fully_connected_s8, params, quant, shape, b.in<int8_t>(0),
                         b.in<int8_t>(1), b.in<int32_t>(2), b.out<int8_t>(), b.scratch(),
                         span_of(p.kernel_sums()));
      }
      return TE_KERNEL(fully_connected_s8, params, per_channel(p), shape, b.in<int8_t>(0),
                       b.in<int8_t>(1), b.in<int32_t>(2), b.out<int8_t>(), b.scratch(),
                       span_of(p.kernel_sums()));
    }
    case OpParams::BatchMatmul: {
      const auto& p = *op.params_as_BatchMatmul();
      kernels::BatchMatmulParams params;
      params.lhs_offset = b.in_offset(0);
      params.rhs_offset = b.in_offset(1);
      params.output_offset = b.out_offset();
      params.activation = activation_of(p);
      const kernels::PerTensorQuant quant{p.multiplier(), p.shift()};
      return TE_KERNEL(batch_matmul_s8, params, quant, b.in_dims(0), b.in<int8_t>(0), b.in_dims(1),
                       b.in<int8_t>(1), b.out_dims(), b.out<int8_t>(), b.scratch());
    }
    case OpParams::Add: {
      const auto& p = *op.params_as_Add();
      kernels::AddParams params{};
      params.input1_offset = b.in_offset(0);
      params.input2_offset = b.in_offset(1);
      params.left_shift = p.left_shift();
      params.input1 = {p.input1_multiplier(), p.input1_shift()};
      params.input2 = {p.input2_multiplier(), p.input2_shift()};
      params.output = {p.output_multiplier(), p.output_shift()};
      params.output_offset = b.out_offset();
      params.activation = activation_of(p);
      return TE_KERNEL(add_s8, params, b.in_dims(0), b.in<int8_t>(0), b.in_dims(1),
                       b.in<int8_t>(1), b.out_dims(), b.out<int8_t>());
    }
    case OpParams::Mul: {
      const auto& p = *op.params_as_Mul();
      kernels::MulParams params{};
      params.input1_offset = b.in_offset(0);
      params.input2_offset = b.in_offset(1);
      params.output = {p.output_multiplier(), p.output_shift()};
      params.output_offset = b.out_offset();
      params.activation = activation_of(p);
      return TE_KERNEL(mul_s8, params, b.in_dims(0), b.in<int8_t>(0), b.in_dims(1),
                       b.in<int8_t>(1), b.out_dims(), b.out<int8_t>());
    }
    case OpParams::Maximum:
      return TE_KERNEL(maximum_s8, b.in_dims(0), b.in<int8_t>(0), b.in_dims(1), b.in<int8_t>(1),
                       b.out_dims(), b.out<int8_t>());
    case OpParams::Minimum:
      return TE_KERNEL(minimum_s8, b.in_dims(0), b.in<int8_t>(0), b.in_dims(1), b.in<int8_t>(1),
                       b.out_dims(), b.out<int8_t>());
    case OpParams::AvgPool2d: {
      const auto& p = *op.params_as_AvgPool2d();
      return TE_KERNEL(avg_pool_s8,
                       pool_params(p.kernel_h(), p.kernel_w(), p.stride_h(), p.stride_w(),
                                   p.pad_h(), p.pad_w(), activation_of(p)),
                       b.in_dims(0), b.in<int8_t>(0), b.out_dims(), b.out<int8_t>(), b.scratch());
    }
    case OpParams::MaxPool2d: {
      const auto& p = *op.params_as_MaxPool2d();
      return TE_KERNEL(max_pool_s8,
                       pool_params(p.kernel_h(), p.kernel_w(), p.stride_h(), p.stride_w(),
                                   p.pad_h(), p.pad_w(), activation_of(p)),
                       b.in_dims(0), b.in<int8_t>(0), b.out_dims(), b.out<int8_t>());
    }
    case OpParams::Softmax: {
      const auto& p = *op.params_as_Softmax();
      kernels::SoftmaxParams params{};
      params.input_multiplier = p.input_multiplier();
      params.input_left_shift = p.input_left_shift();
      params.diff_min = p.diff_min();
      const program::Tensor& x = b.input(0);
      const int32_t row = x.shape()->Get(static_cast<uint32_t>(rank_of(x) - 1));
      return TE_KERNEL(softmax_s8, params, numel_of(x) / row, row, b.in<int8_t>(0),
                       b.out<int8_t>());
    }
    case OpParams::Pad: {
      const auto* pads = op.params_as_Pad()->pads();
      const int32_t rank = rank_of(b.input(0));
      int32_t pre[4] = {0, 0, 0, 0}, post[4] = {0, 0, 0, 0};
      for (int32_t i = 0; i < rank; ++i) {
        pre[4 - rank + i] = pads->Get(static_cast<uint32_t>(i));
        post[4 - rank + i] = pads->Get(static_cast<uint32_t>(rank + i));
      }
      const int32_t zero_point = b.out_offset();
      if (zero_point < -128 || zero_point > 127) return Status::kBadParam;
      return TE_KERNEL(pad_s8, b.in_dims(0), b.in<int8_t>(0), {pre[0], pre[1], pre[2], pre[3]},
                       {post[0], post[1], post[2], post[3]}, static_cast<int8_t>(zero_point),
                       b.out<int8_t>());
    }
    case OpParams::Transpose: {
      const auto* perm = op.params_as_Transpose()->perm();
      const int32_t rank = rank_of(b.input(0));
      const int32_t lead = 4 - rank;  // leading unit axes stay in place
      kernels::TransposeParams params{};
      for (int32_t i = 0; i < lead; ++i) params.perm[i] = i;
      for (int32_t i = 0; i < rank; ++i) {
        params.perm[lead + i] = perm->Get(static_cast<uint32_t>(i)) + lead;
      }
      return TE_KERNEL(transpose_s8, b.in_dims(0), params, b.in<int8_t>(0), b.out<int8_t>());
    }
    case OpParams::Concat: {
      kernels::ConcatInput parts[kMaxConcatInputs];
      const int32_t count = b.num_inputs();
      for (int32_t i = 0; i < count; ++i) parts[i] = {b.in_dims(i), b.in<int8_t>(i)};
      const int32_t axis = op.params_as_Concat()->axis() + 4 - rank_of(b.output());
      return TE_KERNEL(concat_s8, Span<const kernels::ConcatInput>(parts, count), axis,
                       b.out<int8_t>());
    }
    case OpParams::Reshape: {
      if (check_only) return Status::kOk;
      // Same bytes; usually planned in place, then there is nothing to do.
      const Span<const uint8_t> in = b.in<uint8_t>(0);
      const Span<uint8_t> out = b.out<uint8_t>();
      if (in.data() != out.data()) std::memmove(out.data(), in.data(), in.size());
      return Status::kOk;
    }
    case OpParams::Lut: {
      const auto* table = op.params_as_Lut()->table();
      return TE_KERNEL(lut_s8, numel_of(b.input(0)), b.in<int8_t>(0),
                       Span<const int8_t>(table->data(), table->size()), b.out<int8_t>());
    }
    case OpParams::Quantize:
      return TE_KERNEL(quantize_f32_s8, affine(b.output()), numel_of(b.output()), b.in<float>(0),
                       b.out<int8_t>());
    case OpParams::Dequantize:
      return TE_KERNEL(dequantize_s8_f32, affine(b.input(0)), numel_of(b.input(0)),
                       b.in<int8_t>(0), b.out<float>());
    case OpParams::NONE:
      break;
  }
  return Status::kUnsupported;
}

#undef TE_KERNEL

}  // namespace tinyexec::runtime::detail
