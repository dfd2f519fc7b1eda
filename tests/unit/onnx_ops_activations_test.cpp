// SPDX-License-Identifier: Apache-2.0
// onnx.Relu, Clip, LeakyRelu, Sigmoid, Tanh, HardSigmoid, HardSwish against hand-computed
// values.
#include <cmath>
#include <limits>

#include "onnx_op_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::op_test;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(OnnxRelu, ZeroesNegatives) {
  EXPECT_EQ(run1("onnx.Relu", {in(f32({4}, {-1.5f, 0.0f, 2.0f, -0.0f}))}),
            f32({4}, {0.0f, 0.0f, 2.0f, 0.0f}));
}

TEST(OnnxClip, BothBoundsAsRuntimeInputs) {
  // The node tests feed min and max as graph inputs, not constants.
  EXPECT_EQ(run1("onnx.Clip", {in(f32({5}, {-3.0f, -1.0f, 0.5f, 1.0f, 7.0f})), in(f32({}, {-1.0f})),
                               in(f32({}, {1.0f}))}),
            f32({5}, {-1.0f, -1.0f, 0.5f, 1.0f, 1.0f}));
}

TEST(OnnxClip, OmittedMinAndDefaults) {
  EXPECT_EQ(
      run1("onnx.Clip", {in(f32({3}, {-kInf, 0.0f, 9.0f})), kOmitted, constant(f32({}, {6.0f}))}),
      f32({3}, {-kInf, 0.0f, 6.0f}));
  // Without bounds nothing changes, infinities included.
  EXPECT_EQ(run1("onnx.Clip", {in(f32({3}, {-kInf, 1.0f, kInf}))}), f32({3}, {-kInf, 1.0f, kInf}));
}

TEST(OnnxClip, MinAboveMaxGivesMax) {
  // min(max(x, 2), 1) = 1 everywhere, as np.clip.
  EXPECT_EQ(run1("onnx.Clip", {in(f32({2}, {0.0f, 5.0f})), constant(f32({}, {2.0f})),
                               constant(f32({}, {1.0f}))}),
            f32({2}, {1.0f, 1.0f}));
}

TEST(OnnxClip, NaNPassesThrough) {
  const ir::Tensor y = run1(
      "onnx.Clip", {in(f32({1}, {kNaN})), constant(f32({}, {0.0f})), constant(f32({}, {6.0f}))});
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
}

TEST(OnnxClip, Int8WithMinOnly) {
  EXPECT_EQ(
      run1("onnx.Clip", {in(tensor<int8_t>({4}, {-128, -1, 0, 127})), in(tensor<int8_t>({}, {0}))}),
      tensor<int8_t>({4}, {0, 0, 0, 127}));
  EXPECT_EQ(run1("onnx.Clip",
                 {in(tensor<int8_t>({3}, {-128, 5, 127})), kOmitted, in(tensor<int8_t>({}, {4}))}),
            tensor<int8_t>({3}, {-128, 4, 4}));
}

TEST(OnnxClip, Errors) {
  EXPECT_TRUE(op_error("onnx.Clip", {in(f32({2}, {0, 1})), constant(tensor<int8_t>({}, {0}))}, {},
                       "must have the input's type f32"));
  EXPECT_TRUE(op_error("onnx.Clip", {in(f32({2}, {0, 1})), constant(f32({2}, {0, 1}))}, {},
                       "must be a scalar"));
  EXPECT_TRUE(op_error("onnx.Clip", {in(tensor<bool>({1}, {true}))}, {}, "Clip supports"));
}

TEST(OnnxLeakyRelu, DefaultAndGivenAlpha) {
  expect_close(run1("onnx.LeakyRelu", {in(f32({3}, {-2.0f, 0.0f, 3.0f}))}),
               f32({3}, {-0.02f, 0.0f, 3.0f}));
  expect_close(
      run1("onnx.LeakyRelu", {in(f32({3}, {-2.0f, 0.0f, 3.0f}))}, attrs({{"alpha", 0.1f}})),
      f32({3}, {-0.2f, 0.0f, 3.0f}));
}

TEST(OnnxSigmoid, KnownValues) {
  // sigmoid(ln 3) = 1 / (1 + 1/3) = 0.75; the tails saturate without NaN.
  expect_close(run1("onnx.Sigmoid",
                    {in(f32({5}, {0.0f, std::log(3.0f), -std::log(3.0f), 100.0f, -100.0f}))}),
               f32({5}, {0.5f, 0.75f, 0.25f, 1.0f, 0.0f}));
}

TEST(OnnxTanh, KnownValues) {
  // tanh(atanh(0.5)) = 0.5, atanh(0.5) = 0.5493061443.
  expect_close(run1("onnx.Tanh", {in(f32({4}, {0.0f, 0.5493061443f, -0.5493061443f, 30.0f}))}),
               f32({4}, {0.0f, 0.5f, -0.5f, 1.0f}));
}

TEST(OnnxHardSigmoid, DefaultAndGivenAttributes) {
  // Default alpha 0.2, beta 0.5: 0.2 * 1 + 0.5 = 0.7; -3 and 3 clamp to 0 and 1.
  expect_close(run1("onnx.HardSigmoid", {in(f32({4}, {1.0f, -3.0f, 3.0f, 0.0f}))}),
               f32({4}, {0.7f, 0.0f, 1.0f, 0.5f}));
  // alpha 0.5, beta 0.6: 0.5 * 0.2 + 0.6 = 0.7; 0.5 * -2 + 0.6 = -0.4 -> 0.
  expect_close(run1("onnx.HardSigmoid", {in(f32({3}, {0.2f, -2.0f, 1.0f}))},
                    attrs({{"alpha", 0.5f}, {"beta", 0.6f}})),
               f32({3}, {0.7f, 0.0f, 1.0f}));
}

TEST(OnnxHardSigmoid, NaNPassesThrough) {
  const ir::Tensor y = run1("onnx.HardSigmoid", {in(f32({1}, {kNaN}))});
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
}

TEST(OnnxHardSwish, KnownValues) {
  // x * clamp(x / 6 + 0.5, 0, 1): 1 -> 2/3, -1 -> -1/3, +-3 and beyond are x or 0.
  expect_close(run1("onnx.HardSwish", {in(f32({6}, {1.0f, -1.0f, 3.0f, -3.0f, 5.0f, -5.0f}))}),
               f32({6}, {2.0f / 3.0f, -1.0f / 3.0f, 3.0f, 0.0f, 5.0f, 0.0f}));
}

TEST(OnnxActivations, FloatOnlyOpsRejectIntegers) {
  for (const char* op : {"onnx.Relu", "onnx.LeakyRelu", "onnx.Sigmoid", "onnx.Tanh",
                         "onnx.HardSigmoid", "onnx.HardSwish"}) {
    EXPECT_TRUE(op_error(op, {in(tensor<int8_t>({1}, {1}))}, {}, "only f32 is supported")) << op;
  }
}

}  // namespace
