// SPDX-License-Identifier: Apache-2.0
// onnx.ReduceMean: axes, keepdims, negative and default axes, errors.
#include <gtest/gtest.h>

#include "onnx_op_test_util.h"

using namespace onnx_op_test;
using Ints = std::vector<int64_t>;

TEST(OnnxReduceMean, OneAxisKeepAndDrop) {
  const ir::Tensor x = iota({3, 2, 2});  // [[0 1][2 3]], [[4 5][6 7]], [[8 9][10 11]]
  expect_near(run1("onnx.ReduceMean", {x}, attrs({{"axes", Ints{1}}})),
              f32({3, 1, 2}, {1, 2, 5, 6, 9, 10}));
  expect_near(run1("onnx.ReduceMean", {x}, attrs({{"axes", Ints{1}}, {"keepdims", int64_t{0}}})),
              f32({3, 2}, {1, 2, 5, 6, 9, 10}));
  expect_near(run1("onnx.ReduceMean", {x}, attrs({{"axes", Ints{-1}}, {"keepdims", int64_t{0}}})),
              f32({3, 2}, {0.5f, 2.5f, 4.5f, 6.5f, 8.5f, 10.5f}));
}

TEST(OnnxReduceMean, AllAxesByDefault) {
  const ir::Tensor x = iota({3, 2, 2});
  expect_near(run1("onnx.ReduceMean", {x}), f32({1, 1, 1}, {5.5f}));
  expect_near(run1("onnx.ReduceMean", {x}, attrs({{"keepdims", int64_t{0}}})), f32({}, {5.5f}));
}

TEST(OnnxReduceMean, SeveralAxesMatchNaive) {
  const ir::Tensor x = pseudo_random({2, 3, 4, 5}, 1);
  const ir::Tensor y = run1("onnx.ReduceMean", {x}, attrs({{"axes", Ints{3, 1}}}));
  ir::Tensor expected(ir::DType::kFloat32, {2, 1, 4, 1});
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t h = 0; h < 4; ++h) {
      double sum = 0;
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t w = 0; w < 5; ++w) sum += x.data<float>()[((n * 3 + c) * 4 + h) * 5 + w];
      expected.data<float>()[n * 4 + h] = static_cast<float>(sum / 15);
    }
  expect_near(y, expected);
}

TEST(OnnxReduceMean, RejectsInvalidNodes) {
  const ir::Tensor x = iota({2, 2});
  expect_error("onnx.ReduceMean", {x}, attrs({{"axes", Ints{0, -2}}}), {"axes", "twice"});
  expect_error("onnx.ReduceMean", {x}, attrs({{"axes", Ints{2}}}), {"axis 2", "out of range"});
  expect_error("onnx.ReduceMean", {x}, attrs({{"keepdims", int64_t{2}}}), {"keepdims"});
  expect_error("onnx.ReduceMean", {i64({2}, {1, 2})}, {}, {"i64", "only f32"});
}
