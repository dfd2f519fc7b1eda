// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the lowering tests (passes_lowering_*_test.cpp):
// - hand-built QDQ graphs (QdqBuilder) lowered directly, for structure and rejection checks;
// - float models (FloatBuilder) taken through the whole flow by the Tester (quantize on random
//   calibration data, export, to_edge, lower, params), for the dialect check and the numerics
//   of the lowered int8 graph against the QDQ reference, in output quantization steps.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/clone.h"
#include "ir/op_registry.h"
#include "passes/compute_kernel_params.h"
#include "passes/lower_to_cortex_m.h"
#include "reference/interpreter.h"
#include "testing/tester.h"

namespace tinyexec::lowering_test {

namespace ir = tinyexec::ir;
using passes::LoweringReport;
using testing::op_counts;

// Deterministic pseudo-random numbers for weights and inputs.
class Numbers {
 public:
  int next_int(int low, int high) {  // in [low, high]
    state_ = state_ * 1103515245u + 12345u;
    return low + static_cast<int>((state_ >> 8) % static_cast<uint32_t>(high - low + 1));
  }
  std::vector<int8_t> int8s(int64_t count, int limit = 127) {
    std::vector<int8_t> values;
    for (int64_t i = 0; i < count; ++i)
      values.push_back(static_cast<int8_t>(next_int(-limit, limit)));
    return values;
  }
  // In (-1, 1), off the multiples of 0.001: quantizing them with the tests' round scales
  // would hit exact ties, which ONNX rounds to even and the int8 kernels away from zero.
  std::vector<float> floats(int64_t count) {
    std::vector<float> values;
    for (int64_t i = 0; i < count; ++i) values.push_back(next_int(-999, 999) / 1000.0f + 0.00037f);
    return values;
  }

 private:
  uint32_t state_ = 12345u;
};

// Builds a QDQ graph as the quantizer produces it.
class QdqBuilder {
 public:
  ir::Graph graph;

  ir::Value* input(const std::string& name, ir::Shape shape) {
    ir::Value* value = graph.add_value(name, ir::DType::kFloat32, std::move(shape));
    graph.inputs().push_back(value);
    return value;
  }
  void output(ir::Value* value) { graph.outputs().push_back(value); }

  // A node with one output, typed by the op's shape rule.
  ir::Value* op(const std::string& op, std::vector<ir::Value*> inputs, ir::Attributes attrs = {},
                const std::string& name = {}) {
    ir::Value* out = graph.add_value(name.empty() ? "t" : name + "_out", ir::DType::kFloat32, {});
    ir::Node* node = graph.add_node(op, std::move(inputs), {out}, std::move(attrs), name);
    const std::vector<ir::OutputType> types = ir::infer_node(*node);
    out->dtype = types[0].dtype;
    out->shape = types[0].shape;
    return out;
  }

  // x -> QuantizeLinear -> DequantizeLinear (per tensor, int8).
  ir::Value* qdq(ir::Value* x, float scale, int zero_point) {
    return qdq(x, scale, zero_point, scale, zero_point);
  }
  // The same with the DequantizeLinear's parameters given apart (a broken pre-quantized model).
  ir::Value* qdq(ir::Value* x, float q_scale, int q_zero_point, float dq_scale, int dq_zero_point) {
    auto param = [&](float scale, int zero_point) {
      return std::pair{graph.add_constant("scale", ir::Tensor::scalar<float>(scale)),
                       graph.add_constant("zero_point", ir::Tensor::scalar<int8_t>(
                                                            static_cast<int8_t>(zero_point)))};
    };
    const auto [qs, qz] = param(q_scale, q_zero_point);
    const bool same = q_scale == dq_scale && q_zero_point == dq_zero_point;
    const auto [ds, dz] = same ? std::pair{qs, qz} : param(dq_scale, dq_zero_point);
    ir::Value* q = op("onnx.QuantizeLinear", {x, qs, qz}, {}, x->name + "_q");
    return op("onnx.DequantizeLinear", {q, ds, dz}, {}, x->name + "_dq");
  }

  // An int8 constant -> DequantizeLinear: per tensor (one scale) or per channel along `axis`.
  ir::Value* weight(const std::string& name, ir::Shape shape, const std::vector<int8_t>& data,
                    const std::vector<float>& scales, int64_t axis = 0) {
    ir::Value* w = graph.add_constant(name, ir::Tensor::from<int8_t>(shape, data));
    const int64_t n = static_cast<int64_t>(scales.size());
    ir::Value* s = n == 1
                       ? graph.add_constant(name + "_scale", ir::Tensor::scalar<float>(scales[0]))
                       : graph.add_constant(name + "_scale", ir::Tensor::from<float>({n}, scales));
    const std::vector<int8_t> zeros(scales.size(), 0);
    ir::Value* z = n == 1 ? graph.add_constant(name + "_zp", ir::Tensor::scalar<int8_t>(0))
                          : graph.add_constant(name + "_zp", ir::Tensor::from<int8_t>({n}, zeros));
    ir::Attributes attrs;
    if (n > 1) attrs.set("axis", axis);
    return op("onnx.DequantizeLinear", {w, s, z}, attrs, name + "_dq");
  }

  // An int32 bias constant -> DequantizeLinear with scales input_scale * weight_scales.
  ir::Value* bias(const std::string& name, const std::vector<int32_t>& data, float input_scale,
                  const std::vector<float>& weight_scales) {
    const int64_t n = static_cast<int64_t>(data.size());
    std::vector<float> scales;
    for (float s : weight_scales) scales.push_back(input_scale * s);
    ir::Value* b = graph.add_constant(name, ir::Tensor::from<int32_t>({n}, data));
    ir::Value* s = graph.add_constant(name + "_scale", ir::Tensor::from<float>({n}, scales));
    ir::Value* z = graph.add_constant(name + "_zp",
                                      ir::Tensor::from<int32_t>({n}, std::vector<int32_t>(n, 0)));
    ir::Attributes attrs;
    attrs.set("axis", int64_t{0});
    return op("onnx.DequantizeLinear", {b, s, z}, attrs, name + "_dq");
  }

  ir::Value* scalar(float value) {
    return graph.add_constant("c", ir::Tensor::scalar<float>(value));
  }
};

inline ir::Attributes ints_attrs(
    std::initializer_list<std::pair<const char*, std::vector<int64_t>>> list) {
  ir::Attributes attrs;
  for (const auto& [name, values] : list) attrs.set(name, values);
  return attrs;
}

inline const ir::Node* only_node(const ir::Graph& graph, const std::string& op) {
  const ir::Node* found = nullptr;
  for (const ir::Node* node : graph.nodes()) {
    if (node->op == op) {
      EXPECT_EQ(found, nullptr) << "more than one " << op;
      found = node;
    }
  }
  EXPECT_NE(found, nullptr) << "no " << op;
  return found;
}

inline std::vector<float> run_graph(const ir::Graph& graph, const std::vector<float>& input) {
  std::vector<ir::Tensor> inputs{ir::Tensor::from<float>(graph.inputs()[0]->shape, input)};
  const std::vector<ir::Tensor> outputs = reference::run(graph, inputs);
  const auto data = outputs.at(0).data<float>();
  return {data.begin(), data.end()};
}

// Runs the QDQ graph, lowers it, fills the params, verifies the dialect graph and checks its
// output matches to within `steps` output quantization steps.
inline void lower_and_compare(QdqBuilder& builder, float output_scale, LoweringReport* report,
                              double steps = 1.0) {
  Numbers numbers;
  const std::vector<float> input = numbers.floats(builder.graph.inputs()[0]->numel());
  const std::vector<float> expected = run_graph(builder.graph, input);
  passes::lower_to_cortex_m(builder.graph, report);
  passes::compute_kernel_params(builder.graph);
  ir::verify(builder.graph);
  const std::vector<float> actual = run_graph(builder.graph, input);
  ASSERT_EQ(actual.size(), expected.size());
  int exact = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], steps * output_scale + 1e-6) << "element " << i;
    exact += std::abs(actual[i] - expected[i]) < 0.5f * output_scale;
  }
  // Most elements agree exactly: requantization differs only in rare rounding ties.
  EXPECT_GE(exact * 10, static_cast<int>(actual.size()) * 8);
}

inline std::vector<float> channel_scales(int64_t count) {
  std::vector<float> scales;
  for (int64_t c = 0; c < count; ++c) scales.push_back(0.004f + 0.002f * static_cast<float>(c));
  return scales;
}

// The report entry of node `name`, or nullptr.
inline const LoweringReport::FloatNode* report_entry(const LoweringReport& report,
                                                     const std::string& name) {
  for (const LoweringReport::FloatNode& node : report.float_nodes) {
    if (node.node == name) return &node;
  }
  return nullptr;
}

// Whether the report lists node `name` (the entry names it) with a reason containing
// `fragment`.
inline ::testing::AssertionResult rejected(const LoweringReport& report, const std::string& name,
                                           const std::string& fragment) {
  const LoweringReport::FloatNode* entry = report_entry(report, name);
  if (entry == nullptr) {
    return ::testing::AssertionFailure() << "'" << name << "' is not in the report:\n"
                                         << report.to_string();
  }
  if (entry->reason.find(fragment) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "the reason for '" << name << "' lacks '" << fragment << "': " << entry->reason;
  }
  return ::testing::AssertionSuccess();
}

// --- Float models through the Tester

// Deterministic values in [lo, hi) (a small LCG).
inline ir::Tensor random_tensor(ir::Shape shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::vector<float> values(static_cast<size_t>(ir::shape_numel(shape)));
  uint32_t state = seed * 2654435761u + 1u;
  for (float& v : values) {
    state = state * 1664525u + 1013904223u;
    v = lo + (hi - lo) * static_cast<float>(state >> 8) / static_cast<float>(1u << 24);
  }
  return ir::Tensor::from<float>(std::move(shape), values);
}

// `count` input sets for `graph`, values in [lo, hi).
inline std::vector<testing::Sample> random_samples(const ir::Graph& graph, int count, uint32_t seed,
                                                   float lo = -1.0f, float hi = 1.0f) {
  std::vector<testing::Sample> samples;
  for (int s = 0; s < count; ++s) {
    testing::Sample inputs;
    for (size_t i = 0; i < graph.inputs().size(); ++i) {
      const uint32_t input_seed = seed + static_cast<uint32_t>(s) * 7919u + 101u * i;
      inputs.push_back(random_tensor(graph.inputs()[i]->shape, input_seed, lo, hi));
    }
    samples.push_back(std::move(inputs));
  }
  return samples;
}

// A float graph with the IR API, each node typed by its shape rule as it is added.
class FloatBuilder {
 public:
  ir::Value* input(const std::string& name, ir::Shape shape) {
    ir::Value* value = graph_.add_value(name, ir::DType::kFloat32, std::move(shape));
    graph_.inputs().push_back(value);
    return value;
  }
  ir::Value* constant(const std::string& name, ir::Tensor tensor) {
    return graph_.add_constant(name, std::move(tensor));
  }
  // A float constant of pseudo-random values in [-limit, limit).
  ir::Value* weight(const std::string& name, ir::Shape shape, uint32_t seed, float limit = 0.5f) {
    return constant(name, random_tensor(std::move(shape), seed, -limit, limit));
  }
  ir::Value* scalar(float value) { return constant("c", ir::Tensor::scalar<float>(value)); }
  ir::Value* ints(const std::string& name, std::vector<int64_t> values) {
    const int64_t n = static_cast<int64_t>(values.size());
    return constant(name, ir::Tensor::from<int64_t>({n}, values));
  }
  ir::Value* op(const std::string& op, std::vector<ir::Value*> inputs, ir::Attributes attrs = {},
                const std::string& name = {}) {
    ir::Value* out = graph_.add_value(name.empty() ? "t" : name + "_out", ir::DType::kFloat32, {});
    ir::Node* node = graph_.add_node(op, std::move(inputs), {out}, std::move(attrs), name);
    const std::vector<ir::OutputType> types = ir::infer_node(*node);
    out->dtype = types[0].dtype;
    out->shape = types[0].shape;
    return out;
  }
  void output(ir::Value* value) { graph_.outputs().push_back(value); }
  ir::Graph& graph() { return graph_; }
  ir::Graph take() {
    ir::infer_shapes(graph_);
    ir::verify(graph_);
    return std::move(graph_);
  }

 private:
  ir::Graph graph_;
};

// The float model quantized on `calibration` random samples (values in [lo, hi)), exported,
// cleaned up (to_edge), lowered and given its params.
inline testing::Tester lowered(ir::Graph graph, float lo = -1.0f, float hi = 1.0f,
                               int calibration = 8, quantizer::QuantizerOptions options = {}) {
  std::vector<testing::Sample> samples = random_samples(graph, calibration, 1, lo, hi);
  testing::Tester tester(std::move(graph), std::move(samples));
  tester.quantize(options).export_().to_edge().run_passes();
  return tester;
}

// Tester::test_dialect as a gtest failure with the differences and the lowering report.
inline ::testing::AssertionResult dialect_is(const testing::Tester& tester,
                                             const std::map<std::string, int>& expected) {
  try {
    tester.test_dialect(expected);
  } catch (const CompileError& error) {
    return ::testing::AssertionFailure() << error.what();
  }
  return ::testing::AssertionSuccess();
}

// The largest difference between the lowered int8 graph (run_lowered) and the QDQ reference
// (run_qdq) on graph output `output`, in steps of the output's quantization, over `count`
// random inputs in [lo, hi) (other than the calibration samples).
struct Numerics {
  double max_steps = 0.0;
  int64_t elements = 0;
  int64_t exact = 0;  // elements equal in the int8 domain
};
inline Numerics compare_numerics(const testing::Tester& tester, int count = 5, float lo = -1.0f,
                                 float hi = 1.0f, size_t output = 0) {
  const ir::Value* result = tester.qdq_graph().outputs().at(output);
  const ir::Node* dequantize = result->producer;
  EXPECT_TRUE(dequantize != nullptr && dequantize->op == "onnx.DequantizeLinear");
  const float scale = dequantize->input(0)->quant->scales.at(0);
  Numerics numerics;
  for (const testing::Sample& inputs : random_samples(tester.float_graph(), count, 977, lo, hi)) {
    const ir::Tensor expected = tester.run_qdq(inputs).at(output);
    const ir::Tensor actual = tester.run_lowered(inputs).at(output);
    EXPECT_EQ(actual.shape(), expected.shape());
    if (actual.shape() != expected.shape()) return numerics;
    const auto e = expected.data<float>();
    const auto a = actual.data<float>();
    for (size_t i = 0; i < e.size(); ++i) {
      const double steps = std::abs(static_cast<double>(a[i]) - e[i]) / scale;
      numerics.max_steps = std::max(numerics.max_steps, steps);
      numerics.exact += steps < 0.5;
      ++numerics.elements;
    }
  }
  return numerics;
}

// compare_numerics, printed (the figures for reports) and checked: within `steps` quantization
// steps everywhere.
inline void expect_numerics(const testing::Tester& tester, const std::string& what,
                            double steps = 1.0, int count = 5, float lo = -1.0f, float hi = 1.0f) {
  const Numerics n = compare_numerics(tester, count, lo, hi);
  std::printf("[numerics] %s: max |int8 - QDQ| = %.3g steps, %lld of %lld elements exact\n",
              what.c_str(), n.max_steps, static_cast<long long>(n.exact),
              static_cast<long long>(n.elements));
  EXPECT_GT(n.elements, 0) << what;
  EXPECT_LE(n.max_steps, steps + 1e-3) << what;
}

}  // namespace tinyexec::lowering_test
