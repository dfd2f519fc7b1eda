// SPDX-License-Identifier: Apache-2.0
// onnx.Gemm and onnx.MatMul: hand-computed products and naive triple loops written here.
#include <gtest/gtest.h>

#include "onnx_op_test_util.h"

using namespace onnx_op_test;
using Ints = std::vector<int64_t>;

namespace {

// Element (r, c) of a row-major matrix with `cols` columns, read transposed if asked.
float at(const ir::Tensor& t, int64_t r, int64_t c, bool transposed) {
  const int64_t cols = t.shape()[1];
  return transposed ? t.data<float>()[c * cols + r] : t.data<float>()[r * cols + c];
}

}  // namespace

TEST(OnnxGemm, HandComputedWithoutC) {
  // [1 2; 3 4] x [5 6; 7 8] = [19 22; 43 50]
  const ir::Tensor a = f32({2, 2}, {1, 2, 3, 4});
  const ir::Tensor b = f32({2, 2}, {5, 6, 7, 8});
  expect_near(run1("onnx.Gemm", {a, b}), f32({2, 2}, {19, 22, 43, 50}));
  // transB: [1 2; 3 4] x [5 7; 6 8] = [17 23; 39 53]
  expect_near(run1("onnx.Gemm", {a, b}, attrs({{"transB", int64_t{1}}})),
              f32({2, 2}, {17, 23, 39, 53}));
}

TEST(OnnxGemm, AllAttributesMatchNaive) {
  const ir::Tensor a = pseudo_random({4, 3}, 1);  // transposed: M = 3, K = 4
  const ir::Tensor b = pseudo_random({5, 4}, 2);  // transposed: N = 5
  const ir::Tensor c = pseudo_random({1, 5}, 3);
  const float alpha = 0.25f, beta = 0.35f;
  const ir::Tensor y = run1(
      "onnx.Gemm", {a, b, c},
      attrs({{"alpha", alpha}, {"beta", beta}, {"transA", int64_t{1}}, {"transB", int64_t{1}}}));
  ir::Tensor expected(ir::DType::kFloat32, {3, 5});
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j = 0; j < 5; ++j) {
      double acc = 0;
      for (int64_t k = 0; k < 4; ++k) acc += at(a, k, i, false) * at(b, j, k, false);
      expected.data<float>()[i * 5 + j] =
          static_cast<float>(alpha * acc + beta * c.data<float>()[j]);
    }
  }
  expect_near(y, expected);
}

TEST(OnnxGemm, BroadcastsC) {
  const ir::Tensor a = f32({2, 1}, {1, 2});
  const ir::Tensor b = f32({1, 3}, {1, 10, 100});  // A x B = [1 10 100; 2 20 200]
  expect_near(run1("onnx.Gemm", {a, b, f32({}, {5})}), f32({2, 3}, {6, 15, 105, 7, 25, 205}));
  expect_near(run1("onnx.Gemm", {a, b, f32({3}, {1, 2, 3})}),
              f32({2, 3}, {2, 12, 103, 3, 22, 203}));
  expect_near(run1("onnx.Gemm", {a, b, f32({2, 1}, {-1, -2})}),
              f32({2, 3}, {0, 9, 99, 0, 18, 198}));
  expect_near(run1("onnx.Gemm", {a, b, f32({2, 3}, {1, 2, 3, 4, 5, 6})}, attrs({{"beta", 2.0f}})),
              f32({2, 3}, {3, 14, 106, 10, 30, 212}));
}

TEST(OnnxGemm, ReportsMacs) {
  EXPECT_EQ(macs("onnx.Gemm", {iota({3, 7}), iota({7, 5})}), 3 * 7 * 5);
}

TEST(OnnxGemm, RejectsInvalidNodes) {
  expect_error("onnx.Gemm", {iota({2, 3}), iota({2, 3})}, {}, {"inner dimensions"});
  expect_error("onnx.Gemm", {iota({3, 2}), iota({2, 3}), iota({2, 3})}, {},
               {"does not broadcast", "[3,3]"});
  expect_error("onnx.Gemm", {iota({2, 2}), iota({2, 2})}, attrs({{"transA", int64_t{2}}}),
               {"transA"});
  expect_error("onnx.Gemm", {iota({1, 2, 2}), iota({2, 2})}, {}, {"rank 2"});
}

TEST(OnnxMatMul, TwoDimensional) {
  expect_near(run1("onnx.MatMul", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3, 1}, {1, 0, -1})}),
              f32({2, 1}, {-2, -2}));
}

TEST(OnnxMatMul, BroadcastBatchMatchesNaive) {
  const ir::Tensor a = pseudo_random({2, 1, 4, 3}, 4);
  const ir::Tensor b = pseudo_random({3, 3, 5}, 5);
  const ir::Tensor y = run1("onnx.MatMul", {a, b});
  ir::Tensor expected(ir::DType::kFloat32, {2, 3, 4, 5});
  for (int64_t p = 0; p < 2; ++p)
    for (int64_t q = 0; q < 3; ++q)
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t j = 0; j < 5; ++j) {
          double acc = 0;
          for (int64_t k = 0; k < 3; ++k) {
            acc += a.data<float>()[(p * 4 + i) * 3 + k] * b.data<float>()[(q * 3 + k) * 5 + j];
          }
          expected.data<float>()[((p * 3 + q) * 4 + i) * 5 + j] = static_cast<float>(acc);
        }
  expect_near(y, expected);
}

TEST(OnnxMatMul, OneDimensionalOperands) {
  const ir::Tensor m = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  const ir::Tensor v2 = f32({2}, {1, -1});
  const ir::Tensor v3 = f32({3}, {1, 0, 2});
  expect_near(run1("onnx.MatMul", {v2, m}), f32({3}, {-3, -3, -3}));  // row vector x matrix
  expect_near(run1("onnx.MatMul", {m, v3}), f32({2}, {7, 16}));       // matrix x column
  expect_near(run1("onnx.MatMul", {v3, v3}), f32({}, {5}));           // dot product: a scalar
  // A 1-D operand against a batch: [2, 2, 3] x [3] = [2, 2].
  expect_near(run1("onnx.MatMul", {iota({2, 2, 3}), v3}), f32({2, 2}, {4, 13, 22, 31}));
}

TEST(OnnxMatMul, ReportsMacs) {
  EXPECT_EQ(macs("onnx.MatMul", {iota({2, 4, 3}), iota({3, 5})}), 2 * 4 * 5 * 3);
}

TEST(OnnxMatMul, RejectsInvalidNodes) {
  expect_error("onnx.MatMul", {iota({2, 3}), iota({2, 3})}, {}, {"inner dimensions"});
  expect_error("onnx.MatMul", {iota({2, 2, 3}), iota({3, 3, 1})}, {}, {"do not broadcast"});
  expect_error("onnx.MatMul", {f32({}, {1}), iota({1})}, {}, {"rank 1 or more"});
  expect_error("onnx.MatMul", {i64({2}, {1, 2}), i64({2}, {1, 2})}, {}, {"i64", "only f32"});
}
