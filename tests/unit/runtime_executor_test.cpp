// SPDX-License-Identifier: Apache-2.0
// The executor (runtime::Executor): init's checks of the arena and of every kernel's arguments,
// the input/output views, and execution — results against hand-computed values and against the
// kernels called directly, operator hooks, repeatability, and no write outside the arena.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "runtime_test_support.h"
#include "tinyexec/kernels/conv.h"
#include "tinyexec/kernels/quantize.h"
#include "tinyexec/kernels/transpose_conv.h"
#include "tinyexec/runtime/executor.h"
#include "tinyexec/runtime/program.h"

namespace {

namespace rt = tinyexec::runtime;
namespace kernels = tinyexec::kernels;
using rt::Error;
using namespace tinyexec::runtime_test;  // NOLINT: the test builder's vocabulary

// A program's bytes and the loaded program (which reads the bytes in place).
class Loaded {
 public:
  explicit Loaded(const ProgramSpec& spec) : bytes_(spec.build()) {
    error_ = program_.load(bytes_.data(), bytes_.size());
  }
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;
  Error error() const { return error_; }
  const rt::Program& program() const { return program_; }

 private:
  AlignedBytes bytes_;
  rt::Program program_;
  Error error_;
};

// Writes `values` into graph input `index`.
template <typename T>
void set_input(const rt::Executor& executor, int32_t index, const std::vector<T>& values) {
  rt::TensorRef ref;
  ASSERT_EQ(executor.input(index, &ref), Error::kOk);
  ASSERT_EQ(ref.bytes, values.size() * sizeof(T));
  std::memcpy(ref.data, values.data(), ref.bytes);
}

template <typename T>
std::vector<T> get_output(const rt::Executor& executor, int32_t index) {
  rt::TensorRef ref;
  EXPECT_EQ(executor.output(index, &ref), Error::kOk);
  std::vector<T> values(ref.bytes / sizeof(T));
  std::memcpy(values.data(), ref.data, ref.bytes);
  return values;
}

// ---------------------------------------------------------------------------------------------
// init: the arena and the program

TEST(RuntimeExecutorInit, NullArena) {
  Loaded loaded(add_program());
  ASSERT_EQ(loaded.error(), Error::kOk);
  rt::Executor executor;
  EXPECT_EQ(executor.init(loaded.program(), nullptr, 1024), Error::kNullArgument);
}

TEST(RuntimeExecutorInit, MisalignedArena) {
  Loaded loaded(add_program());
  AlignedBytes arena(64 + 16);
  rt::Executor executor;
  for (size_t offset : {1, 4, 8}) {
    EXPECT_EQ(executor.init(loaded.program(), arena.data() + offset, 64), Error::kMisaligned)
        << "offset " << offset;
  }
}

TEST(RuntimeExecutorInit, ArenaTooSmall) {
  Loaded loaded(add_program());  // 48 arena bytes
  AlignedBytes arena(48);
  rt::Executor executor;
  EXPECT_EQ(executor.init(loaded.program(), arena.data(), 47), Error::kArenaTooSmall);
  EXPECT_EQ(executor.init(loaded.program(), arena.data(), 0), Error::kArenaTooSmall);
  EXPECT_EQ(executor.init(loaded.program(), arena.data(), 48), Error::kOk);
}

TEST(RuntimeExecutorInit, UnloadedProgram) {
  rt::Program never_loaded;
  AlignedBytes arena(64);
  rt::Executor executor;
  EXPECT_EQ(executor.init(never_loaded, arena.data(), arena.size()), Error::kNotReady);
  ProgramSpec bad = add_program();
  bad.version = 7;
  Loaded failed(bad);
  ASSERT_EQ(failed.error(), Error::kUnsupportedVersion);
  EXPECT_EQ(executor.init(failed.program(), arena.data(), arena.size()), Error::kNotReady);
}

// A successful init after a failed one, and the other way round, leaves no stale state.
TEST(RuntimeExecutorInit, ReinitResetsState) {
  Loaded good(add_program());
  ProgramSpec bad_spec = conv_chain_program();
  bad_spec.operators[1].params = conv2d([] {
    ConvSpec s = ConvChain::conv();
    s.pad_h = s.pad_w = 1;
    return s;
  }());
  Loaded bad(bad_spec);
  ASSERT_EQ(bad.error(), Error::kOk);
  AlignedBytes arena(bad.program().arena_bytes());  // more than the add program's
  rt::Executor executor;
  EXPECT_EQ(executor.init(bad.program(), arena.data(), arena.size()), Error::kKernelRejected);
  EXPECT_EQ(executor.init(good.program(), arena.data(), arena.size()), Error::kOk);
  EXPECT_EQ(executor.failed_operator(), -1);
  EXPECT_EQ(executor.kernel_status(), kernels::Status::kOk);
  EXPECT_EQ(executor.init(bad.program(), arena.data(), arena.size()), Error::kKernelRejected);
  EXPECT_EQ(executor.execute(), Error::kNotReady);
}

// ---------------------------------------------------------------------------------------------
// init: every kernel's argument check on the real buffers

struct KernelRejection {
  Error error;
  int32_t failed_operator;
  kernels::Status status;
};

KernelRejection init_error(const ProgramSpec& spec) {
  Loaded loaded(spec);
  EXPECT_EQ(loaded.error(), Error::kOk) << "the program must load; init is under test";
  AlignedBytes arena(loaded.program().arena_bytes());
  rt::Executor executor;
  const Error error = executor.init(loaded.program(), arena.data(), arena.size());
  // After a failed init nothing runs and nothing is handed out.
  if (error != Error::kOk) {
    rt::TensorRef ref;
    EXPECT_EQ(executor.execute(), Error::kNotReady);
    EXPECT_EQ(executor.input(0, &ref), Error::kNotReady);
    EXPECT_EQ(executor.output(0, &ref), Error::kNotReady);
  }
  return {error, executor.failed_operator(), executor.kernel_status()};
}

#define EXPECT_KERNEL_REJECTS(spec, op, kernel_status)                    \
  do {                                                                    \
    const KernelRejection r = init_error(spec);                           \
    EXPECT_EQ(r.error, Error::kKernelRejected);                           \
    EXPECT_EQ(r.failed_operator, op);                                     \
    EXPECT_EQ(r.status, kernel_status) << kernels::status_name(r.status); \
  } while (0)

TEST(RuntimeExecutorKernelChecks, ConvPaddingInconsistentWithOutputShape) {
  // 4x4 input, 3x3 filter, stride 1: a 2x2 output means no padding; padding 1 would give 4x4.
  ProgramSpec spec = conv_chain_program();
  ConvSpec s = ConvChain::conv();
  s.pad_h = s.pad_w = 1;
  spec.operators[1].params = conv2d(s);
  EXPECT_KERNEL_REJECTS(spec, 1, kernels::Status::kBadShape);
}

TEST(RuntimeExecutorKernelChecks, ConvStrideInconsistentWithOutputShape) {
  ProgramSpec spec = conv_chain_program();
  ConvSpec s = ConvChain::conv();
  s.stride_h = 4;  // rows 0 and 4 of a 4-row input: the second window is all padding
  spec.operators[1].params = conv2d(s);
  EXPECT_KERNEL_REJECTS(spec, 1, kernels::Status::kBadShape);
}

TEST(RuntimeExecutorKernelChecks, ConvBadRequantizationShift) {
  ProgramSpec spec = conv_chain_program();
  ConvSpec s = ConvChain::conv();
  s.shifts[2] = 31;
  spec.operators[1].params = conv2d(s);
  EXPECT_KERNEL_REJECTS(spec, 1, kernels::Status::kBadParam);
}

TEST(RuntimeExecutorKernelChecks, ScratchSmallerThanTheKernelNeeds) {
  ProgramSpec spec = transpose_conv_program();
  ASSERT_EQ(spec.operators[0].scratch_bytes, transpose_conv_scratch_bytes());
  ASSERT_GE(spec.operators[0].scratch_bytes, 16);  // one row of 4 int32 accumulators at least
  spec.operators[0].scratch_bytes -= 4;
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kScratchTooSmall);
  spec.operators[0].scratch_offset = -1;
  spec.operators[0].scratch_bytes = 0;  // none at all
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kScratchTooSmall);
}

TEST(RuntimeExecutorKernelChecks, ScratchMisalignedForInt32Accumulators) {
  ProgramSpec spec = transpose_conv_program();
  spec.arena_bytes += 16;
  spec.operators[0].scratch_offset += 2;
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kBadParam);
}

TEST(RuntimeExecutorKernelChecks, QuantizeWithoutAScale) {
  ProgramSpec spec = conv_chain_program();
  spec.tensors[1].scale = 0.0f;  // xq, the quantize output
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kBadParam);
}

TEST(RuntimeExecutorKernelChecks, ConvOutputZeroPointOutOfInt8) {
  ProgramSpec spec = conv_chain_program();
  spec.tensors[4].zero_point = 128;  // y, the conv's output
  EXPECT_KERNEL_REJECTS(spec, 1, kernels::Status::kBadParam);
}

TEST(RuntimeExecutorKernelChecks, AddLeftShiftOutOfRange) {
  ProgramSpec spec = add_program();
  AddSpec s;
  s.left_shift = 23;
  spec.operators[0].params = add(s);
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kBadParam);
}

TEST(RuntimeExecutorKernelChecks, AddShapesThatDoNotBroadcast) {
  ProgramSpec spec = add_program();
  spec.tensors[1].shape = {3};
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kBadShape);
}

TEST(RuntimeExecutorKernelChecks, AddActivationRangeInverted) {
  ProgramSpec spec = add_program();
  AddSpec s;
  s.activation_min = 10;
  s.activation_max = 9;
  spec.operators[0].params = add(s);
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kBadParam);
}

TEST(RuntimeExecutorKernelChecks, PadValueOutsideInt8) {
  ProgramSpec spec;
  const int32_t x = spec.arena_tensor("x", fb::DType::Int8, {1, 2}, 0);
  const int32_t y = spec.arena_tensor("y", fb::DType::Int8, {1, 4}, 16, 1.0f, 200);
  spec.add_operator({pad({0, 1, 0, 1}), {x}, {y}});
  spec.arena_bytes = 32;
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kBadParam);
}

TEST(RuntimeExecutorKernelChecks, SoftmaxRowTooLong) {
  ProgramSpec spec;
  const int32_t x = spec.arena_tensor("x", fb::DType::Int8, {4096}, 0);
  const int32_t y = spec.arena_tensor("y", fb::DType::Int8, {4096}, 4096, 1.0f / 256, -128);
  spec.add_operator({softmax(), {x}, {y}});
  spec.arena_bytes = 8192;
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kUnsupported);
}

TEST(RuntimeExecutorKernelChecks, PoolPaddingBeyondTheWindow) {
  ProgramSpec spec;
  const int32_t x = spec.arena_tensor("x", fb::DType::Int8, {1, 2, 2, 1}, 0);
  const int32_t y = spec.arena_tensor("y", fb::DType::Int8, {1, 1, 1, 1}, 16);
  spec.add_operator({max_pool2d({2, 2, 1, 1, 2, 0}), {x}, {y}});  // pad_h 2 >= kernel_h
  spec.arena_bytes = 32;
  EXPECT_KERNEL_REJECTS(spec, 0, kernels::Status::kBadParam);
}

// ---------------------------------------------------------------------------------------------
// Inputs and outputs

TEST(RuntimeExecutorTensors, BeforeInitNothingIsReady) {
  rt::Executor executor;
  rt::TensorRef ref;
  EXPECT_EQ(executor.input(0, &ref), Error::kNotReady);
  EXPECT_EQ(executor.output(0, &ref), Error::kNotReady);
  EXPECT_EQ(executor.execute(), Error::kNotReady);
  EXPECT_STREQ(executor.operator_name(0), "");
  EXPECT_STREQ(executor.operator_kind(0), "");
}

TEST(RuntimeExecutorTensors, IndexChecks) {
  Loaded loaded(add_program());
  AlignedBytes arena(48);
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  rt::TensorRef ref;
  EXPECT_EQ(executor.input(0, nullptr), Error::kNullArgument);
  EXPECT_EQ(executor.output(0, nullptr), Error::kNullArgument);
  EXPECT_EQ(executor.input(-1, &ref), Error::kBadIndex);
  EXPECT_EQ(executor.input(2, &ref), Error::kBadIndex);
  EXPECT_EQ(executor.input(INT32_MIN, &ref), Error::kBadIndex);
  EXPECT_EQ(executor.output(1, &ref), Error::kBadIndex);
  EXPECT_EQ(executor.output(-1, &ref), Error::kBadIndex);
  EXPECT_EQ(executor.input(1, &ref), Error::kOk);
  EXPECT_EQ(executor.output(0, &ref), Error::kOk);
}

TEST(RuntimeExecutorTensors, TensorRefDescribesTheTensor) {
  Loaded loaded(conv_chain_program());
  AlignedBytes arena(loaded.program().arena_bytes());
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  rt::TensorRef in;
  ASSERT_EQ(executor.input(0, &in), Error::kOk);
  EXPECT_STREQ(in.name, "x");
  EXPECT_EQ(in.dtype, rt::DType::kFloat32);
  EXPECT_EQ(in.rank, 4);
  EXPECT_EQ(std::vector<int32_t>(in.dims, in.dims + in.rank), (std::vector<int32_t>{1, 4, 4, 2}));
  EXPECT_EQ(in.data, arena.data());
  EXPECT_EQ(in.bytes, 128u);
  EXPECT_EQ(in.scale, 0.0f);
  EXPECT_EQ(in.zero_point, 0);

  Loaded add_loaded(add_program());
  ASSERT_EQ(executor.init(add_loaded.program(), arena.data(), arena.size()), Error::kOk);
  rt::TensorRef b, out;
  ASSERT_EQ(executor.input(1, &b), Error::kOk);
  EXPECT_STREQ(b.name, "b");
  EXPECT_EQ(b.dtype, rt::DType::kInt8);
  EXPECT_EQ(b.data, arena.data() + 16);
  EXPECT_EQ(b.scale, 1.0f);
  EXPECT_EQ(b.zero_point, -2);
  ASSERT_EQ(executor.output(0, &out), Error::kOk);
  EXPECT_STREQ(out.name, "out");
  EXPECT_EQ(out.rank, 1);
  EXPECT_EQ(out.dims[0], 4);
  EXPECT_EQ(out.data, arena.data() + 32);
  EXPECT_EQ(out.bytes, 4u);
  EXPECT_EQ(out.scale, 2.0f);
  EXPECT_EQ(out.zero_point, 5);
  EXPECT_STREQ(executor.operator_name(0), "add");
  EXPECT_STREQ(executor.operator_kind(0), "Add");
  EXPECT_STREQ(executor.operator_name(1), "");
  EXPECT_STREQ(executor.operator_kind(-1), "");
}

TEST(RuntimeExecutorTensors, ScalarAndNamelessTensors) {
  ProgramSpec spec = add_program();
  spec.names = false;
  spec.tensors[1].shape = {};
  Loaded loaded(spec);
  ASSERT_EQ(loaded.error(), Error::kOk);
  AlignedBytes arena(48);
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  rt::TensorRef b;
  ASSERT_EQ(executor.input(1, &b), Error::kOk);
  EXPECT_EQ(b.name, nullptr);
  EXPECT_EQ(b.rank, 0);
  EXPECT_EQ(b.bytes, 1u);
  EXPECT_STREQ(executor.operator_name(0), "");
  EXPECT_STREQ(executor.operator_kind(0), "Add");
}

// ---------------------------------------------------------------------------------------------
// Execution

// out = clamp(round_half_away((a - 3 + b + 2) / 2) + 5, -128, 100) (add_program's comment):
//   10, 1:     (7 + 3) / 2 = 5            -> 10
//   4, 0:      (1 + 2) / 2 = 1.5 -> 2     -> 7
//   0, -8:     (-3 - 6) / 2 = -4.5 -> -5  -> 0
//   127, 127:  (124 + 129) / 2 = 126.5 -> 127 -> 132 -> clamped to 100
TEST(RuntimeExecutorRun, AddMatchesHandComputedRequantization) {
  Loaded loaded(add_program());
  AlignedBytes arena(48);
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  set_input<int8_t>(executor, 0, {10, 4, 0, 127});
  set_input<int8_t>(executor, 1, {1, 0, -8, 127});
  ASSERT_EQ(executor.execute(), Error::kOk);
  EXPECT_EQ(get_output<int8_t>(executor, 0), (std::vector<int8_t>{10, 7, 0, 100}));
}

// b as a scalar broadcast over a: out = round_half_away(a / 2) + 5 with b = 1.
TEST(RuntimeExecutorRun, AddBroadcastsAScalar) {
  ProgramSpec spec = add_program();
  spec.tensors[1].shape = {};
  Loaded loaded(spec);
  AlignedBytes arena(48);
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  set_input<int8_t>(executor, 0, {10, 4, 0, 127});
  set_input<int8_t>(executor, 1, {1});
  ASSERT_EQ(executor.execute(), Error::kOk);
  EXPECT_EQ(get_output<int8_t>(executor, 0), (std::vector<int8_t>{10, 7, 5, 69}));
}

TEST(RuntimeExecutorRun, InPlaceAddOverwritesItsInputWithTheSameResult) {
  ProgramSpec spec = add_program();
  spec.tensors[2].arena_offset = 0;  // out over a
  Loaded loaded(spec);
  ASSERT_EQ(loaded.error(), Error::kOk);
  AlignedBytes arena(48);
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  set_input<int8_t>(executor, 0, {10, 4, 0, 127});
  set_input<int8_t>(executor, 1, {1, 0, -8, 127});
  ASSERT_EQ(executor.execute(), Error::kOk);
  EXPECT_EQ(get_output<int8_t>(executor, 0), (std::vector<int8_t>{10, 7, 0, 100}));
  EXPECT_EQ(std::vector<int8_t>(arena.begin(), arena.begin() + 4),
            (std::vector<int8_t>{10, 7, 0, 100}));
}

std::vector<float> conv_chain_input() {
  std::vector<float> x;
  for (int32_t i = 0; i < 32; ++i) x.push_back(static_cast<float>((i * 11) % 17 - 8) * 0.037f);
  return x;
}

// The same three kernels called directly on buffers of the test's own.
std::vector<float> conv_chain_by_kernels(const std::vector<float>& x) {
  std::vector<int8_t> xq(32), y(12), scratch(static_cast<size_t>(ConvChain::scratch_bytes()));
  std::vector<float> out(12);
  EXPECT_EQ(kernels::quantize_f32_s8({ConvChain::kInputScale, ConvChain::kInputZeroPoint}, 32,
                                     {x.data(), x.size()}, {xq.data(), xq.size()}),
            kernels::Status::kOk);
  kernels::Conv2dParams params{};
  params.input_offset = -ConvChain::kInputZeroPoint;
  params.output_offset = ConvChain::kOutputZeroPoint;
  const ConvSpec s = ConvChain::conv();
  const std::vector<int8_t> w = ConvChain::weights();
  const std::vector<int32_t> bias = ConvChain::bias();
  EXPECT_EQ(kernels::conv2d_s8(params, {{s.multipliers.data(), 3}, {s.shifts.data(), 3}},
                               {1, 4, 4, 2}, {xq.data(), xq.size()}, {3, 3, 3, 2},
                               {w.data(), w.size()}, {bias.data(), bias.size()}, {1, 2, 2, 3},
                               {y.data(), y.size()}, {scratch.data(), scratch.size()}),
            kernels::Status::kOk);
  EXPECT_EQ(kernels::dequantize_s8_f32({ConvChain::kOutputScale, ConvChain::kOutputZeroPoint}, 12,
                                       {y.data(), y.size()}, {out.data(), out.size()}),
            kernels::Status::kOk);
  return out;
}

TEST(RuntimeExecutorRun, ConvChainMatchesTheKernelsCalledDirectly) {
  Loaded loaded(conv_chain_program());
  AlignedBytes arena(loaded.program().arena_bytes());
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  const std::vector<float> x = conv_chain_input();
  set_input(executor, 0, x);
  ASSERT_EQ(executor.execute(), Error::kOk);
  const std::vector<float> got = get_output<float>(executor, 0);
  const std::vector<float> want = conv_chain_by_kernels(x);
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0);
  // Not a degenerate comparison: the outputs differ from each other.
  EXPECT_NE(want[0], want[1]);
}

TEST(RuntimeExecutorRun, TransposeConvWithScratchMatchesTheKernel) {
  Loaded loaded(transpose_conv_program());
  AlignedBytes arena(loaded.program().arena_bytes());
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  const std::vector<int8_t> x = {3, -2, 5, 1};
  set_input(executor, 0, x);
  ASSERT_EQ(executor.execute(), Error::kOk);
  const std::vector<int8_t> w = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<int32_t> bias = {3};
  const std::vector<int32_t> multiplier = {1 << 30}, shift = {0};
  std::vector<int8_t> want(16);
  AlignedBytes scratch(static_cast<size_t>(transpose_conv_scratch_bytes()));
  ASSERT_EQ(kernels::transpose_conv2d_s8(
                {}, {{multiplier.data(), 1}, {shift.data(), 1}}, {1, 2, 2, 1}, {x.data(), 4},
                {1, 3, 3, 1}, {w.data(), 9}, {bias.data(), 1}, {1, 4, 4, 1}, {want.data(), 16},
                {reinterpret_cast<int8_t*>(scratch.data()), scratch.size()}),
            kernels::Status::kOk);
  EXPECT_EQ(get_output<int8_t>(executor, 0), want);
  // By hand, the corner: out[0][0] = (x[0] * w[0] + bias) / 2 = (3 + 3) / 2 = 3.
  EXPECT_EQ(want[0], 3);
}

struct HookLog {
  std::vector<std::pair<char, int32_t>> events;
};

TEST(RuntimeExecutorRun, HookIsCalledAroundEveryOperatorInOrder) {
  Loaded loaded(conv_chain_program());
  AlignedBytes arena(loaded.program().arena_bytes());
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  set_input(executor, 0, conv_chain_input());
  HookLog log;
  rt::OperatorHook hook;
  hook.before = [](void* context, int32_t index) {
    static_cast<HookLog*>(context)->events.push_back({'b', index});
  };
  hook.after = [](void* context, int32_t index) {
    static_cast<HookLog*>(context)->events.push_back({'a', index});
  };
  hook.context = &log;
  ASSERT_EQ(executor.execute(&hook), Error::kOk);
  const std::vector<std::pair<char, int32_t>> expected = {{'b', 0}, {'a', 0}, {'b', 1},
                                                          {'a', 1}, {'b', 2}, {'a', 2}};
  EXPECT_EQ(log.events, expected);
  // Half a hook is fine too.
  log.events.clear();
  hook.after = nullptr;
  ASSERT_EQ(executor.execute(&hook), Error::kOk);
  EXPECT_EQ(log.events, (std::vector<std::pair<char, int32_t>>{{'b', 0}, {'b', 1}, {'b', 2}}));
}

TEST(RuntimeExecutorRun, InitRunsNoHookAndExecuteTwiceGivesTheSameResult) {
  Loaded loaded(conv_chain_program());
  AlignedBytes arena(loaded.program().arena_bytes());
  rt::Executor executor;
  ASSERT_EQ(executor.init(loaded.program(), arena.data(), arena.size()), Error::kOk);
  set_input(executor, 0, conv_chain_input());
  ASSERT_EQ(executor.execute(), Error::kOk);
  const std::vector<float> first = get_output<float>(executor, 0);
  ASSERT_EQ(executor.execute(), Error::kOk);
  const std::vector<float> second = get_output<float>(executor, 0);
  EXPECT_EQ(std::memcmp(first.data(), second.data(), first.size() * sizeof(float)), 0);
}

// The arena sits between guard bytes in one allocation: init and execute leave them alone, and
// write only inside the outputs and scratch of the operators.
TEST(RuntimeExecutorRun, NothingOutsideTheArenaIsWritten) {
  constexpr size_t kGuard = 64;
  constexpr uint8_t kPattern = 0xA5;
  for (const ProgramSpec& spec : {conv_chain_program(), transpose_conv_program(), add_program()}) {
    Loaded loaded(spec);
    const size_t arena_bytes = loaded.program().arena_bytes();
    AlignedBytes memory(kGuard + arena_bytes + kGuard, kPattern);
    uint8_t* arena = memory.data() + kGuard;
    rt::Executor executor;
    ASSERT_EQ(executor.init(loaded.program(), arena, arena_bytes), Error::kOk);
    for (size_t i = 0; i < memory.size(); ++i) {
      ASSERT_EQ(memory[i], kPattern) << "init wrote byte " << i;  // init writes nothing at all
    }
    ASSERT_EQ(executor.execute(), Error::kOk);
    for (size_t i = 0; i < kGuard; ++i) {
      ASSERT_EQ(memory[i], kPattern) << "guard byte " << i << " before the arena";
      ASSERT_EQ(memory[kGuard + arena_bytes + i], kPattern) << "guard byte " << i << " after";
    }
    // Bytes no operator writes (graph inputs, gaps) are untouched inside the arena too.
    std::vector<bool> written(arena_bytes, false);
    const auto& fbp = loaded.program().flatbuffer();
    for (const fb::Operator* op : *fbp.operators()) {
      const fb::Tensor* out = fbp.tensors()->Get(static_cast<uint32_t>(op->outputs()->Get(0)));
      int64_t bytes = out->dtype() == fb::DType::Int8 ? 1 : 4;
      for (int32_t d : *out->shape()) bytes *= d;
      for (int64_t i = 0; i < bytes; ++i)
        written[static_cast<size_t>(out->arena_offset() + i)] = true;
      for (int32_t i = 0; i < op->scratch_bytes(); ++i) {
        written[static_cast<size_t>(op->scratch_offset() + i)] = true;
      }
    }
    for (size_t i = 0; i < arena_bytes; ++i) {
      if (!written[i]) {
        EXPECT_EQ(arena[i], kPattern) << "arena byte " << i;
      }
    }
  }
}

}  // namespace
