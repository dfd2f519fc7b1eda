// SPDX-License-Identifier: Apache-2.0
// Programs the emitter writes from a real lowered graph (the Tester's flow on a small model):
// they load, their placement is what the format promises (arena tensors inside arena_bytes,
// constants 16-byte aligned, names present), the name-less variant is smaller and computes the
// same bytes, and no truncation or single-byte corruption of them crashes the runtime.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "emit/program_emitter.h"
#include "ir/graph.h"
#include "ir/op_registry.h"
#include "runtime_test_support.h"
#include "testing/tester.h"
#include "tinyexec/runtime/executor.h"
#include "tinyexec/runtime/program.h"

namespace {

namespace ir = tinyexec::ir;
namespace rt = tinyexec::runtime;
using rt::Error;
using tinyexec::testing::Sample;
using tinyexec::testing::Tester;
using namespace tinyexec::runtime_test;  // NOLINT: the test builder's vocabulary

// Deterministic pseudo-random floats in [low, high).
class Numbers {
 public:
  explicit Numbers(uint32_t seed) : state_(seed) {}
  std::vector<float> floats(int64_t count, float low, float high) {
    std::vector<float> values;
    for (int64_t i = 0; i < count; ++i) {
      state_ = state_ * 1664525u + 1013904223u;
      values.push_back(low + (high - low) * static_cast<float>(state_ >> 8) /
                                 static_cast<float>(1u << 24));
    }
    return values;
  }

 private:
  uint32_t state_;
};

ir::Value* add_op(ir::Graph& graph, const std::string& op, std::vector<ir::Value*> inputs,
                  ir::Attributes attrs = {}) {
  const std::string name = op.substr(op.find('.') + 1) + std::to_string(graph.nodes().size());
  ir::Value* out = graph.add_value(name + "_out", ir::DType::kFloat32, {});
  ir::Node* node = graph.add_node(op, std::move(inputs), {out}, std::move(attrs), name);
  const std::vector<ir::OutputType> types = ir::infer_node(*node);
  out->dtype = types[0].dtype;
  out->shape = types[0].shape;
  return out;
}

ir::Value* constant(ir::Graph& graph, Numbers& numbers, const std::string& name, ir::Shape shape,
                    float range) {
  const int64_t count = ir::shape_numel(shape);
  return graph.add_constant(name,
                            ir::Tensor::from<float>(shape, numbers.floats(count, -range, range)));
}

// x [1,3,6,6] -> Conv 3x3 (4 channels, padded) -> Relu -> MaxPool 2x2 -> Add (a second conv)
// -> Flatten -> Gemm (5) -> Softmax.
ir::Graph small_model() {
  ir::Graph graph;
  Numbers numbers(11);
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {1, 3, 6, 6});
  graph.inputs().push_back(x);
  ir::Attributes conv_attrs;
  conv_attrs.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  ir::Value* c = add_op(graph, "onnx.Conv",
                        {x, constant(graph, numbers, "w1", {4, 3, 3, 3}, 0.5f),
                         constant(graph, numbers, "b1", {4}, 0.2f)},
                        conv_attrs);
  ir::Value* r = add_op(graph, "onnx.Relu", {c});
  ir::Attributes pool;
  pool.set("kernel_shape", std::vector<int64_t>{2, 2});
  pool.set("strides", std::vector<int64_t>{2, 2});
  ir::Value* p = add_op(graph, "onnx.MaxPool", {r}, pool);
  ir::Value* q = add_op(graph, "onnx.Conv",
                        {p, constant(graph, numbers, "w2", {4, 4, 1, 1}, 0.5f),
                         constant(graph, numbers, "b2", {4}, 0.2f)});
  ir::Value* s = add_op(graph, "onnx.Add", {p, q});
  ir::Attributes flatten;
  flatten.set("axis", int64_t{1});
  ir::Value* f = add_op(graph, "onnx.Flatten", {s}, flatten);
  ir::Attributes gemm;
  gemm.set("transB", int64_t{1});
  ir::Value* g = add_op(
      graph, "onnx.Gemm",
      {f, constant(graph, numbers, "w3", {5, 36}, 0.3f), constant(graph, numbers, "b3", {5}, 0.1f)},
      gemm);
  graph.outputs().push_back(add_op(graph, "onnx.Softmax", {g}));
  return graph;
}

std::vector<Sample> samples(int count, uint32_t seed) {
  Numbers numbers(seed);
  std::vector<Sample> result;
  for (int i = 0; i < count; ++i) {
    result.push_back({ir::Tensor::from<float>({1, 3, 6, 6}, numbers.floats(108, -1.0f, 1.0f))});
  }
  return result;
}

// The lowered small model, once for all tests (quantization and lowering take a moment).
const Tester& lowered_tester() {
  static Tester* tester = [] {
    auto* t = new Tester(small_model(), samples(16, 1));
    t->quantize().export_().to_edge().run_passes();
    return t;
  }();
  return *tester;
}

AlignedBytes emitted(bool names) {
  tinyexec::emit::EmitOptions options;
  options.names = names;
  const tinyexec::emit::Program program =
      tinyexec::emit::emit_program(lowered_tester().lowered_graph(), options);
  return aligned_copy(program.bytes);
}

// Runs the program on one sample; returns the raw bytes of every output.
std::vector<std::vector<uint8_t>> run(const AlignedBytes& bytes, const Sample& sample) {
  rt::Program program;
  EXPECT_EQ(program.load(bytes.data(), bytes.size()), Error::kOk);
  AlignedBytes arena(program.arena_bytes());
  rt::Executor executor;
  EXPECT_EQ(executor.init(program, arena.data(), arena.size()), Error::kOk);
  for (size_t i = 0; i < sample.size(); ++i) {
    rt::TensorRef in;
    EXPECT_EQ(executor.input(static_cast<int32_t>(i), &in), Error::kOk);
    EXPECT_EQ(in.bytes, sample[i].bytes().size());
    std::memcpy(in.data, sample[i].bytes().data(), in.bytes);
  }
  EXPECT_EQ(executor.execute(), Error::kOk);
  std::vector<std::vector<uint8_t>> outputs;
  for (int32_t i = 0; i < program.num_outputs(); ++i) {
    rt::TensorRef out;
    EXPECT_EQ(executor.output(i, &out), Error::kOk);
    const auto* data = static_cast<const uint8_t*>(out.data);
    outputs.emplace_back(data, data + out.bytes);
  }
  return outputs;
}

TEST(RuntimeEmittedProgram, LowersCompletely) {
  EXPECT_TRUE(lowered_tester().lowering_report().float_nodes.empty())
      << lowered_tester().lowering_report().to_string();
}

TEST(RuntimeEmittedProgram, LoadsWithEveryTensorInPlace) {
  const AlignedBytes bytes = emitted(/*names=*/true);
  rt::Program program;
  ASSERT_EQ(program.load(bytes.data(), bytes.size()), Error::kOk);
  const fb::Program& root = program.flatbuffer();
  const ir::Graph& graph = lowered_tester().lowered_graph();
  EXPECT_EQ(program.num_operators(), static_cast<int32_t>(graph.nodes().size()));
  EXPECT_EQ(program.num_inputs(), 1);
  EXPECT_EQ(program.num_outputs(), 1);
  ASSERT_NE(root.constants(), nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(root.constants()->data()) % 16, 0u);
  int arena_tensors = 0, constant_tensors = 0;
  for (const fb::Tensor* tensor : *root.tensors()) {
    ASSERT_NE(tensor->name(), nullptr);
    EXPECT_GT(tensor->name()->size(), 0u);
    int64_t bytes = tensor->dtype() == fb::DType::Int8 ? 1 : 4;
    if (tensor->shape() != nullptr) {
      for (int32_t d : *tensor->shape()) bytes *= d;
    }
    if (tensor->arena_offset() >= 0) {
      ++arena_tensors;
      EXPECT_EQ(tensor->constant_offset(), -1) << tensor->name()->str();
      EXPECT_LE(tensor->arena_offset() + bytes, int64_t{root.arena_bytes()})
          << tensor->name()->str();
    } else {
      ++constant_tensors;
      EXPECT_EQ(tensor->constant_offset() % 16, 0) << tensor->name()->str();
      EXPECT_LE(tensor->constant_offset() + bytes, int64_t{root.constants()->size()})
          << tensor->name()->str();
    }
  }
  EXPECT_GT(arena_tensors, 0);
  EXPECT_GT(constant_tensors, 0);
  for (const fb::Operator* op : *root.operators()) {
    ASSERT_NE(op->name(), nullptr);
    EXPECT_GT(op->name()->size(), 0u);
    if (op->scratch_bytes() > 0) {
      EXPECT_LE(int64_t{op->scratch_offset()} + op->scratch_bytes(), int64_t{root.arena_bytes()});
    }
  }
}

TEST(RuntimeEmittedProgram, MatchesTheHostInt8Reference) {
  Tester tester(small_model(), samples(16, 1));
  tester.quantize().export_().to_edge().run_passes().to_program();
  EXPECT_NO_THROW(tester.test_implementation("host", samples(3, 2)));
}

TEST(RuntimeEmittedProgram, WithoutNamesIsSmallerAndComputesTheSameBytes) {
  const AlignedBytes named = emitted(true);
  const AlignedBytes nameless = emitted(false);
  EXPECT_LT(nameless.size(), named.size());
  rt::Program program;
  ASSERT_EQ(program.load(nameless.data(), nameless.size()), Error::kOk);
  for (const fb::Tensor* tensor : *program.flatbuffer().tensors()) {
    EXPECT_EQ(tensor->name(), nullptr);
  }
  for (const fb::Operator* op : *program.flatbuffer().operators()) {
    EXPECT_EQ(op->name(), nullptr);
  }
  for (const Sample& sample : samples(4, 3)) {
    const auto with_names = run(named, sample);
    const auto without_names = run(nameless, sample);
    EXPECT_EQ(with_names, without_names);
    ASSERT_EQ(with_names.size(), 1u);
    EXPECT_EQ(with_names[0].size(), 5 * sizeof(float));  // 5 classes, dequantized
  }
}

TEST(RuntimeEmittedProgram, EveryTruncationIsMalformed) {
  EXPECT_TRUE(EveryTruncationIsRejected(emitted(false)));
  EXPECT_TRUE(EveryTruncationIsRejected(emitted(true)));
}

// Single-byte corruptions never crash load, init or execute (AddressSanitizer is the judge);
// whatever still loads runs on an arena of exactly its declared size.
TEST(RuntimeEmittedProgram, SingleByteCorruptionsNeverCrash) {
  const AlignedBytes original = emitted(false);
  const Sample sample = samples(1, 5)[0];
  int loaded = 0;
  for (size_t i = 0; i < original.size(); ++i) {
    for (const uint8_t mask : {0x01, 0x80}) {
      AlignedBytes bytes = original;
      bytes[i] ^= mask;
      rt::Program program;
      if (program.load(bytes.data(), bytes.size()) != Error::kOk) continue;
      ++loaded;
      if (program.arena_bytes() > (1u << 20)) continue;
      AlignedBytes arena(program.arena_bytes() > 0 ? program.arena_bytes() : 1, 0);
      rt::Executor executor;
      if (executor.init(program, arena.data(), program.arena_bytes()) != Error::kOk) continue;
      rt::TensorRef in;
      if (executor.input(0, &in) == Error::kOk && in.bytes == sample[0].bytes().size()) {
        std::memcpy(in.data, sample[0].bytes().data(), in.bytes);
      }
      const Error error = executor.execute();
      EXPECT_TRUE(error == Error::kOk || error == Error::kKernelRejected) << rt::error_name(error);
    }
  }
  EXPECT_GT(loaded, 0);
}

}  // namespace
