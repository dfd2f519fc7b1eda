// SPDX-License-Identifier: Apache-2.0
// onnx.BatchNormalization (inference): hand-computed values and a naive per-element formula.
#include <gtest/gtest.h>

#include <cmath>

#include "onnx_op_test_util.h"

using namespace onnx_op_test;

TEST(OnnxBatchNormalization, HandComputed) {
  // Channel 0: (x - 0) / sqrt(1) * 1 + 0; channel 1: (x - 3) / sqrt(4) * 1.5 + 1.
  const ir::Tensor x = f32({1, 2, 1, 2}, {1, -2, 3, 7});
  const ir::Tensor y =
      run1("onnx.BatchNormalization",
           {x, f32({2}, {1, 1.5f}), f32({2}, {0, 1}), f32({2}, {0, 3}), f32({2}, {1, 4})},
           attrs({{"epsilon", 0.0f}}));
  expect_near(y, f32({1, 2, 1, 2}, {1, -2, 1, 4}));
}

TEST(OnnxBatchNormalization, DefaultEpsilonMatchesNaive) {
  const ir::Tensor x = pseudo_random({2, 3, 4, 5}, 1);
  const ir::Tensor scale = pseudo_random({3}, 2);
  const ir::Tensor bias = pseudo_random({3}, 3);
  const ir::Tensor mean = pseudo_random({3}, 4);
  const ir::Tensor var = f32({3}, {0.5f, 1e-6f, 2.0f});  // tiny variance: epsilon matters
  const ir::Tensor y = run1("onnx.BatchNormalization", {x, scale, bias, mean, var});
  ir::Tensor expected(ir::DType::kFloat32, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t c = (i / 20) % 3;
    const double eps = 1e-5;  // the ONNX default
    expected.data<float>()[i] =
        static_cast<float>(scale.data<float>()[c] * (x.data<float>()[i] - mean.data<float>()[c]) /
                               std::sqrt(var.data<float>()[c] + eps) +
                           bias.data<float>()[c]);
  }
  expect_near(y, expected);
}

TEST(OnnxBatchNormalization, RankTwoInput) {
  const ir::Tensor y = run1("onnx.BatchNormalization",
                            {f32({2, 2}, {1, 2, 3, 4}), f32({2}, {2, 1}), f32({2}, {0, 1}),
                             f32({2}, {1, 0}), f32({2}, {1, 1})},
                            attrs({{"epsilon", 0.0f}}));
  expect_near(y, f32({2, 2}, {0, 3, 4, 5}));
}

TEST(OnnxBatchNormalization, RejectsTrainingAndBadShapes) {
  const ir::Tensor x = iota({1, 2, 2, 2});
  const ir::Tensor p = f32({2}, {1, 1});
  expect_error("onnx.BatchNormalization", {x, p, p, p, p}, attrs({{"training_mode", int64_t{1}}}),
               {"training_mode", "inference"});
  expect_error("onnx.BatchNormalization", {x, p, p, p, p}, {}, {"3 outputs", "inference"}, 3);
  expect_error("onnx.BatchNormalization", {x, f32({3}, {1, 1, 1}), p, p, p}, {},
               {"scale", "expected [2]"});
  expect_error("onnx.BatchNormalization", {x, p, p, p}, {}, {"expects 5 inputs"});
}
