// SPDX-License-Identifier: Apache-2.0
// Quantizer on small float graphs: observer placement, shared / fixed parameters, weight and
// bias quantization in the QDQ graph, and QDQ outputs against the float graph.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_importer.h"
#include "ir/op_registry.h"
#include "quantizer/quantizer.h"
#include "reference/interpreter.h"
#include "support/npy.h"

namespace tinyexec::quantizer {
namespace {

// Deterministic values in [lo, hi) (a small LCG).
ir::Tensor random_tensor(ir::Shape shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::vector<float> values(static_cast<size_t>(ir::shape_numel(shape)));
  uint32_t state = seed * 2654435761u + 1u;
  for (float& v : values) {
    state = state * 1664525u + 1013904223u;
    v = lo + (hi - lo) * static_cast<float>(state >> 8) / static_cast<float>(1u << 24);
  }
  return ir::Tensor::from<float>(std::move(shape), values);
}

std::vector<std::vector<ir::Tensor>> random_samples(const ir::Graph& graph, int count,
                                                    uint32_t seed) {
  std::vector<std::vector<ir::Tensor>> samples;
  for (int s = 0; s < count; ++s) {
    std::vector<ir::Tensor> inputs;
    for (const ir::Value* input : graph.inputs()) {
      inputs.push_back(random_tensor(input->shape, seed + static_cast<uint32_t>(s) * 7919u));
    }
    samples.push_back(std::move(inputs));
  }
  return samples;
}

ir::Value* out(ir::Graph& g, const std::string& name) {
  return g.add_value(name, ir::DType::kFloat32, {});
}

ir::Attributes conv_attrs() {
  ir::Attributes a;
  a.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  return a;
}

// x[1,2,6,6] -> Conv(4, 3x3, bias) -> Relu -> MaxPool 2x2 -> Flatten -> Gemm(36->5) -> Softmax
ir::Graph make_cnn() {
  ir::Graph g;
  ir::Value* x = g.add_value("x", ir::DType::kFloat32, {1, 2, 6, 6});
  g.inputs().push_back(x);
  ir::Value* w = g.add_constant("w", random_tensor({4, 2, 3, 3}, 1, -0.5f, 0.5f));
  // Channel 3's weights are 10x smaller: per-channel scales must differ.
  {
    ir::Tensor t = *w->constant;
    auto d = t.data<float>();
    for (size_t i = 3 * 18; i < 4 * 18; ++i) d[i] *= 0.1f;
    w->constant = std::make_shared<const ir::Tensor>(t);
  }
  ir::Value* b = g.add_constant("b", random_tensor({4}, 2, -0.2f, 0.2f));
  ir::Value* conv = out(g, "conv");
  g.add_node("onnx.Conv", {x, w, b}, {conv}, conv_attrs(), "conv1");
  ir::Value* relu = out(g, "relu");
  g.add_node("onnx.Relu", {conv}, {relu}, {}, "relu1");
  ir::Attributes pool;
  pool.set("kernel_shape", std::vector<int64_t>{2, 2});
  pool.set("strides", std::vector<int64_t>{2, 2});
  ir::Value* pooled = out(g, "pooled");
  g.add_node("onnx.MaxPool", {relu}, {pooled}, pool, "pool");
  ir::Value* flat = out(g, "flat");
  g.add_node("onnx.Flatten", {pooled}, {flat}, {}, "flatten");
  ir::Value* fc_w = g.add_constant("fc_w", random_tensor({36, 5}, 3, -0.4f, 0.4f));
  ir::Value* fc_b = g.add_constant("fc_b", random_tensor({5}, 4, -0.1f, 0.1f));
  ir::Value* logits = out(g, "logits");
  g.add_node("onnx.Gemm", {flat, fc_w, fc_b}, {logits}, {}, "fc");
  ir::Value* probs = out(g, "probs");
  g.add_node("onnx.Softmax", {logits}, {probs}, {}, "softmax");
  g.outputs().push_back(probs);
  ir::infer_shapes(g);
  ir::verify(g);
  return g;
}

// x -> Conv -> Relu6 (Clip) = a; a -> Conv = c; Add(a, c) -> Relu -> y
ir::Graph make_residual() {
  ir::Graph g;
  ir::Value* x = g.add_value("x", ir::DType::kFloat32, {1, 3, 5, 5});
  g.inputs().push_back(x);
  ir::Value* conv1 = out(g, "conv1_out");
  g.add_node("onnx.Conv",
             {x, g.add_constant("w1", random_tensor({3, 3, 3, 3}, 11, -0.4f, 0.4f)),
              g.add_constant("b1", random_tensor({3}, 12, -0.1f, 0.1f))},
             {conv1}, conv_attrs(), "conv1");
  ir::Value* a = out(g, "a");
  g.add_node("onnx.Clip",
             {conv1, g.add_constant("lo", ir::Tensor::scalar<float>(0.0f)),
              g.add_constant("hi", ir::Tensor::scalar<float>(6.0f))},
             {a}, {}, "relu6");
  ir::Value* c = out(g, "c");
  g.add_node("onnx.Conv", {a, g.add_constant("w2", random_tensor({3, 3, 3, 3}, 13, -0.4f, 0.4f))},
             {c}, conv_attrs(), "conv2");
  ir::Value* sum = out(g, "sum");
  g.add_node("onnx.Add", {a, c}, {sum}, {}, "add");
  ir::Value* y = out(g, "y");
  g.add_node("onnx.Relu", {sum}, {y}, {}, "relu");
  g.outputs().push_back(y);
  ir::infer_shapes(g);
  ir::verify(g);
  return g;
}

// x -> Conv(2) = p; x -> Conv(3) -> Mul by 4 = q; Concat(p, q) -> y
ir::Graph make_concat() {
  ir::Graph g;
  ir::Value* x = g.add_value("x", ir::DType::kFloat32, {1, 2, 4, 4});
  g.inputs().push_back(x);
  ir::Value* p = out(g, "p");
  g.add_node("onnx.Conv", {x, g.add_constant("wp", random_tensor({2, 2, 3, 3}, 21))}, {p},
             conv_attrs(), "conv_p");
  ir::Value* q0 = out(g, "q0");
  g.add_node("onnx.Conv", {x, g.add_constant("wq", random_tensor({3, 2, 3, 3}, 22))}, {q0},
             conv_attrs(), "conv_q");
  ir::Value* q = out(g, "q");
  g.add_node("onnx.Mul", {q0, g.add_constant("four", ir::Tensor::scalar<float>(4.0f))}, {q}, {},
             "scale_q");
  ir::Value* y = out(g, "y");
  ir::Attributes axis;
  axis.set("axis", int64_t{1});
  g.add_node("onnx.Concat", {p, q}, {y}, axis, "concat");
  g.outputs().push_back(y);
  ir::infer_shapes(g);
  ir::verify(g);
  return g;
}

// The QuantizeLinear node reading `value` in the QDQ graph, or nullptr.
const ir::Node* quantize_of(const ir::Graph& g, const std::string& value) {
  const ir::Value* v = g.find_value(value);
  if (v == nullptr) return nullptr;
  for (const ir::Node* user : v->users) {
    if (user->op == "onnx.QuantizeLinear") return user;
  }
  return nullptr;
}

ActivationParams params_of(const ir::Node* q) {
  return {q->input(1)->constant->data<float>()[0],
          static_cast<int32_t>(q->input(2)->constant->data<int8_t>()[0])};
}

float max_abs_diff(const ir::Tensor& a, const ir::Tensor& b) {
  float worst = 0.0f;
  for (int64_t i = 0; i < a.numel(); ++i) {
    worst = std::max(worst, static_cast<float>(std::fabs(a.as_double(i) - b.as_double(i))));
  }
  return worst;
}

float mean_abs_diff(const ir::Tensor& a, const ir::Tensor& b) {
  double sum = 0.0;
  for (int64_t i = 0; i < a.numel(); ++i) sum += std::fabs(a.as_double(i) - b.as_double(i));
  return static_cast<float>(sum / static_cast<double>(a.numel()));
}

TEST(QuantizerPlacement, CnnFusesReluAndSharesPoolParameters) {
  const ir::Graph g = make_cnn();
  Quantizer quantizer(g);
  const ObserverPlan& plan = quantizer.plan();
  EXPECT_EQ(plan.fused, std::vector<std::string>{"conv"});
  EXPECT_EQ(plan.group("conv"), nullptr);
  ASSERT_NE(plan.group("relu"), nullptr);
  EXPECT_EQ(plan.group_of.at("pooled"), plan.group_of.at("relu"));
  EXPECT_EQ(plan.group_of.at("flat"), plan.group_of.at("relu"));
  EXPECT_NE(plan.group_of.at("logits"), plan.group_of.at("relu"));
  EXPECT_NE(plan.group_of.at("x"), plan.group_of.at("relu"));
  ASSERT_TRUE(plan.group("probs")->fixed.has_value());

  quantizer.calibrate(random_samples(g, 8, 100));
  const ir::Graph qdq = quantizer.convert();
  // No Q/DQ between the conv and its relu.
  const ir::Value* conv = qdq.find_value("conv");
  ASSERT_EQ(conv->users.size(), 1u);
  EXPECT_EQ(conv->users[0]->op, "onnx.Relu");
  EXPECT_EQ(conv->producer->op, "onnx.Conv");
  // relu, pooled and flat carry identical parameters; the pool reads a DequantizeLinear.
  const ActivationParams relu = params_of(quantize_of(qdq, "relu"));
  for (const char* shared : {"pooled", "flat"}) {
    const ActivationParams p = params_of(quantize_of(qdq, shared));
    EXPECT_EQ(p.scale, relu.scale) << shared;
    EXPECT_EQ(p.zero_point, relu.zero_point) << shared;
  }
  EXPECT_EQ(relu.zero_point, -128);  // a ReLU output's range starts at 0
  EXPECT_EQ(qdq.find_value("pooled")->producer->input(0)->producer->op, "onnx.DequantizeLinear");
  // Softmax output: 1/256, -128. The graph output keeps its name.
  const ir::Value* probs = qdq.outputs().at(0);
  EXPECT_EQ(probs->name, "probs");
  ASSERT_EQ(probs->producer->op, "onnx.DequantizeLinear");
  const ActivationParams softmax = params_of(probs->producer->input(0)->producer);
  EXPECT_EQ(softmax.scale, 1.0f / 256.0f);
  EXPECT_EQ(softmax.zero_point, -128);
  // The float graph is untouched.
  EXPECT_EQ(g.node_count(), 6u);
  for (const ir::Node* node : g.nodes()) {
    EXPECT_NE(node->op, "onnx.QuantizeLinear");
    EXPECT_NE(node->op, "onnx.DequantizeLinear");
  }
}

TEST(QuantizerConvert, ConvWeightsPerChannelAndInt32Bias) {
  const ir::Graph g = make_cnn();
  Quantizer quantizer(g);
  quantizer.calibrate(random_samples(g, 4, 7));
  const ir::Graph qdq = quantizer.convert();
  const ir::Node* conv = qdq.find_value("conv")->producer;
  const ir::Node* wdq = conv->input(1)->producer;
  ASSERT_EQ(wdq->op, "onnx.DequantizeLinear");
  EXPECT_EQ(wdq->attrs.get_int("axis"), 0);
  const ir::Tensor& wq = *wdq->input(0)->constant;
  ASSERT_EQ(wq.dtype(), ir::DType::kInt8);
  const auto scales = wdq->input(1)->constant->data<float>();
  ASSERT_EQ(scales.size(), 4u);
  const auto w = g.find_value("w")->constant->data<float>();
  const auto q = wq.data<int8_t>();
  for (size_t c = 0; c < 4; ++c) {
    float max_abs = 0.0f;
    for (size_t k = 0; k < 18; ++k) max_abs = std::max(max_abs, std::fabs(w[c * 18 + k]));
    EXPECT_FLOAT_EQ(scales[c], max_abs / 127.0f) << c;
    int peak = 0;
    for (size_t k = 0; k < 18; ++k) {
      EXPECT_EQ(q[c * 18 + k], static_cast<int8_t>(std::nearbyint(w[c * 18 + k] / scales[c])));
      peak = std::max(peak, std::abs(static_cast<int>(q[c * 18 + k])));
    }
    EXPECT_EQ(peak, 127);  // symmetric: the largest magnitude maps to +-127, never -128
  }
  EXPECT_LT(scales[3], scales[0] / 4);  // the small channel has its own, finer scale
  for (int8_t zp : wdq->input(2)->constant->data<int8_t>()) EXPECT_EQ(zp, 0);
  EXPECT_EQ(wdq->input(0)->quant->axis, 0);

  // Bias: int32, scale = input scale * weight scale per channel, zero point 0.
  const ir::Node* bdq = conv->input(2)->producer;
  ASSERT_EQ(bdq->op, "onnx.DequantizeLinear");
  ASSERT_EQ(bdq->input(0)->dtype, ir::DType::kInt32);
  const float input_scale = quantizer.params("x").scale;
  const auto bias_scales = bdq->input(1)->constant->data<float>();
  const auto b = g.find_value("b")->constant->data<float>();
  for (size_t c = 0; c < 4; ++c) {
    EXPECT_FLOAT_EQ(bias_scales[c], input_scale * scales[c]);
    EXPECT_EQ(bdq->input(0)->constant->data<int32_t>()[c],
              static_cast<int32_t>(std::nearbyint(b[c] / bias_scales[c])));
  }

  // Gemm: per tensor by default (scalar scale, no axis), bias scale = flat scale * w scale.
  const ir::Node* fc = qdq.find_value("logits")->producer;
  const ir::Node* fc_wdq = fc->input(1)->producer;
  ASSERT_EQ(fc_wdq->op, "onnx.DequantizeLinear");
  EXPECT_EQ(fc_wdq->input(1)->constant->numel(), 1);
  EXPECT_FALSE(fc_wdq->attrs.has("axis"));
  const float fc_scale = fc_wdq->input(1)->constant->data<float>()[0];
  float fc_max = 0.0f;
  for (float v : g.find_value("fc_w")->constant->data<float>())
    fc_max = std::max(fc_max, std::fabs(v));
  EXPECT_FLOAT_EQ(fc_scale, fc_max / 127.0f);
  const ir::Node* fc_bdq = fc->input(2)->producer;
  EXPECT_FLOAT_EQ(fc_bdq->input(1)->constant->data<float>()[0],
                  quantizer.params("flat").scale * fc_scale);
}

TEST(QuantizerConvert, GemmPerChannelOption) {
  const ir::Graph g = make_cnn();
  Quantizer quantizer(g, {.per_channel_linear = true});
  quantizer.calibrate(random_samples(g, 2, 9));
  const ir::Graph qdq = quantizer.convert();
  const ir::Node* fc = qdq.find_value("logits")->producer;
  const ir::Node* wdq = fc->input(1)->producer;
  EXPECT_EQ(wdq->attrs.get_int("axis"), 1);  // B is [K, N] (transB = 0): N is axis 1
  EXPECT_EQ(wdq->input(1)->constant->numel(), 5);
  EXPECT_EQ(fc->input(2)->producer->input(1)->constant->numel(), 5);
}

TEST(QuantizerConvert, QdqCnnApproximatesFloat) {
  const ir::Graph g = make_cnn();
  for (ObserverKind kind : {ObserverKind::kMinMax, ObserverKind::kHistogram}) {
    Quantizer quantizer(g, {.observer = kind});
    quantizer.calibrate(random_samples(g, 16, 300));
    const ir::Graph qdq = quantizer.convert();
    for (const auto& sample : random_samples(g, 5, 900)) {
      const auto expected = reference::run(g, sample);
      const auto actual = reference::run(qdq, sample);
      // Softmax output quanta are 1/256.
      EXPECT_LE(max_abs_diff(expected[0], actual[0]), 3.0f / 256.0f);
    }
  }
}

TEST(QuantizerPlacement, ResidualAddAndRelu6) {
  const ir::Graph g = make_residual();
  Quantizer quantizer(g);
  const ObserverPlan& plan = quantizer.plan();
  // conv1 fuses with the Clip (ReLU6), add with the Relu; conv2 feeds Add: observed.
  EXPECT_EQ(plan.fused, (std::vector<std::string>{"conv1_out", "sum"}));
  EXPECT_NE(plan.group("c"), nullptr);
  EXPECT_NE(plan.group("a"), nullptr);
  EXPECT_NE(plan.group_of.at("a"), plan.group_of.at("c"));
  const auto samples = random_samples(g, 16, 5);
  quantizer.calibrate(samples);
  const ir::Graph qdq = quantizer.convert();
  // Add reads two DequantizeLinear outputs.
  const ir::Node* add = qdq.find_value("sum")->producer;
  EXPECT_EQ(add->input(0)->producer->op, "onnx.DequantizeLinear");
  EXPECT_EQ(add->input(1)->producer->op, "onnx.DequantizeLinear");
  // conv2 has no bias: none is invented.
  EXPECT_EQ(qdq.find_value("c")->producer->input(2), nullptr);
  const float out_scale = quantizer.params("y").scale;
  // On calibration inputs (nothing clipped): three quantized layers add their rounding errors
  // (each up to half a quantum of its own scale, times the weights).
  for (const auto& sample : samples) {
    const auto expected = reference::run(g, sample);
    const auto actual = reference::run(qdq, sample);
    EXPECT_LE(mean_abs_diff(expected[0], actual[0]), 1.0f * out_scale);
    EXPECT_LE(max_abs_diff(expected[0], actual[0]), 4.0f * out_scale);
  }
}

TEST(QuantizerPlacement, ConcatSharesOneObserver) {
  const ir::Graph g = make_concat();
  Quantizer quantizer(g);
  const ObserverPlan& plan = quantizer.plan();
  const size_t group = plan.group_of.at("y");
  EXPECT_EQ(plan.group_of.at("p"), group);
  EXPECT_EQ(plan.group_of.at("q"), group);
  EXPECT_NE(plan.group_of.at("q0"), group);
  const auto samples = random_samples(g, 8, 41);
  quantizer.calibrate(samples);
  // The shared range spans both inputs: compute them independently.
  float lo = 0.0f, hi = 0.0f;
  for (const auto& sample : samples) {
    const ir::Tensor y = reference::run(g, sample)[0];
    for (float v : y.data<float>()) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  const ActivationParams expected = activation_params({lo, hi});
  const ir::Graph qdq = quantizer.convert();
  for (const char* name : {"p", "q", "y_float"}) {
    const ir::Node* q = quantize_of(qdq, name);
    ASSERT_NE(q, nullptr) << name;
    EXPECT_FLOAT_EQ(params_of(q).scale, expected.scale) << name;
    EXPECT_EQ(params_of(q).zero_point, expected.zero_point) << name;
  }
  for (const auto& sample : random_samples(g, 3, 99)) {
    EXPECT_LE(max_abs_diff(reference::run(g, sample)[0], reference::run(qdq, sample)[0]),
              2.0f * expected.scale);
  }
}

TEST(QuantizerPlacement, BatchNormFoldsIntoConvAndFusesRelu) {
  ir::Graph g;
  ir::Value* x = g.add_value("x", ir::DType::kFloat32, {1, 2, 4, 4});
  g.inputs().push_back(x);
  ir::Value* conv = out(g, "conv");
  g.add_node("onnx.Conv", {x, g.add_constant("w", random_tensor({3, 2, 3, 3}, 51))}, {conv},
             conv_attrs(), "conv");
  ir::Value* bn = out(g, "bn");
  g.add_node("onnx.BatchNormalization",
             {conv, g.add_constant("gamma", random_tensor({3}, 52, 0.5f, 2.0f)),
              g.add_constant("beta", random_tensor({3}, 53)),
              g.add_constant("mean", random_tensor({3}, 54)),
              g.add_constant("var", random_tensor({3}, 55, 0.5f, 1.5f))},
             {bn}, {}, "bn");
  ir::Value* y = out(g, "y");
  g.add_node("onnx.Relu", {bn}, {y}, {}, "relu");
  g.outputs().push_back(y);
  ir::infer_shapes(g);
  Quantizer quantizer(g);
  EXPECT_EQ(quantizer.prepared_graph().node_count(), 2u);
  EXPECT_EQ(quantizer.plan().fused, std::vector<std::string>{"conv"});
  const auto samples = random_samples(g, 8, 3);
  quantizer.calibrate(samples);
  const ir::Graph qdq = quantizer.convert();
  const float out_scale = quantizer.params("y").scale;
  for (const auto& sample : samples) {  // calibration inputs: nothing clipped
    const ir::Tensor expected = reference::run(g, sample)[0];
    const ir::Tensor actual = reference::run(qdq, sample)[0];
    EXPECT_LE(mean_abs_diff(expected, actual), 1.0f * out_scale);
    EXPECT_LE(max_abs_diff(expected, actual), 3.0f * out_scale);
  }
}

TEST(QuantizerConvert, ConvTransposeWeightsOnAxisOne) {
  ir::Graph g;
  ir::Value* x = g.add_value("x", ir::DType::kFloat32, {1, 2, 3, 3});
  g.inputs().push_back(x);
  ir::Value* y = out(g, "y");
  g.add_node("onnx.ConvTranspose",
             {x, g.add_constant("w", random_tensor({2, 3, 2, 2}, 61)),
              g.add_constant("b", random_tensor({3}, 62, -0.1f, 0.1f))},
             {y}, {}, "deconv");
  g.outputs().push_back(y);
  ir::infer_shapes(g);
  Quantizer quantizer(g);
  quantizer.calibrate(random_samples(g, 4, 63));
  const ir::Graph qdq = quantizer.convert();
  const ir::Node* deconv = qdq.find_value("y_float")->producer;
  const ir::Node* wdq = deconv->input(1)->producer;
  EXPECT_EQ(wdq->attrs.get_int("axis"), 1);
  EXPECT_EQ(wdq->input(1)->constant->numel(), 3);
  EXPECT_EQ(deconv->input(2)->producer->input(0)->dtype, ir::DType::kInt32);
  const float out_scale = quantizer.params("y").scale;
  for (const auto& sample : random_samples(g, 3, 64)) {
    EXPECT_LE(max_abs_diff(reference::run(g, sample)[0], reference::run(qdq, sample)[0]),
              3.0f * out_scale);
  }
}

TEST(QuantizerErrors, NameTheProblem) {
  const ir::Graph g = make_cnn();
  Quantizer quantizer(g);
  try {
    (void)quantizer.convert();
    ADD_FAILURE() << "convert before calibrate";
  } catch (const CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("not been calibrated"), std::string::npos) << e.what();
  }
  try {
    quantizer.params("relu");
    ADD_FAILURE() << "params before calibrate";
  } catch (const CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("'relu'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("never seen"), std::string::npos) << e.what();
  }
  EXPECT_THROW(quantizer.calibrate({}), CompileError);
  try {
    quantizer.calibrate({{random_tensor({1, 2, 5, 5}, 1)}});
    ADD_FAILURE() << "wrong shape";
  } catch (const CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("input 'x'"), std::string::npos) << e.what();
  }
  ir::Tensor nan = random_tensor({1, 2, 6, 6}, 1);
  nan.data<float>()[5] = NAN;
  try {
    quantizer.calibrate({{nan}});
    ADD_FAILURE() << "NaN";
  } catch (const CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("value 'x'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nan"), std::string::npos) << e.what();
  }
  try {
    quantizer.params("conv");
    ADD_FAILURE() << "fused value";
  } catch (const CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("fused"), std::string::npos) << e.what();
  }
}

TEST(QuantizerSamples, LoadFolderAndStackedNpy) {
  const ir::Graph g = make_cnn();
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("quantizer_samples_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       "_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "folder");
  // Without the batch dimension: same number of elements is enough.
  support::write_npy(dir / "folder" / "b.npy", random_tensor({2, 6, 6}, 2));
  support::write_npy(dir / "folder" / "a.npy", random_tensor({2, 6, 6}, 1));
  const auto from_folder = load_samples_from_folder(g, dir / "folder");
  ASSERT_EQ(from_folder.size(), 2u);
  EXPECT_EQ(from_folder[0][0], random_tensor({2, 6, 6}, 1).reshaped({1, 2, 6, 6}));  // sorted

  ir::Tensor stacked = random_tensor({3, 2, 6, 6}, 5);
  support::write_npy(dir / "stacked.npy", stacked);
  const auto from_stack = load_stacked_samples(g, dir / "stacked.npy");
  ASSERT_EQ(from_stack.size(), 3u);
  EXPECT_EQ(from_stack[2][0].shape(), (ir::Shape{1, 2, 6, 6}));
  EXPECT_EQ(from_stack[2][0].data<float>()[0], stacked.data<float>()[2 * 72]);

  support::write_npy(dir / "wrong.npy", random_tensor({3, 5}, 5));
  EXPECT_THROW(load_stacked_samples(g, dir / "wrong.npy"), CompileError);
  std::filesystem::remove_all(dir);
}

TEST(QuantizerModel, FashionCnnExample) {
  const std::filesystem::path root =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  const auto model = root / "examples/model/fashion_cnn.onnx";
  const auto calibration = root / "examples/model/calibration.npy";
  if (!std::filesystem::exists(model) || !std::filesystem::exists(calibration)) {
    GTEST_SKIP() << "examples/model/fashion_cnn.onnx or calibration.npy missing (produced by "
                    "examples/model/train.py)";
  }
  const ir::Graph g = frontends::import_onnx(model);
  auto samples = load_stacked_samples(g, calibration);
  Quantizer quantizer(g);
  quantizer.calibrate(samples);
  const ir::Graph qdq = quantizer.convert();
  for (const ir::Node* node : qdq.nodes()) EXPECT_NE(node->op, "onnx.BatchNormalization");
  // Six quantized layers (BatchNormalization folded weights amplify input errors) and a
  // softmax that turns a logit error d into a probability error up to d/4: what holds is the
  // top-1 class and the probabilities on average, on the calibration images.
  int agree = 0;
  const int count = std::min<int>(50, static_cast<int>(samples.size()));
  float worst = 0.0f;
  double mean = 0.0;
  for (int s = 0; s < count; ++s) {
    const ir::Tensor expected = reference::run(g, samples[s])[0];
    const ir::Tensor actual = reference::run(qdq, samples[s])[0];
    worst = std::max(worst, max_abs_diff(expected, actual));
    mean += mean_abs_diff(expected, actual) / count;
    const auto e = expected.data<float>();
    const auto a = actual.data<float>();
    agree += std::max_element(e.begin(), e.end()) - e.begin() ==
             std::max_element(a.begin(), a.end()) - a.begin();
  }
  EXPECT_GE(agree, count * 9 / 10);
  EXPECT_LE(mean, 3.0 / 256.0);
  std::printf(
      "fashion_cnn: top-1 agreement %d/%d, mean |diff| %.2f, max |diff| %.1f quanta of "
      "1/256\n",
      agree, count, mean * 256.0, worst * 256.0f);
}

}  // namespace
}  // namespace tinyexec::quantizer
