// SPDX-License-Identifier: Apache-2.0
// Implementation tests: small float models (one per lowering rule) and the embedded example
// model go the whole way — quantize, lower, plan, emit a program — and the program runs on a
// target with the runtime. Its outputs must be bit-identical to the host int8 reference (the
// lowered graph run by the reference interpreter, which calls the same kernels on the host).
//
// The target comes from $TE_IMPLEMENTATION_TARGET: "host" (default: the runtime in this
// process) or a Cortex-M target, whose board build's runner runs under QEMU (CTest sets it in
// the board builds, see CMakeLists.txt).
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_importer.h"
#include "ir/op_registry.h"
#include "quantizer/quantizer.h"
#include "testing/tester.h"

namespace ir = tinyexec::ir;
using tinyexec::testing::Sample;
using tinyexec::testing::Tester;

namespace {

std::string target() {
  const char* value = std::getenv("TE_IMPLEMENTATION_TARGET");
  return value != nullptr && *value != '\0' ? value : "host";
}

// Deterministic pseudo-random floats.
class Numbers {
 public:
  explicit Numbers(uint32_t seed) : state_(seed) {}
  float next(float low, float high) {
    state_ = state_ * 1664525u + 1013904223u;
    return low + (high - low) * static_cast<float>(state_ >> 8) / static_cast<float>(1u << 24);
  }
  std::vector<float> floats(int64_t count, float low, float high) {
    std::vector<float> values;
    for (int64_t i = 0; i < count; ++i) values.push_back(next(low, high));
    return values;
  }

 private:
  uint32_t state_;
};

// Builds small float ONNX-dialect graphs with random weights.
class ModelBuilder {
 public:
  ir::Graph graph;
  Numbers numbers{7};

  ir::Value* input(const std::string& name, ir::Shape shape) {
    ir::Value* value = graph.add_value(name, ir::DType::kFloat32, std::move(shape));
    graph.inputs().push_back(value);
    return value;
  }
  void output(ir::Value* value) { graph.outputs().push_back(value); }

  ir::Value* op(const std::string& op, std::vector<ir::Value*> inputs, ir::Attributes attrs = {}) {
    const std::string name = op.substr(op.find('.') + 1) + std::to_string(++count_);
    ir::Value* out = graph.add_value(name + "_out", ir::DType::kFloat32, {});
    ir::Node* node = graph.add_node(op, std::move(inputs), {out}, std::move(attrs), name);
    const std::vector<ir::OutputType> types = ir::infer_node(*node);
    out->dtype = types[0].dtype;
    out->shape = types[0].shape;
    return out;
  }
  ir::Value* constant(ir::Shape shape, float low, float high) {
    const int64_t n = ir::shape_numel(shape);
    return graph.add_constant("w" + std::to_string(++count_),
                              ir::Tensor::from<float>(shape, numbers.floats(n, low, high)));
  }
  ir::Value* conv(ir::Value* x, int64_t out_channels, int64_t kernel, ir::Attributes attrs = {},
                  int64_t group = 1) {
    const int64_t in_channels = x->shape[1];
    attrs.set("group", group);
    ir::Value* w = constant({out_channels, in_channels / group, kernel, kernel}, -0.5f, 0.5f);
    ir::Value* b = constant({out_channels}, -0.2f, 0.2f);
    return op("onnx.Conv", {x, w, b}, std::move(attrs));
  }

 private:
  int count_ = 0;
};

ir::Attributes ints(std::initializer_list<std::pair<const char*, std::vector<int64_t>>> list) {
  ir::Attributes attrs;
  for (const auto& [name, values] : list) attrs.set(name, values);
  return attrs;
}

std::vector<Sample> samples(const ir::Graph& graph, int count, uint32_t seed) {
  Numbers numbers(seed);
  std::vector<Sample> result;
  for (int i = 0; i < count; ++i) {
    Sample sample;
    for (const ir::Value* input : graph.inputs()) {
      sample.push_back(ir::Tensor::from<float>(
          input->shape, numbers.floats(ir::shape_numel(input->shape), -1.0f, 1.0f)));
    }
    result.push_back(std::move(sample));
  }
  return result;
}

// $TE_SAVE_PROGRAMS_DIR: where to keep each test's program (e.g. the loader fuzzer's seeds).
void save_program(const Tester& tester, const std::string& name) {
  const char* dir = std::getenv("TE_SAVE_PROGRAMS_DIR");
  if (dir != nullptr && *dir != '\0') {
    tinyexec::emit::write_program(tester.program(), std::string(dir) + "/" + name + ".tep");
  }
}

// The whole flow on one model; the program must match the host int8 reference bit for bit.
void expect_bit_exact(ir::Graph graph, const std::string& name) {
  std::vector<Sample> calibration = samples(graph, 16, 1);
  const std::vector<Sample> tests = samples(graph, 2, 2);
  Tester tester(std::move(graph), std::move(calibration));
  tester.quantize().export_().to_edge().run_passes();
  ASSERT_TRUE(tester.lowering_report().float_nodes.empty())
      << tester.lowering_report().to_string();
  tester.to_program();
  save_program(tester, name);
  EXPECT_NO_THROW(tester.test_implementation(target(), tests));
}

using Build = std::function<void(ModelBuilder&)>;

struct ModelCase {
  const char* name;
  Build build;
};

const ModelCase kCases[] = {
    {"conv_relu",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {1, 3, 10, 10});
       m.output(m.op("onnx.Relu", {m.conv(x, 8, 3, ints({{"pads", {1, 1, 1, 1}}}))}));
     }},
    {"conv_strided_dilated",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {1, 4, 13, 11});
       m.output(m.conv(x, 6, 3, ints({{"strides", {2, 2}}, {"dilations", {2, 1}}})));
     }},
    {"depthwise_relu6",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {1, 8, 9, 9});
       ir::Value* y = m.conv(x, 8, 3, ints({{"pads", {1, 1, 1, 1}}}), /*group=*/8);
       ir::Value* lo = m.graph.add_constant("lo", ir::Tensor::scalar<float>(0.0f));
       ir::Value* hi = m.graph.add_constant("hi", ir::Tensor::scalar<float>(6.0f));
       m.output(m.op("onnx.Clip", {y, lo, hi}));
     }},
    {"grouped_conv",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {1, 8, 6, 6});
       m.output(m.conv(x, 4, 1, {}, /*group=*/2));
     }},
    {"linear",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {1, 4, 3, 3});
       ir::Attributes flatten;
       flatten.set("axis", int64_t{1});
       ir::Value* f = m.op("onnx.Flatten", {m.conv(x, 5, 1)}, flatten);
       ir::Attributes gemm;
       gemm.set("transB", int64_t{1});
       m.output(m.op("onnx.Gemm", {f, m.constant({7, 45}, -0.3f, 0.3f),
                                   m.constant({7}, -0.1f, 0.1f)},
                     gemm));
     }},
    {"matmul",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {3, 16});
       m.output(m.op("onnx.MatMul", {x, m.constant({16, 10}, -0.3f, 0.3f)}));
     }},
    {"add_mul",
     [](ModelBuilder& m) {
       ir::Value* a = m.input("a", {1, 4, 5, 5});
       ir::Value* b = m.input("b", {1, 4, 5, 5});
       ir::Value* sum = m.op("onnx.Add", {m.conv(a, 4, 1), b});
       m.output(m.op("onnx.Mul", {sum, m.conv(b, 4, 1)}));
     }},
    {"add_broadcast_constant",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {1, 6, 4, 4});
       m.output(m.op("onnx.Add", {m.conv(x, 6, 1), m.constant({6, 1, 1}, -0.5f, 0.5f)}));
     }},
    {"pools",
     [](ModelBuilder& m) {
       ir::Value* x = m.conv(m.input("x", {1, 3, 12, 12}), 8, 3);
       ir::Value* p = m.op("onnx.MaxPool", {x}, ints({{"kernel_shape", {2, 2}}, {"strides", {2, 2}}}));
       ir::Value* q = m.op("onnx.AveragePool", {p}, ints({{"kernel_shape", {3, 3}}, {"pads", {1, 1, 1, 1}}}));
       m.output(m.op("onnx.GlobalAveragePool", {q}));
     }},
    {"softmax",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {2, 10});
       ir::Value* y = m.op("onnx.MatMul", {x, m.constant({10, 12}, -1.0f, 1.0f)});
       m.output(m.op("onnx.Softmax", {y}));
     }},
    {"lut_activations",
     [](ModelBuilder& m) {
       ir::Value* x = m.conv(m.input("x", {1, 3, 5, 5}), 6, 1);
       ir::Value* s = m.op("onnx.Sigmoid", {x});
       ir::Value* t = m.op("onnx.Tanh", {m.conv(s, 6, 1)});
       m.output(m.op("onnx.HardSwish", {m.conv(t, 6, 1)}));
     }},
    {"transpose_concat_pad",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {1, 4, 3, 5});
       ir::Value* y = m.conv(x, 4, 1);
       ir::Value* t = m.op("onnx.Transpose", {y}, ints({{"perm", {0, 1, 3, 2}}}));
       ir::Value* u = m.op("onnx.Transpose", {m.conv(x, 4, 1)}, ints({{"perm", {0, 1, 3, 2}}}));
       ir::Attributes axis;
       axis.set("axis", int64_t{1});
       ir::Value* c = m.op("onnx.Concat", {t, u}, axis);
       ir::Value* pads =
           m.graph.add_constant("pads", ir::Tensor::from<int64_t>({8}, std::vector<int64_t>{
                                                                           0, 0, 1, 2, 0, 0, 2, 1}));
       m.output(m.op("onnx.Pad", {c, pads}));
     }},
    {"conv_transpose",
     [](ModelBuilder& m) {
       ir::Value* x = m.conv(m.input("x", {1, 3, 5, 6}), 4, 1);
       ir::Value* w = m.constant({4, 5, 3, 3}, -0.5f, 0.5f);  // [C_in, C_out, KH, KW]
       m.output(m.op("onnx.ConvTranspose", {x, w, m.constant({5}, -0.1f, 0.1f)},
                     ints({{"strides", {2, 2}}, {"pads", {1, 1, 1, 1}}, {"output_padding", {1, 1}}})));
     }},
    {"batch_matmul_two_activations",
     [](ModelBuilder& m) {
       ir::Value* a = m.input("a", {2, 3, 8});
       ir::Value* b = m.input("b", {2, 8, 5});
       m.output(m.op("onnx.MatMul", {a, b}));
     }},
    {"max_min",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {1, 4, 5, 5});
       ir::Value* y = m.conv(x, 4, 1);
       ir::Value* hi = m.op("onnx.Max", {x, y});
       m.output(m.op("onnx.Min", {hi, m.conv(x, 4, 1)}));
     }},
    {"gelu",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {2, 12});
       ir::Value* y = m.op("onnx.MatMul", {x, m.constant({12, 6}, -0.5f, 0.5f)});
       ir::Value* d = m.op("onnx.Div", {y, m.graph.add_constant("sqrt2", ir::Tensor::scalar<float>(1.4142135f))});
       ir::Value* e = m.op("onnx.Erf", {d});
       ir::Value* p = m.op("onnx.Add", {e, m.graph.add_constant("one", ir::Tensor::scalar<float>(1.0f))});
       ir::Value* q = m.op("onnx.Mul", {y, p});
       m.output(m.op("onnx.Mul", {q, m.graph.add_constant("half", ir::Tensor::scalar<float>(0.5f))}));
     }},
    {"conv1d_flatten_linear",
     [](ModelBuilder& m) {
       ir::Value* x = m.input("x", {1, 3, 16});
       ir::Value* w = m.constant({6, 3, 3}, -0.5f, 0.5f);
       ir::Value* c = m.op("onnx.Conv", {x, w, m.constant({6}, -0.1f, 0.1f)}, ints({{"strides", {2}}}));
       ir::Value* p = m.op("onnx.MaxPool", {m.op("onnx.Relu", {c})}, ints({{"kernel_shape", {2}}, {"strides", {2}}}));
       ir::Attributes flatten;
       flatten.set("axis", int64_t{1});
       ir::Value* f = m.op("onnx.Flatten", {p}, flatten);
       m.output(m.op("onnx.MatMul", {f, m.constant({18, 4}, -0.3f, 0.3f)}));
     }},
};

class Implementation : public ::testing::TestWithParam<ModelCase> {};

TEST_P(Implementation, BitExactWithHostReference) {
  ModelBuilder builder;
  GetParam().build(builder);
  expect_bit_exact(std::move(builder.graph), GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(Models, Implementation, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ImplementationExampleModel, BitExactOnBundledImages) {
  const std::string dir = std::string(TE_SOURCE_DIR) + "/examples/model/";
  ir::Graph graph = tinyexec::frontends::import_onnx(dir + "fashion_cnn.onnx");
  auto calibration = tinyexec::quantizer::load_stacked_samples(graph, dir + "calibration.npy");
  auto tests = tinyexec::quantizer::load_stacked_samples(graph, dir + "test_inputs.npy");
  tests.resize(target() == "host" ? 300 : 4);  // boards: a few images (a QEMU run each)
  Tester tester(std::move(graph), std::move(calibration));
  tester.quantize().export_().to_edge().run_passes().to_program();
  save_program(tester, "example_model");
  std::vector<uint64_t> instructions;
  ASSERT_NO_THROW(instructions = tester.test_implementation(target(), tests));
  const auto& stats = tester.program().stats;
  std::printf("example model on %s: %zu images bit-exact; program %lld bytes (constants %lld), "
              "arena %lld bytes",
              target().c_str(), tests.size(), static_cast<long long>(stats.file_bytes),
              static_cast<long long>(stats.constant_bytes),
              static_cast<long long>(stats.arena_bytes));
  if (!instructions.empty()) {
    std::printf(", %llu instructions per inference", static_cast<unsigned long long>(instructions[0]));
  }
  std::printf("\n");
}

}  // namespace
