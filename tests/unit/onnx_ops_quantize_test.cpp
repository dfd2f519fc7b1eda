// SPDX-License-Identifier: Apache-2.0
// onnx.QuantizeLinear and DequantizeLinear: rounding half to even, saturation, per-tensor and
// per-axis parameters, optional zero points, errors; against hand-computed values (some taken
// from ONNX's node tests, which are hand-made too).
#include "onnx_op_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::op_test;

namespace {

// --- QuantizeLinear

TEST(OnnxQuantizeLinear, PerTensorUint8) {
  // test_quantizelinear: x / 2 + 128; 3 / 2 = 1.5 rounds to 2 (even), the rest saturates.
  EXPECT_EQ(run1("onnx.QuantizeLinear", {in(f32({6}, {0, 2, 3, 1000, -254, -1000})),
                                         in(f32({}, {2})), in(tensor<uint8_t>({}, {128}))}),
            tensor<uint8_t>({6}, {128, 129, 130, 255, 1, 0}));
}

TEST(OnnxQuantizeLinear, RoundsHalfToEven) {
  EXPECT_EQ(run1("onnx.QuantizeLinear",
                 {in(f32({8}, {-2.5f, 2.5f, -1.5f, 1.5f, 0.5f, -0.5f, 3.5f, 2.6f})),
                  constant(f32({}, {1})), constant(tensor<int8_t>({}, {0}))}),
            tensor<int8_t>({8}, {-2, 2, -2, 2, 0, 0, 4, 3}));
  // The tie is decided before the zero point is added: 0.5 -> 0, + 1 = 1.
  EXPECT_EQ(run1("onnx.QuantizeLinear", {in(f32({2}, {0.25f, 0.75f})), constant(f32({}, {0.5f})),
                                         constant(tensor<int8_t>({}, {1}))}),
            tensor<int8_t>({2}, {1, 3}));
}

TEST(OnnxQuantizeLinear, SaturatesInt8) {
  EXPECT_EQ(
      run1("onnx.QuantizeLinear", {in(f32({4}, {200, -200, 127.4f, -128.6f})),
                                   constant(f32({}, {1})), constant(tensor<int8_t>({}, {0}))}),
      tensor<int8_t>({4}, {127, -128, 127, -128}));
  // With zero point -128 the range is [-128 * s, 127 + 128]: 0 -> -128, 255 -> 127.
  EXPECT_EQ(
      run1("onnx.QuantizeLinear", {in(f32({3}, {0.0f, 255.0f, 300.0f})), constant(f32({}, {1})),
                                   constant(tensor<int8_t>({}, {-128}))}),
      tensor<int8_t>({3}, {-128, 127, 127}));
}

TEST(OnnxQuantizeLinear, WithoutZeroPointIsUint8ZeroPointZero) {
  const auto types =
      infer("onnx.QuantizeLinear", {in(f32({3}, {-1.0f, 1.4f, 300.0f})), constant(f32({}, {1}))});
  EXPECT_EQ(types.at(0).dtype, ir::DType::kUInt8);
  EXPECT_EQ(run1("onnx.QuantizeLinear",
                 {in(f32({3}, {-1.0f, 1.4f, 300.0f})), constant(f32({}, {1})), kOmitted}),
            tensor<uint8_t>({3}, {0, 1, 255}));
}

TEST(OnnxQuantizeLinear, PerAxisDefaultAxisOne) {
  // test_quantizelinear_axis: x [1,3,3,2], scales {2,4,5}, zero points {84,24,196} on axis 1.
  const auto x = f32({1, 3, 3, 2}, {-162, 10, -100, 232, -20, -50, -76, 0, 0, 252, 32, -44, 245,
                                    -485, -960, -270, -375, -470});
  EXPECT_EQ(run1("onnx.QuantizeLinear",
                 {in(x), in(f32({3}, {2, 4, 5})), in(tensor<uint8_t>({3}, {84, 24, 196}))}),
            tensor<uint8_t>({1, 3, 3, 2}, {3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 245, 99,
                                           4, 142, 121, 102}));
}

TEST(OnnxQuantizeLinear, PerAxisNegativeAxisSymmetricWeights) {
  // Per output channel on the last axis of a [2,3] weight: channel scales {1, 0.5, 0.25}.
  EXPECT_EQ(run1("onnx.QuantizeLinear",
                 {in(f32({2, 3}, {1, 1, 1, -2, -2, -40})), constant(f32({3}, {1, 0.5f, 0.25f})),
                  constant(tensor<int8_t>({3}, {0, 0, 0}))},
                 attrs({{"axis", int64_t{-1}}})),
            tensor<int8_t>({2, 3}, {1, 2, 4, -2, -4, -128}));
  // Axis 0 of the same tensor: scales per row.
  EXPECT_EQ(run1("onnx.QuantizeLinear",
                 {in(f32({2, 3}, {1, 2, 3, 1, 2, 3})), constant(f32({2}, {1, 0.5f})),
                  constant(tensor<int8_t>({2}, {0, 10}))},
                 attrs({{"axis", int64_t{0}}})),
            tensor<int8_t>({2, 3}, {1, 2, 3, 12, 14, 16}));
}

TEST(OnnxQuantizeLinear, OneElementVectorIsPerTensor) {
  EXPECT_EQ(run1("onnx.QuantizeLinear", {in(f32({2, 2}, {1, 2, 3, 4})), constant(f32({1}, {2})),
                                         constant(tensor<uint8_t>({1}, {10}))}),
            tensor<uint8_t>({2, 2}, {10, 11, 12, 12}));  // 1.5 -> 2, 0.5 -> 0
}

TEST(OnnxQuantizeLinear, Errors) {
  EXPECT_TRUE(op_error("onnx.QuantizeLinear",
                       {in(f32({2, 3}, {0, 0, 0, 0, 0, 0})), constant(f32({2}, {1, 1}))}, {},
                       "has 2 entries but dimension 1"));
  EXPECT_TRUE(op_error("onnx.QuantizeLinear",
                       {in(f32({2}, {0, 0})), constant(f32({}, {1})), constant(f32({}, {0}))}, {},
                       "supported: i8, u8"));
  EXPECT_TRUE(op_error("onnx.QuantizeLinear", {in(i64({2}, {0, 0})), constant(f32({}, {1}))}, {},
                       "supports f32 input"));
  EXPECT_TRUE(op_error("onnx.QuantizeLinear", {in(f32({2}, {0, 0})), constant(f32({}, {0}))}, {},
                       "invalid value 0"));
  EXPECT_TRUE(op_error("onnx.QuantizeLinear",
                       {in(f32({2, 2}, {0, 0, 0, 0})), constant(f32({2}, {1, 1}))},
                       attrs({{"axis", int64_t{2}}}), "axis 2 is out of range"));
  EXPECT_TRUE(op_error(
      "onnx.QuantizeLinear",
      {in(f32({2}, {0, 0})), constant(f32({}, {1})), constant(tensor<uint8_t>({2}, {0, 0}))}, {},
      "zero point"));
}

// --- DequantizeLinear

TEST(OnnxDequantizeLinear, PerTensorUint8) {
  // test_dequantizelinear: (x - 128) * 2.
  EXPECT_EQ(run1("onnx.DequantizeLinear", {in(tensor<uint8_t>({4}, {0, 3, 128, 255})),
                                           in(f32({}, {2})), in(tensor<uint8_t>({}, {128}))}),
            f32({4}, {-256, -250, 0, 254}));
}

TEST(OnnxDequantizeLinear, PerAxisInt8) {
  // Rows scaled by {0.5, 2} with zero points {0, -1}.
  EXPECT_EQ(run1("onnx.DequantizeLinear",
                 {in(tensor<int8_t>({2, 2}, {-128, 127, -1, 3})), constant(f32({2}, {0.5f, 2})),
                  constant(tensor<int8_t>({2}, {0, -1}))},
                 attrs({{"axis", int64_t{0}}})),
            f32({2, 2}, {-64, 63.5f, 0, 8}));
}

TEST(OnnxDequantizeLinear, PerAxisDefaultAxisRoundTrip) {
  // The node test's quantized values come back exactly.
  EXPECT_EQ(run1("onnx.DequantizeLinear",
                 {in(tensor<uint8_t>({1, 3, 3, 2}, {3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13,
                                                    245, 99, 4, 142, 121, 102})),
                  in(f32({3}, {2, 4, 5})), in(tensor<uint8_t>({3}, {84, 24, 196}))}),
            f32({1, 3, 3, 2}, {-162, 10, -100, 232, -20, -50, -76, 0, 0, 252, 32, -44, 245, -485,
                               -960, -270, -375, -470}));
}

TEST(OnnxDequantizeLinear, Int32BiasWithoutZeroPoint) {
  EXPECT_EQ(run1("onnx.DequantizeLinear",
                 {constant(tensor<int32_t>({3}, {100, -3, 0})), constant(f32({}, {0.25f}))}),
            f32({3}, {25, -0.75f, 0}));
}

TEST(OnnxDequantizeLinear, Errors) {
  EXPECT_TRUE(op_error(
      "onnx.DequantizeLinear",
      {in(tensor<int32_t>({1}, {1})), constant(f32({}, {1})), constant(tensor<int32_t>({}, {1}))},
      {}, "needs zero point 0"));
  EXPECT_TRUE(op_error(
      "onnx.DequantizeLinear",
      {in(tensor<int8_t>({1}, {1})), constant(f32({}, {1})), constant(tensor<uint8_t>({}, {1}))},
      {}, "must have the input's type i8"));
  EXPECT_TRUE(op_error("onnx.DequantizeLinear", {in(f32({1}, {1})), constant(f32({}, {1}))}, {},
                       "supports i8, u8 and i32"));
  EXPECT_TRUE(
      op_error("onnx.DequantizeLinear",
               {in(tensor<int8_t>({2, 3}, {0, 0, 0, 0, 0, 0})), constant(f32({3}, {1, 1, 1}))},
               attrs({{"axis", int64_t{0}}}), "has 3 entries but dimension 0"));
  EXPECT_TRUE(op_error("onnx.DequantizeLinear",
                       {in(tensor<int8_t>({2}, {0, 0})), constant(tensor<int8_t>({}, {1}))}, {},
                       "it must be f32"));
  // A run-time scale is checked when it is used.
  EXPECT_TRUE(op_error("onnx.DequantizeLinear", {in(tensor<int8_t>({2}, {0, 0})), in(f32({}, {0}))},
                       {}, "invalid value 0"));
}

}  // namespace
