// SPDX-License-Identifier: Apache-2.0
// Shared by the runtime's unit tests: 16-byte aligned byte buffers of an exact size (so that
// AddressSanitizer sees any read past the end), and a small program builder on top of the
// schema's generated Create* functions. A test describes a program (tensors, operators,
// constants) as plain structs, builds a valid one, and derives an invalid one by changing a
// single field.
#pragma once

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "tinyexec/kernels/conv.h"
#include "tinyexec/kernels/transpose_conv.h"
#include "tinyexec/program/program_generated.h"
#include "tinyexec/runtime/executor.h"
#include "tinyexec/runtime/program.h"

namespace tinyexec::runtime_test {

namespace fb = ::tinyexec::program;

// ---------------------------------------------------------------------------------------------
// Aligned bytes

// Allocates exactly the requested bytes, 16-byte aligned (the runtime's kAlignment).
template <typename T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{16};
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, size_t) { ::operator delete(p, kAlign); }
  template <typename U>
  bool operator==(const AlignedAllocator<U>&) const {
    return true;
  }
};

using AlignedBytes = std::vector<uint8_t, AlignedAllocator<uint8_t>>;

inline AlignedBytes aligned_copy(const uint8_t* data, size_t size) {
  return AlignedBytes(data, data + size);
}
template <typename Container>
AlignedBytes aligned_copy(const Container& bytes) {
  return aligned_copy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// ---------------------------------------------------------------------------------------------
// Loading and running untrusted bytes

// Loads and, when that succeeds, initialises and runs the program on an arena of exactly
// arena_bytes() bytes (zeroed, so that inputs are defined). Returns the first error. Never
// allocates more than 1 MiB (a corrupted arena_bytes may be huge: then only init's size check).
inline runtime::Error load_init_execute(const uint8_t* data, size_t size) {
  runtime::Program program;
  runtime::Error error = program.load(data, size);
  if (error != runtime::Error::kOk) return error;
  if (program.arena_bytes() > (1u << 20)) {
    alignas(16) static uint8_t small[16];
    return runtime::Executor().init(program, small, sizeof(small));
  }
  AlignedBytes arena(program.arena_bytes() > 0 ? program.arena_bytes() : 1, 0);
  runtime::Executor executor;
  error = executor.init(program, arena.data(), program.arena_bytes());
  if (error != runtime::Error::kOk) return error;
  return executor.execute();
}

// Every prefix of `bytes` that cuts into the program is malformed; each prefix is loaded from an
// allocation of exactly its length, so that AddressSanitizer catches any read past it.
// FlatBuffers writes back to front and pads the first object it writes for alignment, so the
// last few bytes may be zero padding no table refers to: a prefix without only them is the same
// program (the verifier proved nothing reaches past it), and it must load and run.
inline ::testing::AssertionResult EveryTruncationIsRejected(const AlignedBytes& bytes) {
  for (size_t length = 1; length < bytes.size(); ++length) {
    const AlignedBytes prefix = aligned_copy(bytes.data(), length);
    runtime::Program program;
    const runtime::Error error = program.load(prefix.data(), prefix.size());
    if (error == runtime::Error::kMalformed) continue;
    bool padding_only = error == runtime::Error::kOk && bytes.size() - length < 16;
    for (size_t i = length; padding_only && i < bytes.size(); ++i) padding_only = bytes[i] == 0;
    if (!padding_only) {
      return ::testing::AssertionFailure() << "a prefix of " << length << " of " << bytes.size()
                                           << " bytes gave " << runtime::error_name(error);
    }
    const runtime::Error run = load_init_execute(prefix.data(), prefix.size());
    if (run != runtime::Error::kOk) {
      return ::testing::AssertionFailure() << "a prefix of " << length << " of " << bytes.size()
                                           << " bytes (trailing padding cut) gave "
                                           << runtime::error_name(run) << " in init/execute";
    }
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------------------------
// Program description

struct TensorSpec {
  std::string name;
  fb::DType dtype = fb::DType::Int8;
  std::vector<int32_t> shape;  // empty: a scalar (the field is left out)
  int32_t arena_offset = -1;
  int32_t constant_offset = -1;
  float scale = 0.0f;
  int32_t zero_point = 0;
};

// Builds one parameter table (the union member of OperatorSpec::type).
using ParamsBuilder = std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)>;

struct Params {
  fb::OpParams type = fb::OpParams::NONE;
  ParamsBuilder build;  // empty: no params field (the schema requires one)
};

struct OperatorSpec {
  OperatorSpec(Params params_, std::vector<int32_t> inputs_, std::vector<int32_t> outputs_,
               int32_t scratch_offset_ = -1, int32_t scratch_bytes_ = 0, std::string name_ = "")
      : params(std::move(params_)),
        inputs(std::move(inputs_)),
        outputs(std::move(outputs_)),
        scratch_offset(scratch_offset_),
        scratch_bytes(scratch_bytes_),
        name(std::move(name_)) {}

  Params params;
  std::vector<int32_t> inputs;   // empty: the field is left out
  std::vector<int32_t> outputs;  // empty: the field is left out
  int32_t scratch_offset = -1;
  int32_t scratch_bytes = 0;
  std::string name;
};

struct ProgramSpec {
  uint32_t version = runtime::kProgramVersion;
  std::vector<TensorSpec> tensors;
  std::vector<OperatorSpec> operators;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  uint32_t arena_bytes = 0;
  std::vector<uint8_t> constants;
  bool write_tensors = true;    // false: no tensors vector at all
  bool write_operators = true;  // false: no operators vector at all
  bool names = true;            // tensor and operator names
  // Bytes by which the constants vector misses 16-byte alignment (0, 4, 8 or 12), to test the
  // loader's check of what the schema's force_align promises.
  size_t constants_misalignment = 0;

  int32_t add_tensor(TensorSpec tensor) {
    tensors.push_back(std::move(tensor));
    return static_cast<int32_t>(tensors.size() - 1);
  }
  int32_t arena_tensor(const std::string& name, fb::DType dtype, std::vector<int32_t> shape,
                       int32_t offset, float scale = 0.0f, int32_t zero_point = 0) {
    return add_tensor({name, dtype, std::move(shape), offset, -1, scale, zero_point});
  }
  // Appends `values` to the constants blob at a 16-byte aligned offset.
  template <typename T>
  int32_t constant_tensor(const std::string& name, fb::DType dtype, std::vector<int32_t> shape,
                          const std::vector<T>& values, float scale = 0.0f,
                          int32_t zero_point = 0) {
    constants.resize((constants.size() + 15) / 16 * 16);
    const int32_t offset = static_cast<int32_t>(constants.size());
    const auto* raw = reinterpret_cast<const uint8_t*>(values.data());
    constants.insert(constants.end(), raw, raw + values.size() * sizeof(T));
    return add_tensor({name, dtype, std::move(shape), -1, offset, scale, zero_point});
  }
  int32_t add_operator(OperatorSpec op) {
    operators.push_back(std::move(op));
    return static_cast<int32_t>(operators.size() - 1);
  }
  // Gives operator `op` `bytes` of scratch at the end of the arena (16-byte aligned), or none
  // for 0. Tests size it with the kernel's <kernel>_scratch_size(), as the planner does, so that
  // their programs stay valid with every kernel variant (portable, DSP, Helium).
  void add_scratch(int32_t op, int32_t bytes) {
    if (bytes <= 0) return;
    const int32_t offset = static_cast<int32_t>((arena_bytes + 15) / 16 * 16);
    operators[static_cast<size_t>(op)].scratch_offset = offset;
    operators[static_cast<size_t>(op)].scratch_bytes = bytes;
    arena_bytes = static_cast<uint32_t>(offset + (bytes + 15) / 16 * 16);
  }

  // The program file, finished with `identifier` (the schema's is "TEP1").
  AlignedBytes build(const char* identifier = fb::ProgramIdentifier()) const {
    flatbuffers::FlatBufferBuilder b(1024);
    auto vector_or_null = [&](const std::vector<int32_t>& v) {
      return v.empty() ? flatbuffers::Offset<flatbuffers::Vector<int32_t>>() : b.CreateVector(v);
    };
    auto string_or_null = [&](const std::string& s) {
      return names && !s.empty() ? b.CreateString(s) : flatbuffers::Offset<flatbuffers::String>();
    };
    std::vector<flatbuffers::Offset<fb::Tensor>> tensor_offsets;
    for (const TensorSpec& t : tensors) {
      const auto name = string_or_null(t.name);
      const auto shape = vector_or_null(t.shape);
      tensor_offsets.push_back(fb::CreateTensor(b, name, t.dtype, shape, t.scale, t.zero_point,
                                                t.arena_offset, t.constant_offset));
    }
    std::vector<flatbuffers::Offset<fb::Operator>> operator_offsets;
    for (const OperatorSpec& op : operators) {
      const auto params = op.params.build ? op.params.build(b) : flatbuffers::Offset<void>();
      const auto inputs = vector_or_null(op.inputs);
      const auto outputs = vector_or_null(op.outputs);
      const auto name = string_or_null(op.name);
      operator_offsets.push_back(fb::CreateOperator(b, op.params.type, params, inputs, outputs,
                                                    op.scratch_offset, op.scratch_bytes, name));
    }
    const auto tensor_vector = write_tensors ? b.CreateVector(tensor_offsets) : 0;
    const auto operator_vector = write_operators ? b.CreateVector(operator_offsets) : 0;
    const auto graph_inputs = b.CreateVector(inputs);
    const auto graph_outputs = b.CreateVector(outputs);
    flatbuffers::Offset<flatbuffers::Vector<uint8_t>> constant_vector;
    if (!constants.empty()) {
      // Aligns the end of (data + misalignment) to 16; the vector's own 4-byte alignment is
      // then already met, so its data starts `constants_misalignment` bytes past a multiple of
      // 16 (the finished buffer's size is a multiple of 16, its minimum alignment).
      b.ForceVectorAlignment(constants.size() + constants_misalignment, 1, 16);
      constant_vector = b.CreateVector(constants);
    }
    const auto producer = b.CreateString("runtime unit test");
    const auto root = fb::CreateProgram(b, version, tensor_vector, operator_vector, graph_inputs,
                                        graph_outputs, arena_bytes, constant_vector, producer);
    b.Finish(root, identifier);
    return aligned_copy(b.GetBufferPointer(), b.GetSize());
  }
};

// ---------------------------------------------------------------------------------------------
// Parameter tables

struct ConvSpec {
  int32_t stride_h = 1, stride_w = 1;
  int32_t pad_h = 0, pad_w = 0;
  int32_t dilation_h = 1, dilation_w = 1;  // not in TransposeConv2d
  int32_t activation_min = -128, activation_max = 127;
  std::vector<int32_t> multipliers;
  std::vector<int32_t> shifts;

  // The kernel parameters (offsets aside), for the kernels' scratch sizes and direct calls.
  kernels::Conv2dParams kernel_params() const {
    kernels::Conv2dParams p{};
    p.stride_h = stride_h;
    p.stride_w = stride_w;
    p.pad_h = pad_h;
    p.pad_w = pad_w;
    p.dilation_h = dilation_h;
    p.dilation_w = dilation_w;
    p.activation = {activation_min, activation_max};
    return p;
  }
  kernels::TransposeConv2dParams transpose_kernel_params() const {
    kernels::TransposeConv2dParams p{};
    p.stride_h = stride_h;
    p.stride_w = stride_w;
    p.pad_h = pad_h;
    p.pad_w = pad_w;
    p.activation = {activation_min, activation_max};
    return p;
  }
};

inline Params conv2d(ConvSpec s) {
  return {fb::OpParams::Conv2d, [s](flatbuffers::FlatBufferBuilder& b) {
            const auto m = b.CreateVector(s.multipliers);
            const auto sh = b.CreateVector(s.shifts);
            return fb::CreateConv2d(b, s.stride_h, s.stride_w, s.pad_h, s.pad_w, s.dilation_h,
                                    s.dilation_w, s.activation_min, s.activation_max, m, sh)
                .Union();
          }};
}

inline Params depthwise_conv2d(ConvSpec s) {
  return {fb::OpParams::DepthwiseConv2d, [s](flatbuffers::FlatBufferBuilder& b) {
            const auto m = b.CreateVector(s.multipliers);
            const auto sh = b.CreateVector(s.shifts);
            return fb::CreateDepthwiseConv2d(b, s.stride_h, s.stride_w, s.pad_h, s.pad_w,
                                             s.dilation_h, s.dilation_w, s.activation_min,
                                             s.activation_max, m, sh)
                .Union();
          }};
}

inline Params transpose_conv2d(ConvSpec s) {
  return {fb::OpParams::TransposeConv2d, [s](flatbuffers::FlatBufferBuilder& b) {
            const auto m = b.CreateVector(s.multipliers);
            const auto sh = b.CreateVector(s.shifts);
            return fb::CreateTransposeConv2d(b, s.stride_h, s.stride_w, s.pad_h, s.pad_w,
                                             s.activation_min, s.activation_max, m, sh)
                .Union();
          }};
}

struct LinearSpec {
  int32_t activation_min = -128, activation_max = 127;
  std::vector<int32_t> multipliers;
  std::vector<int32_t> shifts;
  std::vector<int32_t> kernel_sums;  // empty: left out
};

inline Params linear(LinearSpec s) {
  return {fb::OpParams::Linear, [s](flatbuffers::FlatBufferBuilder& b) {
            const auto m = b.CreateVector(s.multipliers);
            const auto sh = b.CreateVector(s.shifts);
            const auto sums = s.kernel_sums.empty()
                                  ? flatbuffers::Offset<flatbuffers::Vector<int32_t>>()
                                  : b.CreateVector(s.kernel_sums);
            return fb::CreateLinear(b, s.activation_min, s.activation_max, m, sh, sums).Union();
          }};
}

inline Params batch_matmul(int32_t multiplier, int32_t shift) {
  return {fb::OpParams::BatchMatmul, [=](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreateBatchMatmul(b, -128, 127, multiplier, shift).Union();
          }};
}

struct AddSpec {
  int32_t activation_min = -128, activation_max = 127;
  int32_t left_shift = 20;
  int32_t input1_multiplier = 1 << 30, input1_shift = 0;
  int32_t input2_multiplier = 1 << 30, input2_shift = 0;
  int32_t output_multiplier = 1 << 30, output_shift = -19;
};

inline Params add(AddSpec s) {
  return {fb::OpParams::Add, [s](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreateAdd(b, s.activation_min, s.activation_max, s.left_shift,
                                 s.input1_multiplier, s.input1_shift, s.input2_multiplier,
                                 s.input2_shift, s.output_multiplier, s.output_shift)
                .Union();
          }};
}

inline Params mul(int32_t multiplier, int32_t shift) {
  return {fb::OpParams::Mul, [=](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreateMul(b, -128, 127, multiplier, shift).Union();
          }};
}

inline Params maximum() {
  return {fb::OpParams::Maximum,
          [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateMaximum(b).Union(); }};
}
inline Params minimum() {
  return {fb::OpParams::Minimum,
          [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateMinimum(b).Union(); }};
}

struct PoolSpec {
  int32_t kernel_h = 2, kernel_w = 2;
  int32_t stride_h = 1, stride_w = 1;
  int32_t pad_h = 0, pad_w = 0;
};

inline Params avg_pool2d(PoolSpec s) {
  return {fb::OpParams::AvgPool2d, [s](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreateAvgPool2d(b, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.pad_h,
                                       s.pad_w)
                .Union();
          }};
}
inline Params max_pool2d(PoolSpec s) {
  return {fb::OpParams::MaxPool2d, [s](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreateMaxPool2d(b, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.pad_h,
                                       s.pad_w)
                .Union();
          }};
}

inline Params softmax(int32_t input_multiplier = 1 << 30, int32_t input_left_shift = 23,
                      int32_t diff_min = -248) {
  return {fb::OpParams::Softmax, [=](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreateSoftmax(b, input_multiplier, input_left_shift, diff_min).Union();
          }};
}

inline Params pad(std::vector<int32_t> pads) {
  return {fb::OpParams::Pad, [pads](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreatePad(b, b.CreateVector(pads)).Union();
          }};
}
inline Params transpose(std::vector<int32_t> perm) {
  return {fb::OpParams::Transpose, [perm](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreateTranspose(b, b.CreateVector(perm)).Union();
          }};
}
inline Params concat(int32_t axis) {
  return {fb::OpParams::Concat,
          [=](flatbuffers::FlatBufferBuilder& b) { return fb::CreateConcat(b, axis).Union(); }};
}
inline Params reshape() {
  return {fb::OpParams::Reshape,
          [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateReshape(b).Union(); }};
}
inline Params lut(std::vector<int8_t> table) {
  return {fb::OpParams::Lut, [table](flatbuffers::FlatBufferBuilder& b) {
            return fb::CreateLut(b, b.CreateVector(table)).Union();
          }};
}
// A 256-entry table: out = clamp(2 * in + 1).
inline std::vector<int8_t> doubling_table() {
  std::vector<int8_t> table;
  for (int32_t v = -128; v < 128; ++v) {
    const int32_t out = 2 * v + 1;
    table.push_back(static_cast<int8_t>(out < -128 ? -128 : (out > 127 ? 127 : out)));
  }
  return table;
}
inline Params quantize() {
  return {fb::OpParams::Quantize,
          [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateQuantize(b).Union(); }};
}
inline Params dequantize() {
  return {fb::OpParams::Dequantize,
          [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateDequantize(b).Union(); }};
}

// ---------------------------------------------------------------------------------------------
// Valid programs shared by the loader and executor tests

// out = a + b over 4 int8 elements (zero points 3, -2 and 5; both inputs at scale 1, the output
// at scale 2: out = round_half_away((a - 3 + b + 2) / 2) + 5, clamped to [-128, 100]).
// Tensors: 0 a @0, 1 b @16, 2 out @32; arena 48 bytes.
inline ProgramSpec add_program() {
  ProgramSpec p;
  const int32_t a = p.arena_tensor("a", fb::DType::Int8, {4}, 0, 1.0f, 3);
  const int32_t b = p.arena_tensor("b", fb::DType::Int8, {4}, 16, 1.0f, -2);
  const int32_t out = p.arena_tensor("out", fb::DType::Int8, {4}, 32, 2.0f, 5);
  AddSpec s;
  s.activation_max = 100;
  p.add_operator({add(s), {a, b}, {out}, -1, 0, "add"});
  p.inputs = {a, b};
  p.outputs = {out};
  p.arena_bytes = 48;
  return p;
}

// Quantize -> Conv2d (3x3, 2 -> 3 channels, valid padding) -> Dequantize.
// Tensors: 0 x f32 [1,4,4,2] @0, 1 xq [1,4,4,2] @128, 2 weight [3,3,3,2] (constant),
// 3 bias [3] (constant), 4 y [1,2,2,3] @160, 5 out f32 [1,2,2,3] @176; the conv's scratch, if
// its kernel needs any, from 224.
struct ConvChain {
  static constexpr float kInputScale = 0.05f;
  static constexpr int32_t kInputZeroPoint = 1;
  static constexpr float kOutputScale = 0.1f;
  static constexpr int32_t kOutputZeroPoint = -3;
  static std::vector<int8_t> weights() {
    std::vector<int8_t> w;
    for (int32_t i = 0; i < 3 * 3 * 3 * 2; ++i)
      w.push_back(static_cast<int8_t>((i * 37) % 21 - 10));
    return w;
  }
  static std::vector<int32_t> bias() { return {100, -250, 7}; }
  static ConvSpec conv() {
    ConvSpec s;
    s.multipliers = {1 << 30, 1518500250, 1 << 30};
    s.shifts = {-3, -4, -2};
    return s;
  }
  static int32_t scratch_bytes() {
    return kernels::conv2d_s8_scratch_size(conv().kernel_params(), {1, 4, 4, 2}, {3, 3, 3, 2},
                                           {1, 2, 2, 3});
  }
};

inline ProgramSpec conv_chain_program() {
  ProgramSpec p;
  const int32_t x = p.arena_tensor("x", fb::DType::Float32, {1, 4, 4, 2}, 0);
  const int32_t xq = p.arena_tensor("xq", fb::DType::Int8, {1, 4, 4, 2}, 128,
                                    ConvChain::kInputScale, ConvChain::kInputZeroPoint);
  const int32_t w =
      p.constant_tensor("weight", fb::DType::Int8, {3, 3, 3, 2}, ConvChain::weights(), 0.01f, 0);
  const int32_t bias = p.constant_tensor("bias", fb::DType::Int32, {3}, ConvChain::bias());
  const int32_t y = p.arena_tensor("y", fb::DType::Int8, {1, 2, 2, 3}, 160, ConvChain::kOutputScale,
                                   ConvChain::kOutputZeroPoint);
  const int32_t out = p.arena_tensor("out", fb::DType::Float32, {1, 2, 2, 3}, 176);
  p.add_operator({quantize(), {x}, {xq}, -1, 0, "quantize"});
  const int32_t conv =
      p.add_operator({conv2d(ConvChain::conv()), {xq, w, bias}, {y}, -1, 0, "conv"});
  p.add_operator({dequantize(), {y}, {out}, -1, 0, "dequantize"});
  p.inputs = {x};
  p.outputs = {out};
  p.arena_bytes = 224;
  p.add_scratch(conv, ConvChain::scratch_bytes());
  return p;
}

// TransposeConv2d [1,2,2,1] -> [1,4,4,1] with a 3x3 filter, stride 1: the portable kernel
// needs one output row of int32 accumulators (16 bytes) as scratch. Tensors: 0 x @0, 1 weight,
// 2 bias, 3 out @16; the scratch from 32.
inline int32_t transpose_conv_scratch_bytes() {
  return kernels::transpose_conv2d_s8_scratch_size({}, {1, 2, 2, 1}, {1, 3, 3, 1}, {1, 4, 4, 1});
}

inline ProgramSpec transpose_conv_program() {
  ProgramSpec p;
  const int32_t x = p.arena_tensor("x", fb::DType::Int8, {1, 2, 2, 1}, 0, 0.1f, 0);
  const int32_t w = p.constant_tensor("weight", fb::DType::Int8, {1, 3, 3, 1},
                                      std::vector<int8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  const int32_t bias = p.constant_tensor("bias", fb::DType::Int32, {1}, std::vector<int32_t>{3});
  const int32_t out = p.arena_tensor("out", fb::DType::Int8, {1, 4, 4, 1}, 16, 0.1f, 0);
  ConvSpec s;
  s.multipliers = {1 << 30};
  s.shifts = {0};
  const int32_t op = p.add_operator({transpose_conv2d(s), {x, w, bias}, {out}, -1, 0, "tconv"});
  p.inputs = {x};
  p.outputs = {out};
  p.arena_bytes = 32;
  p.add_scratch(op, transpose_conv_scratch_bytes());
  return p;
}

}  // namespace tinyexec::runtime_test
