// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the cortex_m op tests: one-node graphs with hand-set quantization run through
// the reference interpreter, and the TFLite parameter formulas written out independently.
#pragma once

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

}  // namespace
