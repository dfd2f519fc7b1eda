// SPDX-License-Identifier: Apache-2.0
// onnx.Add, Sub, Mul, Div: broadcasting, integer semantics (wrap-around, truncating
// division), and errors, against hand-computed values and a naive loop written here.
#include <cmath>
#include <limits>

#include "onnx_op_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::op_test;

namespace {

TEST(OnnxElementwise, SameShapeFloat) {
  const auto a = f32({2, 2}, {1.0f, 2.0f, 3.0f, 4.0f});
  const auto b = f32({2, 2}, {0.5f, -2.0f, 8.0f, 4.0f});
  EXPECT_EQ(run1("onnx.Add", {in(a), in(b)}), f32({2, 2}, {1.5f, 0.0f, 11.0f, 8.0f}));
  EXPECT_EQ(run1("onnx.Sub", {in(a), in(b)}), f32({2, 2}, {0.5f, 4.0f, -5.0f, 0.0f}));
  EXPECT_EQ(run1("onnx.Mul", {in(a), in(b)}), f32({2, 2}, {0.5f, -4.0f, 24.0f, 16.0f}));
  EXPECT_EQ(run1("onnx.Div", {in(a), in(b)}), f32({2, 2}, {2.0f, -1.0f, 0.375f, 1.0f}));
}

TEST(OnnxElementwise, BroadcastTrailingVector) {
  // [2,3] + [3]: the vector is added to each row.
  EXPECT_EQ(
      run1("onnx.Add", {in(f32({2, 3}, {0, 1, 2, 3, 4, 5})), constant(f32({3}, {10, 20, 30}))}),
      f32({2, 3}, {10, 21, 32, 13, 24, 35}));
}

TEST(OnnxElementwise, BroadcastBothSidesOuterProduct) {
  // [2,1] * [1,3] -> [2,3].
  EXPECT_EQ(run1("onnx.Mul", {in(f32({2, 1}, {2, 3})), in(f32({1, 3}, {1, 10, 100}))}),
            f32({2, 3}, {2, 20, 200, 3, 30, 300}));
}

TEST(OnnxElementwise, BroadcastScalarOnTheLeft) {
  // [] - [2,2]: operand order matters.
  EXPECT_EQ(run1("onnx.Sub", {constant(f32({}, {1})), in(f32({2, 2}, {1, 2, 3, 4}))}),
            f32({2, 2}, {0, -1, -2, -3}));
  EXPECT_EQ(run1("onnx.Div", {in(f32({2}, {3, 6})), constant(f32({}, {3}))}), f32({2}, {1, 2}));
}

TEST(OnnxElementwise, BroadcastRankThreeAgainstNaiveLoop) {
  // [2,3,1] + [3,4] -> [2,3,4]; expected from an explicit triple loop.
  std::vector<float> a(6), b(12), expected(24);
  for (int i = 0; i < 6; ++i) a[i] = static_cast<float>(100 * i);
  for (int i = 0; i < 12; ++i) b[i] = static_cast<float>(i);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 4; ++k) expected[(i * 3 + j) * 4 + k] = a[i * 3 + j] + b[j * 4 + k];
    }
  }
  EXPECT_EQ(run1("onnx.Add", {in(f32({2, 3, 1}, a)), in(f32({3, 4}, b))}),
            f32({2, 3, 4}, expected));
}

TEST(OnnxElementwise, FloatDivisionByZeroIsIeee) {
  const ir::Tensor y = run1("onnx.Div", {in(f32({3}, {1, -1, 0})), in(f32({3}, {0, 0, 0}))});
  EXPECT_EQ(y.data<float>()[0], std::numeric_limits<float>::infinity());
  EXPECT_EQ(y.data<float>()[1], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(y.data<float>()[2]));
}

TEST(OnnxElementwise, Int64ShapeArithmetic) {
  // What PyTorch exports around a reshape: shape values multiplied, divided, added.
  const auto dims = i64({2}, {6, 4});
  EXPECT_EQ(run1("onnx.Mul", {constant(dims), constant(i64({}, {3}))}), i64({2}, {18, 12}));
  EXPECT_EQ(run1("onnx.Div", {constant(dims), constant(i64({}, {4}))}), i64({2}, {1, 1}));
  EXPECT_EQ(run1("onnx.Add", {constant(dims), constant(i64({1}, {-1}))}), i64({2}, {5, 3}));
}

TEST(OnnxElementwise, IntegerDivisionTruncatesTowardZero) {
  EXPECT_EQ(run1("onnx.Div", {in(i64({4}, {7, -7, 7, -7})), in(i64({4}, {2, 2, -2, -2}))}),
            i64({4}, {3, -3, -3, 3}));
  EXPECT_EQ(
      run1("onnx.Div", {in(tensor<int32_t>({2}, {-1, 9})), in(tensor<int32_t>({2}, {3, 10}))}),
      tensor<int32_t>({2}, {0, 0}));
  // The overflowing quotient wraps instead of being undefined.
  EXPECT_EQ(run1("onnx.Div", {in(tensor<int8_t>({1}, {-128})), in(tensor<int8_t>({1}, {-1}))}),
            tensor<int8_t>({1}, {-128}));
}

TEST(OnnxElementwise, Uint8WrapsAround) {
  // As the node tests test_*_uint8 and numpy: arithmetic modulo 256.
  const auto a = tensor<uint8_t>({3}, {200, 5, 16});
  const auto b = tensor<uint8_t>({3}, {100, 10, 16});
  EXPECT_EQ(run1("onnx.Add", {in(a), in(b)}), tensor<uint8_t>({3}, {44, 15, 32}));
  EXPECT_EQ(run1("onnx.Sub", {in(a), in(b)}), tensor<uint8_t>({3}, {100, 251, 0}));
  EXPECT_EQ(run1("onnx.Mul", {in(a), in(b)}), tensor<uint8_t>({3}, {32, 50, 0}));
  EXPECT_EQ(run1("onnx.Div", {in(a), in(b)}), tensor<uint8_t>({3}, {2, 0, 1}));
}

TEST(OnnxElementwise, Int16AndInt64Wrap) {
  EXPECT_EQ(run1("onnx.Mul", {in(tensor<int16_t>({1}, {300})), in(tensor<int16_t>({1}, {300}))}),
            tensor<int16_t>({1}, {static_cast<int16_t>(90000 - 65536)}));
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(run1("onnx.Add", {in(i64({1}, {max})), in(i64({1}, {1}))}),
            i64({1}, {std::numeric_limits<int64_t>::min()}));
}

TEST(OnnxElementwise, Errors) {
  EXPECT_TRUE(op_error("onnx.Div",
                       {in(tensor<int32_t>({2}, {1, 2})), in(tensor<int32_t>({2}, {1, 0}))}, {},
                       "integer division by zero"));
  EXPECT_TRUE(op_error("onnx.Add", {in(f32({2}, {1, 2})), in(i64({2}, {1, 2}))}, {},
                       "must have the same type"));
  EXPECT_TRUE(op_error("onnx.Mul",
                       {in(f32({2, 3}, {0, 0, 0, 0, 0, 0})), in(f32({4}, {0, 0, 0, 0}))}, {},
                       "do not broadcast"));
  EXPECT_TRUE(op_error("onnx.Sub", {in(tensor<bool>({1}, {true})), in(tensor<bool>({1}, {true}))},
                       {}, "is bool"));
  EXPECT_TRUE(op_error("onnx.Add", {in(f32({1}, {1}))}, {}, "expects 2 inputs"));
}

}  // namespace
