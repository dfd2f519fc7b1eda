// SPDX-License-Identifier: Apache-2.0
// onnx.Erf, onnx.Gelu (exact and tanh), onnx.Max and onnx.Min against hand-computed values.
#include <cmath>
#include <limits>

#include "onnx_op_test_support.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::op_test;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(OnnxErf, MatchesTabulatedValues) {
  // erf(0.5) = 0.5204998778, erf(1) = 0.8427007929, erf(2) = 0.9953222650 (A&S table 7.1).
  expect_close(run1("onnx.Erf", {in(f32({6}, {0.0f, 0.5f, -1.0f, 2.0f, 6.0f, -6.0f}))}),
               f32({6}, {0.0f, 0.5204999f, -0.8427008f, 0.9953223f, 1.0f, -1.0f}));
  EXPECT_TRUE(op_error("onnx.Erf", {in(tensor<int32_t>({1}, {1}))}, {}, "only f32"));
}

TEST(OnnxGelu, ExactAndTanhApproximation) {
  // 0.5 * x * (1 + erf(x / sqrt 2)) = x * Phi(x): Phi(1) = 0.8413447461, Phi(-1) = 0.1586552539,
  // Phi(2) = 0.9772498681.
  expect_close(run1("onnx.Gelu", {in(f32({4}, {0.0f, 1.0f, -1.0f, 2.0f}))}),
               f32({4}, {0.0f, 0.8413447f, -0.1586553f, 1.9544997f}));
  // tanh form at x = 1: 0.5 * (1 + tanh(0.7978845608 * 1.044715)) = 0.8411919906.
  expect_close(run1("onnx.Gelu", {in(f32({2}, {1.0f, 0.0f}))},
                    attrs({{"approximate", std::string("tanh")}})),
               f32({2}, {0.8411920f, 0.0f}));
  EXPECT_TRUE(op_error("onnx.Gelu", {in(f32({1}, {1.0f}))},
                       attrs({{"approximate", std::string("erf")}}), "attribute 'approximate'"));
}

TEST(OnnxMaxMin, BroadcastManyInputsIntegersAndNaN) {
  const ir::Tensor a = f32({2, 3}, {1, -2, 3, -4, 5, -6});
  const ir::Tensor b = f32({3}, {0, 0, 10});
  EXPECT_EQ(run1("onnx.Max", {in(a), in(b)}), f32({2, 3}, {1, 0, 10, 0, 5, 10}));
  EXPECT_EQ(run1("onnx.Min", {in(a), in(b)}), f32({2, 3}, {0, -2, 3, -4, 0, -6}));
  EXPECT_EQ(run1("onnx.Max", {in(f32({1}, {2})), in(a), in(f32({2, 1}, {-9, 4}))}),
            f32({2, 3}, {2, 2, 3, 4, 5, 4}));
  EXPECT_EQ(run1("onnx.Min", {in(a)}), a);
  EXPECT_EQ(run1("onnx.Max",
                 {in(tensor<int8_t>({3}, {-128, 5, 127})), in(tensor<int8_t>({3}, {-1, 6, -128}))}),
            tensor<int8_t>({3}, {-1, 6, 127}));
  const ir::Tensor nan = run1("onnx.Max", {in(f32({2}, {kNaN, 1})), in(f32({2}, {0, kNaN}))});
  EXPECT_TRUE(std::isnan(nan.data<float>()[0]));
  EXPECT_TRUE(std::isnan(nan.data<float>()[1]));
  EXPECT_TRUE(op_error("onnx.Max", {in(a), in(tensor<int32_t>({1}, {1}))}, {},
                       "every input must have input 0's type"));
  EXPECT_TRUE(op_error("onnx.Min", {in(a), in(f32({2}, {1, 2}))}, {}, "broadcast"));
}

}  // namespace
