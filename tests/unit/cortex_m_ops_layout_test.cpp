// SPDX-License-Identifier: Apache-2.0
// cortex_m.reshape / pad / transpose / concat, quantize / dequantize and lut: one-node graphs
// with hand-set quantization run through reference::run, compared with hand-computed values;
// error cases name the node.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "reference/interpreter.h"
#include "tinyexec/kernels/requant.h"

namespace {

namespace ir = tinyexec::ir;
namespace kernels = tinyexec::kernels;

// --- test helpers (kept in this file: one graph per node, hand-set quantization)

ir::QuantParams per_tensor(float scale, int32_t zero_point) {
  return {{scale}, {zero_point}, -1};
}
[[maybe_unused]] ir::QuantParams per_channel(std::vector<float> scales, int32_t axis) {
  return {scales, std::vector<int32_t>(scales.size(), 0), axis};
}
template <typename T>
ir::Tensor tensor(ir::Shape shape, std::vector<T> values) {
  return ir::Tensor::from<T>(std::move(shape), values);
}
ir::Tensor i8(ir::Shape shape, std::vector<int8_t> values) {
  return tensor(shape, values);
}
[[maybe_unused]] ir::Tensor i32(ir::Shape shape, std::vector<int32_t> values) {
  return tensor(shape, values);
}

// Deterministic pseudo-random int8 values in [lo, hi] (a small LCG).
[[maybe_unused]] ir::Tensor random_i8(ir::Shape shape, uint32_t seed, int lo = -128, int hi = 127) {
  std::vector<int8_t> values(static_cast<size_t>(ir::shape_numel(shape)));
  uint32_t state = seed * 2654435761u + 1u;
  for (int8_t& v : values) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<int8_t>(lo +
                            static_cast<int>((state >> 8) % static_cast<uint32_t>(hi - lo + 1)));
  }
  return i8(std::move(shape), values);
}

// One node input: a tensor (made a constant value) with optional quantization; nullopt for an
// omitted optional input.
struct Arg {
  ir::Tensor tensor;
  std::optional<ir::QuantParams> quant;
};
using Args = std::vector<std::optional<Arg>>;

struct OneNode {
  ir::Graph graph;
  ir::Node* node = nullptr;
  OneNode(const std::string& op, const Args& args, std::optional<ir::QuantParams> out_quant,
          ir::Attributes attrs) {
    std::vector<ir::Value*> inputs;
    for (size_t i = 0; i < args.size(); ++i) {
      if (!args[i]) {
        inputs.push_back(nullptr);
        continue;
      }
      ir::Value* value = graph.add_constant("in" + std::to_string(i), args[i]->tensor);
      value->quant = args[i]->quant;
      inputs.push_back(value);
    }
    ir::Value* out = graph.add_value("out", ir::DType::kInt8, {});
    out->quant = std::move(out_quant);
    graph.outputs().push_back(out);
    node = graph.add_node(op, inputs, {out}, std::move(attrs), "n0");
  }
};

// Shape rule, verify, then the reference interpreter.
ir::Tensor run(const std::string& op, const Args& args, std::optional<ir::QuantParams> out_quant,
               ir::Attributes attrs) {
  OneNode one(op, args, std::move(out_quant), std::move(attrs));
  ir::infer_shapes(one.graph);
  ir::verify(one.graph);
  return tinyexec::reference::run(one.graph, {}).at(0);
}

[[maybe_unused]] int64_t macs(const std::string& op, const Args& args,
                              std::optional<ir::QuantParams> out_quant, ir::Attributes attrs) {
  OneNode one(op, args, std::move(out_quant), std::move(attrs));
  ir::infer_shapes(one.graph);
  return ir::OpRegistry::instance().get(*one.node).macs(*one.node);
}

// Expects running the node to throw a CompileError naming it and containing `fragment`.
void expect_error(const std::string& op, const Args& args, std::optional<ir::QuantParams> out_quant,
                  ir::Attributes attrs, const std::string& fragment) {
  try {
    run(op, args, std::move(out_quant), std::move(attrs));
    ADD_FAILURE() << op << " accepted an invalid node";
  } catch (const tinyexec::CompileError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("node 'n0' (" + op + ")"), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

std::vector<int8_t> values_of(const ir::Tensor& t) {
  const auto data = t.data<int8_t>();
  return {data.begin(), data.end()};
}

// TFLite-style multiplier / shift of a real scale (what the params pass computes).
[[maybe_unused]] std::pair<int64_t, int64_t> multiplier_of(double scale) {
  int32_t multiplier = 0;
  int32_t shift = 0;
  EXPECT_EQ(kernels::quantize_multiplier(scale, &multiplier, &shift), kernels::Status::kOk);
  return {multiplier, shift};
}

// Float result re-quantized: round half away from zero, plus zero point, clamped.
[[maybe_unused]] int quantize_ref(double real, const ir::QuantParams& q, int lo = -128,
                                  int hi = 127) {
  const long v = std::lround(real / q.scales[0]) + q.zero_points[0];
  return static_cast<int>(std::clamp<long>(v, lo, hi));
}
[[maybe_unused]] double dequant(int8_t q, float scale, int32_t zp) {
  return static_cast<double>(scale) * (static_cast<int>(q) - zp);
}

// Every element within one output quantum of the float reference.
[[maybe_unused]] void expect_within_one(const ir::Tensor& actual,
                                        const std::vector<int>& expected) {
  const auto a = actual.data<int8_t>();
  ASSERT_EQ(a.size(), expected.size());
  int exact = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_LE(std::abs(static_cast<int>(a[i]) - expected[i]), 1) << "at flat index " << i;
    exact += a[i] == expected[i];
  }
  // Nearly all should agree exactly; a few differ by rounding.
  EXPECT_GE(exact * 10, static_cast<int>(a.size()) * 8);
  // A meaningful case: the outputs are spread, not all saturated.
  EXPECT_GE(std::set<int>(expected.begin(), expected.end()).size(), 3u);
}

ir::Attributes attrs(std::initializer_list<std::pair<const std::string, ir::Attribute>> list) {
  ir::Attributes result;
  for (const auto& [name, value] : list) result.set(name, value);
  return result;
}
using Ints = std::vector<int64_t>;

const ir::QuantParams kQ = per_tensor(0.5f, -3);

TEST(CortexMReshape, SameBytesNewShape) {
  const ir::Tensor y = run("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ,
                           attrs({{"shape", Ints{3, 1, 2}}}));
  EXPECT_EQ(y.shape(), (ir::Shape{3, 1, 2}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{1, 2, 3, 4, 5, 6}));
  expect_error("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ,
               attrs({{"shape", Ints{4, 2}}}), "has 8 elements");
  expect_error("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ, {},
               "attribute 'shape' is missing");
  expect_error("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), std::nullopt}}, kQ,
               attrs({{"shape", Ints{6}}}), "has no quantization");
  expect_error("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, per_tensor(0.5f, 0),
               attrs({{"shape", Ints{6}}}), "must equal input 0's");
}

TEST(CortexMPad, OutputZeroPointFills) {
  // [2, 2] padded by one row before and one column after (ONNX order: begins, then ends).
  const ir::Tensor y = run("cortex_m.pad", {Arg{i8({2, 2}, {1, 2, 3, 4}), kQ}}, kQ,
                           attrs({{"pads", Ints{1, 0, 0, 1}}}));
  EXPECT_EQ(y.shape(), (ir::Shape{3, 3}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{-3, -3, -3, 1, 2, -3, 3, 4, -3}));
  expect_error("cortex_m.pad", {Arg{i8({2, 2}, {1, 2, 3, 4}), kQ}}, kQ,
               attrs({{"pads", Ints{1, 0}}}), "attribute 'pads' has 2 values, expected 4");
  expect_error("cortex_m.pad", {Arg{i8({2, 2}, {1, 2, 3, 4}), kQ}}, kQ,
               attrs({{"pads", Ints{1, 0, -1, 0}}}), "attribute 'pads'");
}

TEST(CortexMTranspose, Permutes) {
  const ir::Tensor y = run("cortex_m.transpose", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ,
                           attrs({{"perm", Ints{1, 0}}}));
  EXPECT_EQ(y.shape(), (ir::Shape{3, 2}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{1, 4, 2, 5, 3, 6}));
  // NCHW [1, 2, 1, 3] -> NHWC [1, 1, 3, 2].
  const ir::Tensor z = run("cortex_m.transpose", {Arg{i8({1, 2, 1, 3}, {1, 2, 3, 4, 5, 6}), kQ}},
                           kQ, attrs({{"perm", Ints{0, 2, 3, 1}}}));
  EXPECT_EQ(z.shape(), (ir::Shape{1, 1, 3, 2}));
  EXPECT_EQ(values_of(z), (std::vector<int8_t>{1, 4, 2, 5, 3, 6}));
  expect_error("cortex_m.transpose", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ,
               attrs({{"perm", Ints{0, 0}}}), "not a permutation");
}

TEST(CortexMConcat, AlongAxis) {
  const Args args = {Arg{i8({2, 1}, {1, 2}), kQ}, Arg{i8({2, 2}, {3, 4, 5, 6}), kQ}};
  const ir::Tensor y = run("cortex_m.concat", args, kQ, attrs({{"axis", int64_t{-1}}}));
  EXPECT_EQ(y.shape(), (ir::Shape{2, 3}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{1, 3, 4, 2, 5, 6}));
  expect_error("cortex_m.concat", args, kQ, attrs({{"axis", int64_t{0}}}), "must match input 0's");
  expect_error("cortex_m.concat", {args[0], Arg{args[1]->tensor, per_tensor(0.25f, -3)}}, kQ,
               attrs({{"axis", int64_t{1}}}), "must equal input 0's");
  expect_error("cortex_m.concat", args, kQ, {}, "attribute 'axis' is missing");
}

TEST(CortexMQuantize, RoundsHalfAwayFromZeroAndSaturates) {
  // x / 0.5 + 1: 0.25 -> 0.5 rounds to 1 (away from zero) -> 2; -1.26 -> -2.52 -> -3 -> -2;
  // -0.25 -> -1 + 1 = 0; 100 saturates.
  OneNode one("cortex_m.quantize",
              {Arg{tensor<float>({4}, {0.25f, -1.26f, -0.25f, 100.0f}), std::nullopt}},
              per_tensor(0.5f, 1), {});
  ir::infer_shapes(one.graph);
  ir::verify(one.graph);
  const ir::Tensor y = tinyexec::reference::run(one.graph, {}).at(0);
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{2, -2, 0, 127}));
  expect_error("cortex_m.quantize", {Arg{i8({1}, {1}), std::nullopt}}, per_tensor(0.5f, 1), {},
               "is i8, it must be f32");
  expect_error("cortex_m.quantize", {Arg{tensor<float>({1}, {1.0f}), std::nullopt}}, std::nullopt,
               {}, "output 0 ('out') has no quantization");
}

TEST(CortexMDequantize, ScaleTimesOffset) {
  OneNode one("cortex_m.dequantize", {Arg{i8({3}, {2, -2, -128}), per_tensor(0.5f, 1)}},
              std::nullopt, {});
  ir::infer_shapes(one.graph);
  ir::verify(one.graph);
  const ir::Tensor y = tinyexec::reference::run(one.graph, {}).at(0);
  EXPECT_EQ(y, tensor<float>({3}, {0.5f, -1.5f, -64.5f}));
  expect_error("cortex_m.dequantize", {Arg{i8({3}, {2, -2, -128}), std::nullopt}}, std::nullopt, {},
               "input 0 ('in0') has no quantization");
}

TEST(CortexMLut, LooksUpByInputPlus128) {
  Ints table(256);
  for (int i = 0; i < 256; ++i) table[i] = 127 - i;  // y = -1 - x
  const ir::Tensor y = run("cortex_m.lut", {Arg{i8({4}, {-128, -1, 0, 127}), kQ}}, kQ,
                           attrs({{"function", std::string("negate")}, {"table", table}}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{127, 0, -1, -128}));
  expect_error("cortex_m.lut", {Arg{i8({1}, {0}), kQ}}, kQ,
               attrs({{"function", std::string("sigmoid")}}), "(params) attribute 'table'");
  expect_error("cortex_m.lut", {Arg{i8({1}, {0}), kQ}}, kQ,
               attrs({{"function", std::string("sigmoid")}, {"table", Ints{1, 2}}}),
               "has 2 values, expected 256");
  expect_error("cortex_m.lut", {Arg{i8({1}, {0}), kQ}}, kQ, attrs({{"table", table}}),
               "attribute 'function' is missing");
}

}  // namespace
