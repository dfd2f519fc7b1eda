// SPDX-License-Identifier: Apache-2.0
// onnx.Softmax (opset 13): one axis, default -1, numerically stable for large inputs.
#include <gtest/gtest.h>

#include <cmath>

#include "onnx_op_test_util.h"

using namespace onnx_op_test;

namespace {

// Naive softmax of a 3-D tensor along `axis`, in double.
ir::Tensor naive_softmax3d(const ir::Tensor& x, int axis) {
  const ir::Shape& s = x.shape();
  ir::Tensor y(ir::DType::kFloat32, s);
  auto index = [&](int64_t a, int64_t b, int64_t c) { return (a * s[1] + b) * s[2] + c; };
  for (int64_t a = 0; a < s[0]; ++a)
    for (int64_t b = 0; b < s[1]; ++b)
      for (int64_t c = 0; c < s[2]; ++c) {
        double sum = 0;
        for (int64_t k = 0; k < s[axis]; ++k) {
          const int64_t i = axis == 0   ? index(k, b, c)
                            : axis == 1 ? index(a, k, c)
                                        : index(a, b, k);
          sum += std::exp(static_cast<double>(x.data<float>()[i]));
        }
        y.data<float>()[index(a, b, c)] = static_cast<float>(
            std::exp(static_cast<double>(x.data<float>()[index(a, b, c)])) / sum);
      }
  return y;
}

}  // namespace

TEST(OnnxSoftmax, Example) {
  // e^-1, e^0, e^1 over their sum.
  const double sum = std::exp(-1.0) + 1.0 + std::exp(1.0);
  expect_near(run1("onnx.Softmax", {f32({1, 3}, {-1, 0, 1})}),
              f32({1, 3}, {static_cast<float>(std::exp(-1.0) / sum), static_cast<float>(1.0 / sum),
                           static_cast<float>(std::exp(1.0) / sum)}));
}

TEST(OnnxSoftmax, EveryAxisMatchesNaive) {
  const ir::Tensor x = pseudo_random({3, 4, 5}, 1);
  for (int axis = 0; axis < 3; ++axis) {
    expect_near(run1("onnx.Softmax", {x}, attrs({{"axis", int64_t{axis}}})),
                naive_softmax3d(x, axis));
    expect_near(run1("onnx.Softmax", {x}, attrs({{"axis", int64_t{axis - 3}}})),
                naive_softmax3d(x, axis));
  }
  expect_near(run1("onnx.Softmax", {x}), naive_softmax3d(x, 2));  // default axis -1
}

TEST(OnnxSoftmax, LargeInputsDoNotOverflow) {
  // exp(10000) overflows float; softmax is shift-invariant, so the result equals that of
  // [0, 1, 2, 3].
  const ir::Tensor large = run1("onnx.Softmax", {f32({1, 4}, {10000, 10001, 10002, 10003})});
  expect_near(large, run1("onnx.Softmax", {f32({1, 4}, {0, 1, 2, 3})}));
  const double sum = 1 + std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(large.data<float>()[3], std::exp(3.0) / sum, 1e-6);
}

TEST(OnnxSoftmax, RejectsInvalidNodes) {
  expect_error("onnx.Softmax", {iota({2, 3})}, attrs({{"axis", int64_t{2}}}), {"axis 2"});
  expect_error("onnx.Softmax", {i64({2}, {1, 2})}, {}, {"i64", "only f32"});
  expect_error("onnx.Softmax", {f32({}, {1})}, {}, {"scalar"});
}
