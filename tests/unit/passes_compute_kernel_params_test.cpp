// SPDX-License-Identifier: Apache-2.0
// compute_kernel_params: the TFLite int8 preparation formulas, checked against values derived
// by hand below (QuantizeMultiplier: real = m * 2^e with m in [0.5, 1) as frexp gives it;
// multiplier = round(m * 2^31), shift = e), then the pass on hand-built cortex_m nodes.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/op_registry.h"
#include "passes/compute_kernel_params.h"
#include "reference/interpreter.h"

namespace ir = tinyexec::ir;
namespace passes = tinyexec::passes;
using passes::Requantization;

TEST(PassesKernelParams, RequantizationOfExactPowersAndFractions) {
  // 0.5 = 0.5 * 2^0 -> (2^30, 0); 0.25 -> (2^30, -1); 0.75 = 0.75 * 2^0 -> (0.75 * 2^31, 0);
  // 3 = 0.75 * 2^2 -> (1610612736, 2).
  EXPECT_EQ(passes::requantization(0.5, "t"), (Requantization{1073741824, 0}));
  EXPECT_EQ(passes::requantization(0.25, "t"), (Requantization{1073741824, -1}));
  EXPECT_EQ(passes::requantization(0.75, "t"), (Requantization{1610612736, 0}));
  EXPECT_EQ(passes::requantization(3.0, "t"), (Requantization{1610612736, 2}));
  EXPECT_EQ(passes::requantization(0.0, "t"), (Requantization{0, 0}));
  EXPECT_THROW(passes::requantization(-1.0, "t"), tinyexec::CompileError);
  EXPECT_THROW(passes::requantization(std::ldexp(1.0, 31), "t"), tinyexec::CompileError);
}

TEST(PassesKernelParams, AddWithScalesHalfQuarterTenth) {
  // s1 = 0.5, s2 = 0.25, s_out = 0.1f = 0.100000001490116119384765625.
  // twice_max = 2 * 0.5 = 1.
  // input1: 0.5 / 1 = 0.5 * 2^0          -> (1073741824, 0)
  // input2: 0.25 / 1 = 0.5 * 2^-1        -> (1073741824, -1)
  // output: 1 / (2^20 * 0.1f) = 9.536743021953955e-06 = 0.62499999068677 * 2^-16;
  //         0.62499999068677 * 2^31 = 1342177260.0000002 -> (1342177260, -16)
  const passes::AddRequantization r = passes::add_requantization(0.5f, 0.25f, 0.1f, "add");
  EXPECT_EQ(r.left_shift, 20);
  EXPECT_EQ(r.input1, (Requantization{1073741824, 0}));
  EXPECT_EQ(r.input2, (Requantization{1073741824, -1}));
  EXPECT_EQ(r.output, (Requantization{1342177260, -16}));
  // The order of the inputs does not matter for twice_max.
  const passes::AddRequantization swapped = passes::add_requantization(0.25f, 0.5f, 0.1f, "add");
  EXPECT_EQ(swapped.input1, r.input2);
  EXPECT_EQ(swapped.input2, r.input1);
}

TEST(PassesKernelParams, Mul) {
  // 0.5 * 0.25 / 0.1f = 1.2499999813735487 = 0.62499999068677 * 2^1 -> (1342177260, 1).
  EXPECT_EQ(passes::mul_requantization(0.5f, 0.25f, 0.1f, "mul"), (Requantization{1342177260, 1}));
}

TEST(PassesKernelParams, SoftmaxWithInputScaleOneTenth) {
  // beta * 0.1f * 2^(31 - 5) = 0.100000001490116 * 67108864 = 6710886.5 (exact in double)
  //   = 0.800000011920929 * 2^23 -> multiplier round(0.800000011920929 * 2^31) = 1717986944,
  //   left shift 23.
  // diff_min = -floor((2^5 - 1) * 2^26 / 2^23) = -floor(31 * 8) = -248.
  EXPECT_EQ(passes::softmax_scaling(0.1f, 1.0, "softmax"),
            (passes::SoftmaxScaling{1717986944, 23, -248}));
  // Input scale 1/16: 2^-4 * 2^26 = 2^22 = 0.5 * 2^23 -> (2^30, 23), same radius -248.
  EXPECT_EQ(passes::softmax_scaling(0.0625f, 1.0, "softmax"),
            (passes::SoftmaxScaling{1073741824, 23, -248}));
  // A huge scale saturates at 2^31 - 1 = (2^31 - 1) / 2^31 * 2^31 -> (2147483647, 31), and
  // the radius floor(31 * 2^26 / 2^31) = floor(0.96875) = 0.
  EXPECT_EQ(passes::softmax_scaling(100.0f, 1.0, "softmax"),
            (passes::SoftmaxScaling{2147483647, 31, 0}));
}

TEST(PassesKernelParams, PerChannelConvAndProductLinear) {
  // Conv: 0.5 * {0.25, 0.125} / 0.25 = {0.5, 0.25} -> (2^30, 0), (2^30, -1).
  const std::vector<float> weight_scales{0.25f, 0.125f};
  const auto r = passes::per_channel_requantization(0.5f, weight_scales, 0.25f, 2, "conv");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], (Requantization{1073741824, 0}));
  EXPECT_EQ(r[1], (Requantization{1073741824, -1}));
  // One scale is broadcast to every channel; a wrong count is an error.
  const std::vector<float> one{0.25f};
  EXPECT_EQ(passes::per_channel_requantization(0.5f, one, 0.25f, 3, "conv").size(), 3u);
  const std::vector<float> three{1, 1, 1};
  EXPECT_THROW(passes::per_channel_requantization(0.5f, three, 0.25f, 2, "conv"),
               tinyexec::CompileError);
  // Linear per tensor rounds the product to float first (TFLite's
  // GetQuantizedConvolutionMultipler): 0.1f * 0.1f = 0.010000000707805157 in float (the double
  // product is 0.010000000298023226); over 0.1f: 0.10000000558793537 = 0.800000044703483 * 2^-3
  // -> round(1717987014.4) = 1717987014, shift -3. The double path would give 0.1f exactly
  // = 0.800000011920929 * 2^-3 -> 1717986944.
  EXPECT_EQ(passes::product_requantization(0.1f, 0.1f, 0.1f, "linear"),
            (Requantization{1717987014, -3}));
  EXPECT_EQ(passes::per_channel_requantization(0.1f, std::vector<float>{0.1f}, 0.1f, 1, "lin")[0],
            (Requantization{1717986944, -3}));
}

TEST(PassesKernelParams, KernelSums) {
  // Row sums 6 and -2; input zero point 5 (offset -5); bias {10, -20}.
  const ir::Tensor w = ir::Tensor::from<int8_t>({2, 3}, std::vector<int8_t>{1, 2, 3, -128, 127, -1});
  const ir::Tensor bias = ir::Tensor::from<int32_t>({2}, std::vector<int32_t>{10, -20});
  EXPECT_EQ(passes::kernel_sums(w, 0, nullptr, 0), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(passes::kernel_sums(w, 0, nullptr, 5), (std::vector<int64_t>{-30, 10}));
  EXPECT_EQ(passes::kernel_sums(w, 0, &bias, 5), (std::vector<int64_t>{-20, -10}));
  // Weight zero point 1: the rows sum to 3 and -5 once it is subtracted.
  EXPECT_EQ(passes::kernel_sums(w, 1, &bias, 5), (std::vector<int64_t>{-5, 5}));
  EXPECT_THROW(passes::kernel_sums(w, 0, &w, 5), std::exception);  // the bias must be i32 [O]
}

TEST(PassesKernelParams, LutTablesAtHandPickedEntries) {
  // Input scale 1/16, zero point 0: entry i is x = (i - 128) / 16.
  // sigmoid, output scale 1/256, zero point -128: q = round(sigmoid(x) * 256) - 128.
  //   i = 128 (x = 0): round(128) - 128 = 0; i = 0 (x = -8): sigmoid = 0.000335 -> round(0.0859)
  //   = 0 -> -128; i = 255 (x = 7.9375): 0.999643 * 256 = 255.909 -> 256 - 128 = 128 -> 127.
  //   i = 144 (x = 1): 0.7310586 * 256 = 187.151 -> 187 - 128 = 59.
  const auto sigmoid = passes::lut_table("sigmoid", 1.0f / 16, 0, 1.0f / 256, -128);
  ASSERT_EQ(sigmoid.size(), 256u);
  EXPECT_EQ(sigmoid[128], 0);
  EXPECT_EQ(sigmoid[0], -128);
  EXPECT_EQ(sigmoid[255], 127);
  EXPECT_EQ(sigmoid[144], 59);
  // tanh, output scale 1/128, zero point 0: x = 1 -> 0.7615942 * 128 = 97.48 -> 97;
  // x = -1 -> -97 (symmetric, half away from zero).
  const auto tanh = passes::lut_table("tanh", 1.0f / 16, 0, 1.0f / 128, 0);
  EXPECT_EQ(tanh[144], 97);
  EXPECT_EQ(tanh[112], -97);
  EXPECT_EQ(tanh[128], 0);
  // hardswish, output scale 1/16, zp 0: x = 1 -> 1 * 4 / 6 = 0.6667 * 16 = 10.67 -> 11;
  // x = -0.5 (i = 120) -> -0.5 * 2.5 / 6 = -0.208333 * 16 = -3.333 -> -3; x = -4 -> 0.
  const auto hardswish = passes::lut_table("hardswish", 1.0f / 16, 0, 1.0f / 16, 0);
  EXPECT_EQ(hardswish[144], 11);
  EXPECT_EQ(hardswish[120], -3);
  EXPECT_EQ(hardswish[64], 0);
  // gelu (erf), output scale 1/16, zp 0: x = 1 -> 0.5 * (1 + erf(0.70710678)) = 0.8413447
  // * 16 = 13.46 -> 13; x = -1 -> -0.1586553 * 16 = -2.538 -> -3.
  const auto gelu = passes::lut_table("gelu", 1.0f / 16, 0, 1.0f / 16, 0);
  EXPECT_EQ(gelu[144], 13);
  EXPECT_EQ(gelu[112], -3);
  // Half away from zero, and the input zero point: input scale 1, zero point 10, output
  // scale 2: i = 143 is q = 15, x = 15 - 10 = 5, hardswish(5) = 5 -> 5 / 2 = 2.5 -> 3.
  const auto shifted = passes::lut_table("hardswish", 1.0f, 10, 2.0f, 0);
  EXPECT_EQ(shifted[128 + 15], 3);
  EXPECT_THROW(passes::lut_table("swish", 1.0f, 0, 1.0f, 0), tinyexec::CompileError);
}

namespace {

ir::Value* quantized_value(ir::Graph& graph, const char* name, ir::Shape shape,
                           std::vector<float> scales, std::vector<int32_t> zero_points,
                           int32_t axis = -1) {
  ir::Value* value = graph.add_value(name, ir::DType::kInt8, std::move(shape));
  value->quant = ir::QuantParams{std::move(scales), std::move(zero_points), axis};
  return value;
}

}  // namespace

// The pass on hand-built nodes (not verified: only the attributes are under test here).
TEST(PassesKernelParams, PassSetsTheDialectAttributes) {
  ir::Graph graph;
  ir::Value* x = quantized_value(graph, "x", {1, 4, 4, 2}, {0.5f}, {-3});
  graph.inputs().push_back(x);
  ir::Value* w = graph.add_constant(
      "w", ir::Tensor::from<int8_t>({2, 1, 1, 2}, std::vector<int8_t>{1, 2, 3, 4}));
  w->quant = ir::QuantParams{{0.25f, 0.125f}, {0, 0}, 0};
  ir::Value* conv_out = quantized_value(graph, "conv_out", {1, 4, 4, 2}, {0.25f}, {0});
  ir::Node* conv = graph.add_node("cortex_m.quantized_conv2d", {x, w, nullptr}, {conv_out});

  ir::Value* add_out = quantized_value(graph, "add_out", {1, 4, 4, 2}, {0.1f}, {0});
  ir::Value* other = quantized_value(graph, "other", {1, 4, 4, 2}, {0.5f}, {0});
  graph.inputs().push_back(other);
  ir::Node* add = graph.add_node("cortex_m.quantized_add", {other, conv_out}, {add_out});

  ir::Value* flat = quantized_value(graph, "flat", {1, 32}, {0.1f}, {3});
  graph.inputs().push_back(flat);
  ir::Value* lw =
      graph.add_constant("lw", ir::Tensor::from<int8_t>({2, 32}, std::vector<int8_t>(64, -2)));
  lw->quant = ir::QuantParams{{0.1f}, {0}, -1};
  ir::Value* logits = quantized_value(graph, "logits", {1, 2}, {0.1f}, {5});
  ir::Node* linear = graph.add_node("cortex_m.quantized_linear", {flat, lw, nullptr}, {logits});

  ir::Value* probs = quantized_value(graph, "probs", {1, 2}, {1.0f / 256}, {-128});
  ir::Node* softmax = graph.add_node("cortex_m.softmax", {logits}, {probs});

  ir::Value* act = quantized_value(graph, "act", {1, 2}, {1.0f / 256}, {-128});
  ir::Attributes lut_attrs;
  lut_attrs.set("function", std::string("sigmoid"));
  ir::Node* lut = graph.add_node("cortex_m.lut", {probs}, {act}, lut_attrs);
  graph.outputs() = {add_out, act};

  EXPECT_EQ(passes::compute_kernel_params(graph), 5);
  // Conv: 0.5 * {0.25, 0.125} / 0.25 = {0.5, 0.25}.
  EXPECT_EQ(conv->attrs.get_ints("multipliers"), (std::vector<int64_t>{1073741824, 1073741824}));
  EXPECT_EQ(conv->attrs.get_ints("shifts"), (std::vector<int64_t>{0, -1}));
  // Add: the 0.5 / 0.25 / 0.1 case above.
  EXPECT_EQ(add->attrs.get_int("left_shift"), 20);
  EXPECT_EQ(add->attrs.get_int("input1_multiplier"), 1073741824);
  EXPECT_EQ(add->attrs.get_int("input1_shift"), 0);
  EXPECT_EQ(add->attrs.get_int("input2_multiplier"), 1073741824);
  EXPECT_EQ(add->attrs.get_int("input2_shift"), -1);
  EXPECT_EQ(add->attrs.get_int("output_multiplier"), 1342177260);
  EXPECT_EQ(add->attrs.get_int("output_shift"), -16);
  // Linear: one multiplier (per-tensor weight), kernel sums: no bias, input offset -3 times the
  // row sums 32 * -2.
  EXPECT_EQ(linear->attrs.get_ints("multipliers").size(), 1u);
  EXPECT_EQ(linear->attrs.get_ints("shifts").size(), 1u);
  EXPECT_EQ(linear->attrs.get_ints("kernel_sums"), (std::vector<int64_t>{192, 192}));
  // Softmax with input scale 0.1.
  EXPECT_EQ(softmax->attrs.get_int("input_multiplier"), 1717986944);
  EXPECT_EQ(softmax->attrs.get_int("input_left_shift"), 23);
  EXPECT_EQ(softmax->attrs.get_int("diff_min"), -248);
  // LUT: 256 entries, input 1/256 zp -128: entry 0 is x = 0 -> sigmoid 0.5 * 256 - 128 = 0.
  ASSERT_EQ(lut->attrs.get_ints("table").size(), 256u);
  EXPECT_EQ(lut->attrs.get_ints("table")[0], 0);

  // Running it again changes nothing.
  EXPECT_EQ(passes::compute_kernel_params(graph), 0);
}

TEST(PassesKernelParams, MissingQuantizationNamesTheNodeAndValue) {
  ir::Graph graph;
  ir::Value* a = quantized_value(graph, "a", {1, 2}, {0.5f}, {0});
  ir::Value* b = graph.add_value("b", ir::DType::kInt8, {1, 2});  // no quantization
  ir::Value* out = quantized_value(graph, "out", {1, 2}, {0.5f}, {0});
  graph.inputs() = {a, b};
  graph.add_node("cortex_m.quantized_mul", {a, b}, {out}, {}, "mul1");
  graph.outputs() = {out};
  try {
    passes::compute_kernel_params(graph);
    FAIL() << "expected a CompileError";
  } catch (const tinyexec::CompileError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("node 'mul1' (cortex_m.quantized_mul)"), std::string::npos) << message;
    EXPECT_NE(message.find("'b'"), std::string::npos) << message;
  }
}

// The computed attributes are what the cortex_m reference (the add_s8 kernel) reads: NHWC
// a = {1.0, -2.0} (scale 0.5), b = {0.5, 0.5} (scale 0.25), output scale 0.1:
// a + b = {1.5, -1.5} -> {15, -15}.
TEST(PassesKernelParams, AddParamsRunThroughTheCortexMReference) {
  ir::Graph graph;
  ir::Value* a = quantized_value(graph, "a", {1, 1, 1, 2}, {0.5f}, {0});
  ir::Value* b = quantized_value(graph, "b", {1, 1, 1, 2}, {0.25f}, {0});
  ir::Value* out = quantized_value(graph, "out", {1, 1, 1, 2}, {0.1f}, {0});
  graph.inputs() = {a, b};
  graph.add_node("cortex_m.quantized_add", {a, b}, {out});
  graph.outputs() = {out};
  ASSERT_EQ(passes::compute_kernel_params(graph), 1);
  ir::verify(graph);
  const std::vector<ir::Tensor> inputs{
      ir::Tensor::from<int8_t>({1, 1, 1, 2}, std::vector<int8_t>{2, -4}),
      ir::Tensor::from<int8_t>({1, 1, 1, 2}, std::vector<int8_t>{2, 2})};
  const std::vector<ir::Tensor> result = tinyexec::reference::run(graph, inputs);
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].to_int_vector(), (std::vector<int64_t>{15, -15}));
}
