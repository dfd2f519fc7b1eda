// SPDX-License-Identifier: Apache-2.0
// The program loader (runtime::Program::load) on untrusted bytes: every kind of bad program is
// rejected with its own error code (and the tensor or operator it is about), and no input
// crashes it — truncations, garbage and single-byte corruptions of valid programs included.
// Each invalid program is a valid one with one thing changed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <iterator>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "runtime_test_support.h"
#include "tinyexec/kernels/batch_matmul.h"
#include "tinyexec/kernels/conv.h"
#include "tinyexec/kernels/depthwise_conv.h"
#include "tinyexec/kernels/fully_connected.h"
#include "tinyexec/kernels/pooling.h"
#include "tinyexec/kernels/transpose_conv.h"
#include "tinyexec/runtime/executor.h"
#include "tinyexec/runtime/program.h"

namespace {

namespace rt = tinyexec::runtime;
namespace kernels = tinyexec::kernels;
using rt::Error;
using namespace tinyexec::runtime_test;  // NOLINT: the test builder's vocabulary

// Builds and loads `spec`; passes when the error, failed_tensor() and failed_operator() are the
// expected ones.
::testing::AssertionResult LoadsAs(const ProgramSpec& spec, Error expected,
                                   int32_t failed_tensor = -1, int32_t failed_operator = -1) {
  const AlignedBytes bytes = spec.build();
  rt::Program program;
  const Error error = program.load(bytes.data(), bytes.size());
  if (error == expected && program.failed_tensor() == failed_tensor &&
      program.failed_operator() == failed_operator && program.loaded() == (error == Error::kOk)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "load gave " << rt::error_name(error) << " (tensor " << program.failed_tensor()
         << ", operator " << program.failed_operator() << ", loaded " << program.loaded()
         << "), expected " << rt::error_name(expected) << " (tensor " << failed_tensor
         << ", operator " << failed_operator << ")";
}

// Appends unused bytes to the constants blob, so that a test may grow a constant (dtype or
// shape) without leaving the blob.
ProgramSpec with_spare_constants(ProgramSpec p) {
  p.constants.resize(p.constants.size() + 256, 0);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Valid programs

TEST(RuntimeProgramLoad, SharedValidProgramsLoad) {
  EXPECT_TRUE(LoadsAs(add_program(), Error::kOk));
  EXPECT_TRUE(LoadsAs(conv_chain_program(), Error::kOk));
  EXPECT_TRUE(LoadsAs(transpose_conv_program(), Error::kOk));
}

TEST(RuntimeProgramLoad, ReportsCountsAndArenaSize) {
  const AlignedBytes bytes = conv_chain_program().build();
  rt::Program program;
  EXPECT_EQ(program.num_operators(), 0);  // unloaded
  ASSERT_EQ(program.load(bytes.data(), bytes.size()), Error::kOk);
  EXPECT_EQ(program.num_inputs(), 1);
  EXPECT_EQ(program.num_outputs(), 1);
  EXPECT_EQ(program.num_operators(), 3);
  EXPECT_EQ(program.arena_bytes(), conv_chain_program().arena_bytes);
  EXPECT_GE(program.arena_bytes(), 224u);
  EXPECT_EQ(program.failed_tensor(), -1);
  EXPECT_EQ(program.failed_operator(), -1);
}

TEST(RuntimeProgramLoad, FailedLoadUnloadsAPreviouslyLoadedProgram) {
  const AlignedBytes good = add_program().build();
  ProgramSpec spec = add_program();
  spec.version = 99;
  const AlignedBytes bad = spec.build();
  rt::Program program;
  ASSERT_EQ(program.load(good.data(), good.size()), Error::kOk);
  EXPECT_EQ(program.load(bad.data(), bad.size()), Error::kUnsupportedVersion);
  EXPECT_FALSE(program.loaded());
  EXPECT_EQ(program.num_operators(), 0);
}

// ---------------------------------------------------------------------------------------------
// The bytes

TEST(RuntimeProgramLoad, NullDataIsRejected) {
  rt::Program program;
  EXPECT_EQ(program.load(nullptr, 100), Error::kNullArgument);
  EXPECT_FALSE(program.loaded());
}

TEST(RuntimeProgramLoad, MisalignedDataIsRejected) {
  const AlignedBytes bytes = add_program().build();
  AlignedBytes shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  rt::Program program;
  EXPECT_EQ(program.load(shifted.data() + 1, bytes.size()), Error::kMisaligned);
  EXPECT_FALSE(program.loaded());
}

// Every prefix of a valid program is malformed (but for cut trailing padding, see the helper).
TEST(RuntimeProgramLoad, EveryTruncationIsMalformed) {
  for (const ProgramSpec& spec : {add_program(), conv_chain_program(), transpose_conv_program()}) {
    EXPECT_TRUE(EveryTruncationIsRejected(spec.build()));
  }
}

TEST(RuntimeProgramLoad, EmptyAndTinyBuffersAreMalformed) {
  AlignedBytes bytes(8, 0);
  rt::Program program;
  EXPECT_EQ(program.load(bytes.data(), 0), Error::kMalformed);
  EXPECT_EQ(program.load(bytes.data(), 7), Error::kMalformed);
  EXPECT_EQ(program.load(bytes.data(), 8), Error::kMalformed);
}

TEST(RuntimeProgramLoad, WrongFileIdentifierIsMalformed) {
  const AlignedBytes other = add_program().build("TEP2");
  rt::Program program;
  EXPECT_EQ(program.load(other.data(), other.size()), Error::kMalformed);
  AlignedBytes bytes = add_program().build();
  bytes[4] = 'X';  // the identifier is bytes 4..7
  EXPECT_EQ(program.load(bytes.data(), bytes.size()), Error::kMalformed);
}

// FlatBuffers buffers are below 2 GiB (its verifier asserts so); a larger declared size is not a
// program, whatever the bytes.
TEST(RuntimeProgramLoad, SizeBeyondTheFlatBuffersLimitIsMalformed) {
  const AlignedBytes bytes = add_program().build();
  rt::Program program;
  EXPECT_EQ(program.load(bytes.data(), size_t{1} << 31), Error::kMalformed);
  EXPECT_EQ(program.load(bytes.data(), (size_t{1} << 31) - 1), Error::kMalformed);
}

TEST(RuntimeProgramLoad, RandomGarbageIsMalformed) {
  std::mt19937 random(1234);
  for (int trial = 0; trial < 2000; ++trial) {
    const size_t size = 8 + random() % 600;
    AlignedBytes bytes(size);
    for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(random());
    // Half of the trials carry the right identifier, to get past the first check.
    if (trial % 2 == 0) std::memcpy(bytes.data() + 4, "TEP1", 4);
    rt::Program program;
    ASSERT_EQ(program.load(bytes.data(), bytes.size()), Error::kMalformed) << "trial " << trial;
  }
}

// Flipping bits of any single byte of a valid program never crashes the loader, nor init and
// execute when the result still loads (the checks under AddressSanitizer are the point).
TEST(RuntimeProgramLoad, SingleByteCorruptionsNeverCrash) {
  for (const ProgramSpec& spec : {add_program(), conv_chain_program(), transpose_conv_program()}) {
    const AlignedBytes original = spec.build();
    int loaded = 0, ran = 0;
    for (size_t i = 0; i < original.size(); ++i) {
      for (const uint8_t mask : {0x01, 0x10, 0x80, 0xFF}) {
        AlignedBytes bytes = original;
        bytes[i] ^= mask;
        rt::Program program;
        if (program.load(bytes.data(), bytes.size()) == Error::kOk) ++loaded;
        if (load_init_execute(bytes.data(), bytes.size()) == Error::kOk) ++ran;
      }
    }
    // Most corruptions hit names, values or padding and still load; sanity only.
    EXPECT_GT(loaded, 0);
    EXPECT_LE(ran, loaded);
  }
}

TEST(RuntimeProgramLoad, UnsupportedVersion) {
  // 1: the format before Linear.kernel_sums held the folded bias.
  for (const uint32_t version : {0u, 1u, 3u, 0xFFFFFFFFu}) {
    ProgramSpec spec = add_program();
    spec.version = version;
    EXPECT_TRUE(LoadsAs(spec, Error::kUnsupportedVersion)) << "version " << version;
  }
}

TEST(RuntimeProgramLoad, MissingTensorsVectorIsMalformed) {
  ProgramSpec spec = add_program();
  spec.write_tensors = false;
  EXPECT_TRUE(LoadsAs(spec, Error::kMalformed));
}

TEST(RuntimeProgramLoad, MissingOperatorsVectorIsMalformed) {
  ProgramSpec spec = add_program();
  spec.write_operators = false;
  EXPECT_TRUE(LoadsAs(spec, Error::kMalformed));
}

TEST(RuntimeProgramLoad, OperatorWithoutParamsIsMalformed) {
  ProgramSpec spec = add_program();
  spec.operators[0].params.build = nullptr;  // params is (required) in the schema
  EXPECT_TRUE(LoadsAs(spec, Error::kMalformed));
}

TEST(RuntimeProgramLoad, EmptyProgramLoads) {
  ProgramSpec spec;
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
}

TEST(RuntimeProgramLoad, ArenaBytesAboveInt32MaxIsRejected) {
  ProgramSpec spec = add_program();
  spec.arena_bytes = 0x80000000u;
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor));
}

// ---------------------------------------------------------------------------------------------
// Tensors

TEST(RuntimeProgramTensors, BadDtypeValue) {
  for (const int8_t value : {3, 100, -1}) {
    ProgramSpec spec = add_program();
    spec.tensors[1].dtype = static_cast<fb::DType>(value);
    EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 1)) << "dtype " << int{value};
  }
}

TEST(RuntimeProgramTensors, ZeroOrNegativeDimension) {
  for (const int32_t dim : {0, -1, INT32_MIN}) {
    ProgramSpec spec = add_program();
    spec.tensors[2].shape = {dim};
    EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 2)) << "dim " << dim;
    spec = add_program();
    spec.tensors[0].shape = {2, dim, 2};
    EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 0)) << "dim " << dim;
  }
}

TEST(RuntimeProgramTensors, RankAboveEightIsRejectedAndEightAccepted) {
  ProgramSpec spec = add_program();
  spec.arena_tensor("rank8", fb::DType::Int8, std::vector<int32_t>(8, 1), 0);
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
  spec.tensors.back().shape.push_back(1);
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 3));
}

TEST(RuntimeProgramTensors, ScalarTensorLoads) {
  ProgramSpec spec = add_program();
  spec.tensors[1].shape = {};  // a scalar broadcast over the other input
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
}

TEST(RuntimeProgramTensors, SizeOverflowingInt32) {
  ProgramSpec spec = add_program();
  spec.arena_bytes = INT32_MAX;
  spec.arena_tensor("big", fb::DType::Int8, {INT32_MAX}, 0);  // exactly INT32_MAX bytes: fits
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
  spec.tensors.back().shape = {65536, 32768};  // 2^31 bytes
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 3));
  spec.tensors.back().dtype = fb::DType::Int32;
  spec.tensors.back().shape = {1 << 29};  // 2^31 bytes of int32
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 3));
  spec.tensors.back().shape = {INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX};
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 3));
}

TEST(RuntimeProgramTensors, BothPlacementsAreRejected) {
  ProgramSpec spec = conv_chain_program();
  spec.tensors[3].arena_offset = 0;  // the bias, also in the constants
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 3));
}

TEST(RuntimeProgramTensors, NeitherPlacementIsRejected) {
  ProgramSpec spec = add_program();
  spec.tensors[1].arena_offset = -1;
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 1));
  spec.tensors[1].arena_offset = -7;
  spec.tensors[1].constant_offset = -7;
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 1));
}

TEST(RuntimeProgramTensors, ArenaPlacementPastArenaBytes) {
  ProgramSpec spec = add_program();
  spec.arena_bytes = 36;  // out is [32, 36): fits exactly
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
  spec.arena_bytes = 35;
  EXPECT_TRUE(LoadsAs(spec, Error::kOutOfBounds, 2));
  spec = add_program();
  spec.tensors[2].arena_offset = INT32_MAX;  // no int32 overflow in offset + size
  spec.arena_bytes = INT32_MAX;
  EXPECT_TRUE(LoadsAs(spec, Error::kOutOfBounds, 2));
}

TEST(RuntimeProgramTensors, ConstantPlacementPastTheConstants) {
  ProgramSpec spec = conv_chain_program();
  // The bias (12 bytes) is the blob's last constant: 4 bytes further, it ends past the blob.
  ASSERT_EQ(spec.tensors[3].constant_offset + 12, static_cast<int32_t>(spec.constants.size()));
  spec.tensors[3].constant_offset += 4;
  EXPECT_TRUE(LoadsAs(spec, Error::kOutOfBounds, 3));
  spec = conv_chain_program();
  spec.tensors[2].shape = {3, 3, 3, 3};  // the weight (at 0) grows to 81 bytes of a 76-byte blob
  EXPECT_TRUE(LoadsAs(spec, Error::kOutOfBounds, 2));
  spec = conv_chain_program();
  spec.tensors[3].constant_offset = INT32_MAX - 3;  // no int32 overflow in offset + size
  EXPECT_TRUE(LoadsAs(spec, Error::kOutOfBounds, 3));
}

TEST(RuntimeProgramTensors, ConstantWithoutConstantsBlob) {
  ProgramSpec spec = add_program();
  spec.tensors[1].arena_offset = -1;
  spec.tensors[1].constant_offset = 0;
  spec.inputs = {0};
  EXPECT_TRUE(LoadsAs(spec, Error::kOutOfBounds, 1));
}

TEST(RuntimeProgramTensors, MisalignedInt32AndFloatOffsets) {
  ProgramSpec spec = conv_chain_program();
  spec.tensors[3].constant_offset += 2;  // the int32 bias in the constants
  EXPECT_TRUE(LoadsAs(spec, Error::kMisaligned, 3));
  spec = conv_chain_program();
  spec.tensors[5].arena_offset += 1;  // the float output in the arena
  EXPECT_TRUE(LoadsAs(spec, Error::kMisaligned, 5));
  spec = conv_chain_program();
  const int32_t end = static_cast<int32_t>(spec.arena_bytes);
  spec.arena_bytes += 256;
  spec.tensors[0].arena_offset = end + 4;  // x moved past everything: 4-byte aligned is fine
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
  spec.tensors[0].arena_offset = end + 2;
  EXPECT_TRUE(LoadsAs(spec, Error::kMisaligned, 0));
}

TEST(RuntimeProgramTensors, MisalignedConstantsBlob) {
  for (const size_t misalignment : {4, 8, 12}) {
    ProgramSpec spec = conv_chain_program();
    spec.constants_misalignment = misalignment;
    const AlignedBytes bytes = spec.build();
    const auto* root = fb::GetProgram(bytes.data());
    ASSERT_NE(reinterpret_cast<uintptr_t>(root->constants()->data()) % 16, 0u);
    rt::Program program;
    EXPECT_EQ(program.load(bytes.data(), bytes.size()), Error::kMisaligned);
  }
}

// ---------------------------------------------------------------------------------------------
// Graph inputs and outputs

TEST(RuntimeProgramGraph, InputIndexOutOfRange) {
  ProgramSpec spec = add_program();
  spec.inputs = {0, 3};
  EXPECT_TRUE(LoadsAs(spec, Error::kBadIndex, 3));
  spec.inputs = {-1};
  EXPECT_TRUE(LoadsAs(spec, Error::kBadIndex, -1));
}

TEST(RuntimeProgramGraph, OutputIndexOutOfRange) {
  ProgramSpec spec = add_program();
  spec.outputs = {INT32_MAX};
  EXPECT_TRUE(LoadsAs(spec, Error::kBadIndex, INT32_MAX));
}

TEST(RuntimeProgramGraph, InputOrOutputPointingAtAConstant) {
  ProgramSpec spec = conv_chain_program();
  spec.inputs = {0, 2};  // the weight
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 2));
  spec = conv_chain_program();
  spec.outputs = {3};  // the bias
  EXPECT_TRUE(LoadsAs(spec, Error::kBadTensor, 3));
}

// ---------------------------------------------------------------------------------------------
// Operator operand indices and scratch

TEST(RuntimeProgramOperators, InputIndexOutOfRange) {
  for (const int32_t index : {6, INT32_MAX, -2, INT32_MIN}) {
    ProgramSpec spec = conv_chain_program();
    spec.operators[1].inputs[0] = index;
    EXPECT_TRUE(LoadsAs(spec, Error::kBadOperator, -1, 1)) << "index " << index;
  }
}

TEST(RuntimeProgramOperators, OutputIndexMinusOneOrOutOfRange) {
  for (const int32_t index : {-1, 6, INT32_MIN}) {
    ProgramSpec spec = conv_chain_program();
    spec.operators[2].outputs[0] = index;
    EXPECT_TRUE(LoadsAs(spec, Error::kBadOperator, -1, 2)) << "index " << index;
  }
}

TEST(RuntimeProgramOperators, OutputCountOtherThanOne) {
  ProgramSpec spec = add_program();
  spec.operators[0].outputs = {};
  EXPECT_TRUE(LoadsAs(spec, Error::kBadOperator, -1, 0));
  spec.operators[0].outputs = {2, 2};
  EXPECT_TRUE(LoadsAs(spec, Error::kBadOperator, -1, 0));
}

TEST(RuntimeProgramOperators, UnknownOrNoneParamsType) {
  ProgramSpec spec = add_program();
  spec.operators[0].params.type = fb::OpParams::NONE;
  EXPECT_TRUE(LoadsAs(spec, Error::kBadOperator, -1, 0));
  spec.operators[0].params.type = static_cast<fb::OpParams>(42);
  EXPECT_TRUE(LoadsAs(spec, Error::kBadOperator, -1, 0));
}

TEST(RuntimeProgramOperators, ScratchNegativeBytes) {
  ProgramSpec spec = transpose_conv_program();
  spec.operators[0].scratch_bytes = -16;
  EXPECT_TRUE(LoadsAs(spec, Error::kBadOperator, -1, 0));
}

TEST(RuntimeProgramOperators, ScratchOutsideTheArena) {
  ProgramSpec spec = transpose_conv_program();
  spec.operators[0].scratch_offset = -16;
  EXPECT_TRUE(LoadsAs(spec, Error::kOutOfBounds, -1, 0));
  spec = transpose_conv_program();
  spec.operators[0].scratch_offset += 1;  // one byte past the arena's end
  ASSERT_EQ(spec.operators[0].scratch_offset + spec.operators[0].scratch_bytes,
            static_cast<int32_t>(spec.arena_bytes) + 1);
  EXPECT_TRUE(LoadsAs(spec, Error::kOutOfBounds, -1, 0));
  spec = transpose_conv_program();
  spec.operators[0].scratch_offset = INT32_MAX;
  spec.operators[0].scratch_bytes = INT32_MAX;
  EXPECT_TRUE(LoadsAs(spec, Error::kOutOfBounds, -1, 0));
}

TEST(RuntimeProgramOperators, NoScratchIgnoresTheScratchOffset) {
  ProgramSpec spec = add_program();
  spec.operators[0].scratch_offset = INT32_MIN;
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
}

// ---------------------------------------------------------------------------------------------
// Overlaps and output placement

TEST(RuntimeProgramOverlap, OutputOverlappingAnInputIsRejected) {
  ProgramSpec spec = conv_chain_program();
  spec.tensors[4].arena_offset = 144;  // y over the second half of xq [128, 160)
  EXPECT_TRUE(LoadsAs(spec, Error::kOverlap, -1, 1));
  spec = add_program();
  spec.tensors[2].arena_offset = 1;  // out [1, 5) over a [0, 4), not the same range
  EXPECT_TRUE(LoadsAs(spec, Error::kOverlap, -1, 0));
  spec = add_program();
  spec.tensors[2].arena_offset = 12;  // out [12, 16) touches nothing; [13, 17) touches b
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
  spec.tensors[2].arena_offset = 13;
  EXPECT_TRUE(LoadsAs(spec, Error::kOverlap, -1, 0));
}

TEST(RuntimeProgramOverlap, InPlaceElementwiseWithIdenticalRangesIsAccepted) {
  ProgramSpec spec = add_program();
  spec.tensors[2].arena_offset = 0;  // out over a
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
  spec.tensors[2].arena_offset = 16;  // out over b
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
  spec.operators[0].outputs = {0};  // the very same tensor as input a
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
}

TEST(RuntimeProgramOverlap, InPlaceForANonElementwiseOpIsRejected) {
  ProgramSpec spec = conv_chain_program();
  spec.operators[0].outputs = {0};  // quantize writing over its own input: dtype check first
  EXPECT_TRUE(LoadsAs(spec, Error::kBadOperator, -1, 0));
  // Softmax's kernel could run in place, but the loader allows it only for element-wise ops.
  ProgramSpec softmax_spec;
  const int32_t x = softmax_spec.arena_tensor("x", fb::DType::Int8, {1, 4}, 0, 0.1f, 0);
  const int32_t y = softmax_spec.arena_tensor("y", fb::DType::Int8, {1, 4}, 0, 1.0f / 256, -128);
  softmax_spec.add_operator({softmax(), {x}, {y}});
  softmax_spec.arena_bytes = 16;
  EXPECT_TRUE(LoadsAs(softmax_spec, Error::kOverlap, -1, 0));
}

TEST(RuntimeProgramOverlap, ScratchOverlappingAnOperandIsRejected) {
  ProgramSpec spec = transpose_conv_program();
  spec.operators[0].scratch_offset = 0;  // over the input [0, 4)
  EXPECT_TRUE(LoadsAs(spec, Error::kOverlap, -1, 0));
  spec.operators[0].scratch_offset = 20;  // over the output [16, 32)
  EXPECT_TRUE(LoadsAs(spec, Error::kOverlap, -1, 0));
  spec.operators[0].scratch_offset = 4;  // [4, 20) over the output's first 4 bytes
  EXPECT_TRUE(LoadsAs(spec, Error::kOverlap, -1, 0));
}

TEST(RuntimeProgramOverlap, ReshapeMayOverlap) {
  ProgramSpec spec;
  const int32_t x = spec.arena_tensor("x", fb::DType::Int8, {2, 3}, 0);
  const int32_t y = spec.arena_tensor("y", fb::DType::Int8, {6}, 2);
  spec.add_operator({reshape(), {x}, {y}});
  spec.arena_bytes = 16;
  EXPECT_TRUE(LoadsAs(spec, Error::kOk));
}

// Outputs are written: an output among the constants (read-only, perhaps in flash) is never
// accepted, also when its op could run in place.
TEST(RuntimeProgramOverlap, OutputPlacedInTheConstantsIsRejected) {
  ProgramSpec spec = conv_chain_program();
  spec.tensors[4].arena_offset = -1;
  spec.tensors[4].constant_offset = 0;  // y over the weight
  EXPECT_TRUE(LoadsAs(spec, Error::kBadOperator, -1, 1));
  ProgramSpec lut_spec;
  const int32_t table_input =
      lut_spec.constant_tensor("c", fb::DType::Int8, {4}, std::vector<int8_t>{1, 2, 3, 4});
  lut_spec.tensors.push_back(lut_spec.tensors[0]);
  lut_spec.tensors[1].name = "out";
  lut_spec.add_operator({lut(doubling_table()), {table_input}, {1}});
  EXPECT_TRUE(LoadsAs(lut_spec, Error::kBadOperator, -1, 0));
}

// ---------------------------------------------------------------------------------------------
// Per op: a valid single-operator program, and one-change variants with the expected error.
// Operands live in 256-byte arena slots and the constants have spare room, so that changing a
// dtype or a shape changes nothing else.

constexpr int32_t kSlot = 256;

// The tensors are added by each builder (in slots 0..2); this finishes the program around one
// operator, with the scratch its kernel asks for after the slots.
ProgramSpec finish(ProgramSpec p, Params params, std::vector<int32_t> inputs, int32_t output,
                   int32_t scratch_bytes = 0) {
  for (int32_t index : inputs) {
    if (index >= 0 && p.tensors[static_cast<size_t>(index)].arena_offset >= 0) {
      p.inputs.push_back(index);
    }
  }
  p.outputs = {output};
  const int32_t op = p.add_operator({std::move(params), std::move(inputs), {output}, -1, 0, "op"});
  p.arena_bytes = 3 * kSlot;
  p.add_scratch(op, scratch_bytes);
  return with_spare_constants(std::move(p));
}

ConvSpec per_channel(int32_t channels) {
  ConvSpec s;
  s.multipliers.assign(static_cast<size_t>(channels), 1 << 30);
  s.shifts.assign(static_cast<size_t>(channels), -2);
  return s;
}

std::vector<int8_t> ramp(size_t count) {
  std::vector<int8_t> values;
  for (size_t i = 0; i < count; ++i) values.push_back(static_cast<int8_t>(i % 7) - 3);
  return values;
}

// Tensor indices of every op program: inputs first, then the output.
ProgramSpec conv_op() {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {1, 4, 4, 2}, 0, 0.1f, 1);
  p.constant_tensor("w", fb::DType::Int8, {3, 3, 3, 2}, ramp(54));
  p.constant_tensor("b", fb::DType::Int32, {3}, std::vector<int32_t>{1, 2, 3});
  p.arena_tensor("y", fb::DType::Int8, {1, 2, 2, 3}, kSlot, 0.2f, -1);
  return finish(p, conv2d(per_channel(3)), {0, 1, 2}, 3,
                kernels::conv2d_s8_scratch_size(per_channel(3).kernel_params(), {1, 4, 4, 2},
                                                {3, 3, 3, 2}, {1, 2, 2, 3}));
}
ProgramSpec depthwise_op() {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {1, 3, 3, 2}, 0, 0.1f, 0);
  p.constant_tensor("w", fb::DType::Int8, {1, 3, 3, 2}, ramp(18));
  p.constant_tensor("b", fb::DType::Int32, {2}, std::vector<int32_t>{5, -5});
  p.arena_tensor("y", fb::DType::Int8, {1, 1, 1, 2}, kSlot, 0.2f, 0);
  return finish(p, depthwise_conv2d(per_channel(2)), {0, 1, 2}, 3,
                kernels::depthwise_conv2d_s8_scratch_size(
                    per_channel(2).kernel_params(), {1, 3, 3, 2}, {1, 3, 3, 2}, {1, 1, 1, 2}));
}
ProgramSpec transpose_conv_op() {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {1, 2, 2, 1}, 0, 0.1f, 0);
  p.constant_tensor("w", fb::DType::Int8, {1, 3, 3, 1}, ramp(9));
  p.constant_tensor("b", fb::DType::Int32, {1}, std::vector<int32_t>{4});
  p.arena_tensor("y", fb::DType::Int8, {1, 4, 4, 1}, kSlot, 0.2f, 0);
  return finish(
      p, transpose_conv2d(per_channel(1)), {0, 1, 2}, 3,
      kernels::transpose_conv2d_s8_scratch_size(per_channel(1).transpose_kernel_params(),
                                                {1, 2, 2, 1}, {1, 3, 3, 1}, {1, 4, 4, 1}));
}
LinearSpec linear_spec(int32_t count) {
  LinearSpec s;
  s.multipliers.assign(static_cast<size_t>(count), 1 << 30);
  s.shifts.assign(static_cast<size_t>(count), -3);
  return s;
}
ProgramSpec linear_op(LinearSpec s = linear_spec(1)) {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {1, 4}, 0, 0.1f, 0);
  p.constant_tensor("w", fb::DType::Int8, {3, 4}, ramp(12));
  p.constant_tensor("b", fb::DType::Int32, {3}, std::vector<int32_t>{1, 2, 3});
  p.arena_tensor("y", fb::DType::Int8, {1, 3}, kSlot, 0.2f, 0);
  return finish(p, linear(std::move(s)), {0, 1, 2}, 3,
                kernels::fully_connected_s8_scratch_size({1, 4, 3}));
}
ProgramSpec batch_matmul_op() {
  ProgramSpec p;
  p.arena_tensor("lhs", fb::DType::Int8, {2, 3}, 0, 0.1f, 0);
  p.constant_tensor("rhs", fb::DType::Int8, {4, 3}, ramp(12));  // transposed: [cols, depth]
  p.arena_tensor("y", fb::DType::Int8, {2, 4}, kSlot, 0.2f, 0);
  return finish(p, batch_matmul(1 << 30, -2), {0, 1}, 2,
                kernels::batch_matmul_s8_scratch_size({1, 1, 2, 3}, {1, 1, 4, 3}, {1, 1, 2, 4}));
}
ProgramSpec binary_op(Params params) {
  ProgramSpec p;
  p.arena_tensor("a", fb::DType::Int8, {4}, 0, 0.1f, 0);
  p.arena_tensor("b", fb::DType::Int8, {4}, kSlot, 0.1f, 0);
  p.arena_tensor("y", fb::DType::Int8, {4}, 2 * kSlot, 0.1f, 0);
  return finish(p, std::move(params), {0, 1}, 2);
}
ProgramSpec pool_op(Params params) {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {1, 2, 2, 1}, 0, 0.1f, 0);
  p.arena_tensor("y", fb::DType::Int8, {1, 1, 1, 1}, kSlot, 0.1f, 0);
  // Max pooling takes no scratch; average pooling as much as its kernel asks for.
  const int32_t scratch = params.type == fb::OpParams::AvgPool2d
                              ? kernels::avg_pool_s8_scratch_size({1, 2, 2, 1}, {1, 1, 1, 1})
                              : 0;
  return finish(p, std::move(params), {0}, 1, scratch);
}
ProgramSpec softmax_op() {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {1, 4}, 0, 0.1f, 0);
  p.arena_tensor("y", fb::DType::Int8, {1, 4}, kSlot, 1.0f / 256, -128);
  return finish(p, softmax(), {0}, 1);
}
ProgramSpec pad_op() {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {1, 2}, 0, 0.1f, 0);
  p.arena_tensor("y", fb::DType::Int8, {1, 4}, kSlot, 0.1f, 0);
  return finish(p, pad({0, 1, 0, 1}), {0}, 1);
}
ProgramSpec transpose_op() {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {2, 3}, 0);
  p.arena_tensor("y", fb::DType::Int8, {3, 2}, kSlot);
  return finish(p, transpose({1, 0}), {0}, 1);
}
ProgramSpec concat_op() {
  ProgramSpec p;
  p.arena_tensor("a", fb::DType::Int8, {1, 2}, 0);
  p.arena_tensor("b", fb::DType::Int8, {1, 2}, kSlot);
  p.arena_tensor("y", fb::DType::Int8, {1, 4}, 2 * kSlot);
  return finish(p, concat(1), {0, 1}, 2);
}
ProgramSpec reshape_op() {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {2, 3}, 0);
  p.arena_tensor("y", fb::DType::Int8, {6}, kSlot);
  return finish(p, reshape(), {0}, 1);
}
ProgramSpec lut_op(std::vector<int8_t> table = doubling_table()) {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {4}, 0);
  p.arena_tensor("y", fb::DType::Int8, {4}, kSlot);
  return finish(p, lut(std::move(table)), {0}, 1);
}
ProgramSpec quantize_op() {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Float32, {4}, 0);
  p.arena_tensor("y", fb::DType::Int8, {4}, kSlot, 0.5f, 3);
  return finish(p, quantize(), {0}, 1);
}
ProgramSpec dequantize_op() {
  ProgramSpec p;
  p.arena_tensor("x", fb::DType::Int8, {4}, 0, 0.5f, 3);
  p.arena_tensor("y", fb::DType::Float32, {4}, kSlot);
  return finish(p, dequantize(), {0}, 1);
}

struct OpProgram {
  const char* name;
  std::function<ProgramSpec()> build;
};

const OpProgram kOpPrograms[] = {
    {"conv2d", conv_op},
    {"depthwise_conv2d", depthwise_op},
    {"transpose_conv2d", transpose_conv_op},
    {"linear_per_tensor", [] { return linear_op(); }},
    {"linear_per_channel_with_kernel_sums",
     [] {
       LinearSpec s = linear_spec(3);
       s.kernel_sums = {1, 2, 3};
       return linear_op(s);
     }},
    {"linear_without_bias",
     [] {
       ProgramSpec p = linear_op();
       p.operators[0].inputs = {0, 1};
       return p;
     }},
    {"batch_matmul", batch_matmul_op},
    {"add", [] { return binary_op(add({})); }},
    {"mul", [] { return binary_op(mul(1 << 30, -1)); }},
    {"maximum", [] { return binary_op(maximum()); }},
    {"minimum", [] { return binary_op(minimum()); }},
    {"avg_pool2d", [] { return pool_op(avg_pool2d({})); }},
    {"max_pool2d", [] { return pool_op(max_pool2d({})); }},
    {"softmax", softmax_op},
    {"pad", pad_op},
    {"transpose", transpose_op},
    {"concat", concat_op},
    {"concat_16_inputs",
     [] {
       ProgramSpec p;
       std::vector<int32_t> inputs;
       for (int32_t i = 0; i < 16; ++i) {
         inputs.push_back(p.arena_tensor("in" + std::to_string(i), fb::DType::Int8, {1, 1}, i));
       }
       p.arena_tensor("y", fb::DType::Int8, {1, 16}, 16);
       return finish(p, concat(1), inputs, 16);
     }},
    {"reshape", reshape_op},
    {"lut", [] { return lut_op(); }},
    {"quantize", quantize_op},
    {"dequantize", dequantize_op},
};

void PrintTo(const OpProgram& program, std::ostream* os) {
  *os << program.name;
}

class RuntimeProgramOps : public ::testing::TestWithParam<OpProgram> {};

// Each baseline is valid all the way: load, init (the kernel's check) and execute.
TEST_P(RuntimeProgramOps, BaselineLoadsInitsAndRuns) {
  const AlignedBytes bytes = GetParam().build().build();
  EXPECT_EQ(load_init_execute(bytes.data(), bytes.size()), Error::kOk);
}

INSTANTIATE_TEST_SUITE_P(Baselines, RuntimeProgramOps, ::testing::ValuesIn(kOpPrograms),
                         [](const auto& info) { return std::string(info.param.name); });

struct BadOperandCase {
  const char* name;
  std::function<ProgramSpec()> build;
  Error expected = Error::kBadOperator;
};

// Shortcuts for the one change.
template <typename Build, typename Change>
std::function<ProgramSpec()> changed(Build build, Change change) {
  return [build, change] {
    ProgramSpec p = build();
    change(p);
    return p;
  };
}
auto inputs_of(std::vector<int32_t> inputs) {
  return [inputs](ProgramSpec& p) { p.operators[0].inputs = inputs; };
}
auto tensor_dtype(size_t tensor, fb::DType dtype) {
  return [=](ProgramSpec& p) { p.tensors[tensor].dtype = dtype; };
}
auto tensor_shape(size_t tensor, std::vector<int32_t> shape) {
  return [=](ProgramSpec& p) { p.tensors[tensor].shape = shape; };
}
auto params_of(Params params) {
  return [params](ProgramSpec& p) { p.operators[0].params = params; };
}
ConvSpec with_counts(int32_t multipliers, int32_t shifts) {
  ConvSpec s = per_channel(multipliers);
  s.shifts.assign(static_cast<size_t>(shifts), 0);
  return s;
}
LinearSpec linear_counts(int32_t multipliers, int32_t shifts, int32_t sums) {
  LinearSpec s = linear_spec(multipliers);
  s.shifts.assign(static_cast<size_t>(shifts), 0);
  s.kernel_sums.assign(static_cast<size_t>(sums), 0);
  return s;
}
std::function<ProgramSpec()> binary(Params params) {
  return [params] { return binary_op(params); };
}
std::function<ProgramSpec()> pool(Params params) {
  return [params] { return pool_op(params); };
}

const BadOperandCase kBadOperands[] = {
    // Conv2d: (input, weight[, bias]) -> output, all rank 4 int8, bias int32 [channels].
    {"conv_one_input", changed(conv_op, inputs_of({0}))},
    {"conv_four_inputs", changed(conv_op, inputs_of({0, 1, 2, 0}))},
    {"conv_input_omitted", changed(conv_op, inputs_of({-1, 1, 2}))},
    {"conv_weight_omitted", changed(conv_op, inputs_of({0, -1, 2}))},
    {"conv_input_int32", changed(conv_op, tensor_dtype(0, fb::DType::Int32))},
    {"conv_input_float", changed(conv_op, tensor_dtype(0, fb::DType::Float32))},
    {"conv_weight_int32", changed(conv_op, tensor_dtype(1, fb::DType::Int32))},
    {"conv_output_float", changed(conv_op, tensor_dtype(3, fb::DType::Float32))},
    {"conv_input_rank3", changed(conv_op, tensor_shape(0, {4, 4, 2}))},
    {"conv_weight_rank3", changed(conv_op, tensor_shape(1, {3, 3, 6}))},
    {"conv_output_rank5", changed(conv_op, tensor_shape(3, {1, 1, 2, 2, 3}))},
    {"conv_bias_int8", changed(conv_op, tensor_dtype(2, fb::DType::Int8))},
    {"conv_bias_wrong_length", changed(conv_op, tensor_shape(2, {2}))},
    {"conv_bias_rank2", changed(conv_op, tensor_shape(2, {1, 3}))},
    {"conv_multipliers_short", changed(conv_op, params_of(conv2d(with_counts(2, 3))))},
    {"conv_shifts_long", changed(conv_op, params_of(conv2d(with_counts(3, 4))))},
    {"conv_no_multipliers", changed(conv_op, params_of(conv2d(with_counts(0, 0))))},
    // DepthwiseConv2d and TransposeConv2d share the rules.
    {"depthwise_multipliers_short",
     changed(depthwise_op, params_of(depthwise_conv2d(with_counts(1, 2))))},
    {"depthwise_output_rank2", changed(depthwise_op, tensor_shape(3, {1, 2}))},
    {"depthwise_two_inputs_one_omitted", changed(depthwise_op, inputs_of({0, -1}))},
    {"transpose_conv_shifts_short",
     changed(transpose_conv_op, params_of(transpose_conv2d(with_counts(1, 0))))},
    {"transpose_conv_weight_float",
     changed(transpose_conv_op, tensor_dtype(1, fb::DType::Float32))},
    {"transpose_conv_two_outputs", changed(transpose_conv_op,
                                           [](ProgramSpec& p) {
                                             p.operators[0].outputs = {3, 3};
                                           })},
    // Linear: rank 2, 1 or `channels` multipliers, as many shifts, 0 or `channels` kernel sums.
    {"linear_input_rank3", changed([] { return linear_op(); }, tensor_shape(0, {1, 1, 4}))},
    {"linear_output_rank1", changed([] { return linear_op(); }, tensor_shape(3, {3}))},
    {"linear_weight_int32", changed([] { return linear_op(); }, tensor_dtype(1, fb::DType::Int32))},
    {"linear_one_input", changed([] { return linear_op(); }, inputs_of({0}))},
    {"linear_two_multipliers",
     changed([] { return linear_op(); }, params_of(linear(linear_counts(2, 2, 0))))},
    {"linear_shifts_not_matching",
     changed([] { return linear_op(); }, params_of(linear(linear_counts(3, 1, 0))))},
    {"linear_kernel_sums_short",
     changed([] { return linear_op(); }, params_of(linear(linear_counts(1, 1, 2))))},
    {"linear_bias_wrong_length", changed([] { return linear_op(); }, tensor_shape(2, {4}))},
    // BatchMatmul: two int8 operands of rank 2..4.
    {"batch_matmul_three_inputs", changed(batch_matmul_op, inputs_of({0, 1, 0}))},
    {"batch_matmul_bias_omitted", changed(batch_matmul_op, inputs_of({0, 1, -1}))},
    {"batch_matmul_lhs_rank1", changed(batch_matmul_op, tensor_shape(0, {6}))},
    {"batch_matmul_lhs_rank5", changed(batch_matmul_op, tensor_shape(0, {1, 1, 1, 2, 3}))},
    {"batch_matmul_rhs_int32", changed(batch_matmul_op, tensor_dtype(1, fb::DType::Int32))},
    // Element-wise binary ops: two int8 inputs of rank <= 4.
    {"add_one_input", changed(binary(add({})), inputs_of({0}))},
    {"add_three_inputs", changed(binary(add({})), inputs_of({0, 1, 0}))},
    {"add_input_int32", changed(binary(add({})), tensor_dtype(0, fb::DType::Int32))},
    {"add_output_rank5", changed(binary(add({})), tensor_shape(2, {1, 1, 1, 1, 4}))},
    {"mul_output_float", changed(binary(mul(1 << 30, 0)), tensor_dtype(2, fb::DType::Float32))},
    {"mul_input_omitted", changed(binary(mul(1 << 30, 0)), inputs_of({0, -1}))},
    {"maximum_one_input", changed(binary(maximum()), inputs_of({1}))},
    {"minimum_input2_rank5", changed(binary(minimum()), tensor_shape(1, {1, 1, 1, 1, 4}))},
    // Pools: one rank-4 int8 input.
    {"avg_pool_two_inputs", changed(pool(avg_pool2d({})), inputs_of({0, 0}))},
    {"avg_pool_input_rank3", changed(pool(avg_pool2d({})), tensor_shape(0, {2, 2, 1}))},
    {"max_pool_output_int32", changed(pool(max_pool2d({})), tensor_dtype(1, fb::DType::Int32))},
    {"max_pool_no_inputs", changed(pool(max_pool2d({})), inputs_of({}))},
    // Softmax: int8 of rank >= 1, the output as large as the input.
    {"softmax_output_smaller", changed(softmax_op, tensor_shape(1, {1, 3}))},
    {"softmax_input_int32", changed(softmax_op, tensor_dtype(0, fb::DType::Int32))},
    {"softmax_scalars", changed(softmax_op,
                                [](ProgramSpec& p) {
                                  p.tensors[0].shape = {};
                                  p.tensors[1].shape = {};
                                })},
    // Pad: pads holds 2 * rank values.
    {"pad_pads_length_3", changed(pad_op, params_of(pad({0, 1, 1})))},
    {"pad_pads_length_8", changed(pad_op, params_of(pad({0, 0, 1, 0, 0, 0, 1, 0})))},
    {"pad_no_pads", changed(pad_op, params_of(pad({})))},
    {"pad_input_rank5", changed(pad_op, tensor_shape(0, {1, 1, 1, 1, 2}))},
    // Transpose: perm is a permutation of [0, rank).
    {"transpose_repeated_axis", changed(transpose_op, params_of(transpose({0, 0})))},
    {"transpose_axis_out_of_range", changed(transpose_op, params_of(transpose({0, 2})))},
    {"transpose_negative_axis", changed(transpose_op, params_of(transpose({-1, 0})))},
    {"transpose_perm_too_long", changed(transpose_op, params_of(transpose({1, 0, 2})))},
    {"transpose_perm_too_short", changed(transpose_op, params_of(transpose({0})))},
    {"transpose_input_float", changed(transpose_op, tensor_dtype(0, fb::DType::Float32))},
    // Concat: 1..16 inputs of the output's rank, axis in [0, rank).
    {"concat_axis_equal_to_rank", changed(concat_op, params_of(concat(2)))},
    {"concat_negative_axis", changed(concat_op, params_of(concat(-1)))},
    {"concat_no_inputs", changed(concat_op, inputs_of({}))},
    {"concat_17_inputs", changed(concat_op, inputs_of(std::vector<int32_t>(17, 0)))},
    {"concat_input_rank_differs", changed(concat_op, tensor_shape(1, {2}))},
    {"concat_third_input_omitted", changed(concat_op, inputs_of({0, 1, -1}))},
    {"concat_input_int32", changed(concat_op, tensor_dtype(0, fb::DType::Int32))},
    // Reshape: same dtype and byte size.
    {"reshape_different_byte_size", changed(reshape_op, tensor_shape(1, {5}))},
    {"reshape_different_dtype_same_bytes", changed(reshape_op,
                                                   [](ProgramSpec& p) {
                                                     p.tensors[0].shape = {2, 4};
                                                     p.tensors[1].dtype = fb::DType::Int32;
                                                     p.tensors[1].shape = {2};
                                                   })},
    {"reshape_two_inputs", changed(reshape_op, inputs_of({0, 0}))},
    // Lut: a 256-entry table, input and output of one size.
    {"lut_255_entries", [] { return lut_op(std::vector<int8_t>(255, 0)); }},
    {"lut_257_entries", [] { return lut_op(std::vector<int8_t>(257, 0)); }},
    {"lut_empty_table", [] { return lut_op({}); }},
    {"lut_output_smaller", changed([] { return lut_op(); }, tensor_shape(1, {3}))},
    {"lut_input_float", changed([] { return lut_op(); }, tensor_dtype(0, fb::DType::Float32))},
    // Quantize f32 -> int8 and Dequantize int8 -> f32, same element count.
    {"quantize_input_int8", changed(quantize_op, tensor_dtype(0, fb::DType::Int8))},
    {"quantize_output_float", changed(quantize_op, tensor_dtype(1, fb::DType::Float32))},
    {"quantize_output_int32", changed(quantize_op, tensor_dtype(1, fb::DType::Int32))},
    {"quantize_count_differs", changed(quantize_op, tensor_shape(1, {3}))},
    {"dequantize_input_float", changed(dequantize_op, tensor_dtype(0, fb::DType::Float32))},
    {"dequantize_output_int8", changed(dequantize_op, tensor_dtype(1, fb::DType::Int8))},
    {"dequantize_count_differs", changed(dequantize_op, tensor_shape(1, {2, 4}))},
    // Output shapes that do not follow from the input shapes and the parameters (the kernels
    // get no output dims for these ops, so the loader checks them).
    {"pad_output_larger", changed(pad_op, tensor_shape(1, {1, 8}))},
    {"pad_output_same_size_other_shape", changed(pad_op, tensor_shape(1, {2, 2}))},
    {"pad_output_rank_differs", changed(pad_op, tensor_shape(1, {4}))},
    {"transpose_output_not_permuted", changed(transpose_op, tensor_shape(1, {2, 3}))},
    {"transpose_output_flat", changed(transpose_op, tensor_shape(1, {6}))},
    {"concat_output_larger", changed(concat_op, tensor_shape(2, {1, 8}))},
    {"concat_output_other_shape", changed(concat_op, tensor_shape(2, {2, 2}))},
    {"linear_weight_rows_not_channels",
     changed([] { return linear_op(); },
             [](ProgramSpec& p) {
               p.tensors[1].shape = {2, 4};  // 2 output rows for a [1, 3] output
               p.operators[0].inputs = {0, 1};
             })},
    {"linear_weight_depth_not_input_depth",
     changed([] { return linear_op(); }, tensor_shape(1, {3, 5}))},
    {"linear_output_batches_differ", changed([] { return linear_op(); }, tensor_shape(3, {2, 3}))},
};

void PrintTo(const BadOperandCase& c, std::ostream* os) {
  *os << c.name;
}

class RuntimeProgramBadOperands : public ::testing::TestWithParam<BadOperandCase> {};

TEST_P(RuntimeProgramBadOperands, IsRejected) {
  EXPECT_TRUE(LoadsAs(GetParam().build(), GetParam().expected, -1, 0));
}

INSTANTIATE_TEST_SUITE_P(OneChange, RuntimeProgramBadOperands, ::testing::ValuesIn(kBadOperands),
                         [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------------------------
// Random changes of program fields (rather than bytes, which mostly stop at the verifier)

// One random change to a tensor, an operator or the program, to an interesting value.
void change_one_field(ProgramSpec& p, const std::vector<ProgramSpec>& others,
                      std::mt19937& random) {
  static constexpr int32_t kValues[] = {
      -2,        -1,       0,  1,   2,   3,   4,   5,   7,    8,    15,    16,      17,
      31,        32,       64, 127, 128, 255, 256, 257, 1000, 4096, 65535, 1 << 20, INT32_MAX - 1,
      INT32_MAX, INT32_MIN};
  const int32_t value = kValues[random() % std::size(kValues)];
  const int32_t small = static_cast<int32_t>(random() % (p.tensors.size() + 3)) - 2;
  TensorSpec& t = p.tensors[random() % p.tensors.size()];
  OperatorSpec& op = p.operators[random() % p.operators.size()];
  switch (random() % 13) {
    case 0: t.dtype = static_cast<fb::DType>(random() % 4); break;
    case 1:
      if (!t.shape.empty()) t.shape[random() % t.shape.size()] = value % 9;
      break;
    case 2:
      if (random() % 2 == 0 && !t.shape.empty()) {
        t.shape.pop_back();
      } else {
        t.shape.insert(t.shape.begin(), 1 + static_cast<int32_t>(random() % 3));
      }
      break;
    case 3: t.arena_offset = value; break;
    case 4: t.constant_offset = value; break;
    case 5: t.zero_point = value % 300; break;
    case 6:
      t.scale = std::vector<float>{0.0f, -1.0f, 1e-30f, 1e30f, NAN, INFINITY}[random() % 6];
      break;
    case 7:
      if (!op.inputs.empty()) op.inputs[random() % op.inputs.size()] = small;
      break;
    case 8: op.outputs[0] = random() % 4 == 0 ? value : small; break;
    case 9:
      op.scratch_offset = value;
      op.scratch_bytes = random() % 2 == 0 ? value : 16;
      break;
    case 10: p.arena_bytes = static_cast<uint32_t>(value); break;
    case 11: op.params = others[random() % others.size()].operators[0].params; break;
    case 12: op.inputs.push_back(small); break;
  }
}

// Whatever the loader accepts after one or two random changes initialises or is rejected by a
// kernel check, and runs, without a crash (the point under AddressSanitizer and UBSan).
TEST(RuntimeProgramFieldChanges, NeverCrash) {
  std::vector<ProgramSpec> bases = {add_program(), conv_chain_program(), transpose_conv_program()};
  for (const OpProgram& op : kOpPrograms) bases.push_back(op.build());
  std::mt19937 random(2024);
  int loaded = 0, ran = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    ProgramSpec spec = bases[random() % bases.size()];
    const int changes = 1 + static_cast<int>(random() % 2);
    for (int c = 0; c < changes; ++c) change_one_field(spec, bases, random);
    const AlignedBytes bytes = spec.build();
    rt::Program program;
    if (program.load(bytes.data(), bytes.size()) == Error::kOk) ++loaded;
    const Error error = load_init_execute(bytes.data(), bytes.size());
    ASSERT_NE(error, Error::kMalformed) << "trial " << trial;  // every build is a FlatBuffer
    if (error == Error::kOk) ++ran;
  }
  // Many changes are harmless (a zero point, an unused field): both outcomes occur.
  EXPECT_GT(ran, 1000);
  EXPECT_LT(loaded, 20000);
}

}  // namespace
