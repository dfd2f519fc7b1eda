// SPDX-License-Identifier: Apache-2.0
// cortex_m.reshape / pad / transpose / concat, quantize / dequantize and lut: one-node graphs
// with hand-set quantization run through reference::run, compared with hand-computed values;
// error cases name the node.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "reference/interpreter.h"
#include "tinyexec/kernels/requant.h"
#include "cortex_m_op_test_support.h"

namespace {


const ir::QuantParams kQ = per_tensor(0.5f, -3);

TEST(CortexMReshape, SameBytesNewShape) {
  const ir::Tensor y = run("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ,
                           attrs({{"shape", Ints{3, 1, 2}}}));
  EXPECT_EQ(y.shape(), (ir::Shape{3, 1, 2}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{1, 2, 3, 4, 5, 6}));
  expect_error("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ,
               attrs({{"shape", Ints{4, 2}}}), "has 8 elements");
  expect_error("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ, {},
               "attribute 'shape' is missing");
  expect_error("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), std::nullopt}}, kQ,
               attrs({{"shape", Ints{6}}}), "has no quantization");
  expect_error("cortex_m.reshape", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, per_tensor(0.5f, 0),
               attrs({{"shape", Ints{6}}}), "must equal input 0's");
}

TEST(CortexMPad, OutputZeroPointFills) {
  // [2, 2] padded by one row before and one column after (ONNX order: begins, then ends).
  const ir::Tensor y = run("cortex_m.pad", {Arg{i8({2, 2}, {1, 2, 3, 4}), kQ}}, kQ,
                           attrs({{"pads", Ints{1, 0, 0, 1}}}));
  EXPECT_EQ(y.shape(), (ir::Shape{3, 3}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{-3, -3, -3, 1, 2, -3, 3, 4, -3}));
  expect_error("cortex_m.pad", {Arg{i8({2, 2}, {1, 2, 3, 4}), kQ}}, kQ,
               attrs({{"pads", Ints{1, 0}}}), "attribute 'pads' has 2 values, expected 4");
  expect_error("cortex_m.pad", {Arg{i8({2, 2}, {1, 2, 3, 4}), kQ}}, kQ,
               attrs({{"pads", Ints{1, 0, -1, 0}}}), "attribute 'pads'");
}

TEST(CortexMTranspose, Permutes) {
  const ir::Tensor y = run("cortex_m.transpose", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ,
                           attrs({{"perm", Ints{1, 0}}}));
  EXPECT_EQ(y.shape(), (ir::Shape{3, 2}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{1, 4, 2, 5, 3, 6}));
  // NCHW [1, 2, 1, 3] -> NHWC [1, 1, 3, 2].
  const ir::Tensor z = run("cortex_m.transpose", {Arg{i8({1, 2, 1, 3}, {1, 2, 3, 4, 5, 6}), kQ}},
                           kQ, attrs({{"perm", Ints{0, 2, 3, 1}}}));
  EXPECT_EQ(z.shape(), (ir::Shape{1, 1, 3, 2}));
  EXPECT_EQ(values_of(z), (std::vector<int8_t>{1, 4, 2, 5, 3, 6}));
  expect_error("cortex_m.transpose", {Arg{i8({2, 3}, {1, 2, 3, 4, 5, 6}), kQ}}, kQ,
               attrs({{"perm", Ints{0, 0}}}), "not a permutation");
}

TEST(CortexMConcat, AlongAxis) {
  const Args args = {Arg{i8({2, 1}, {1, 2}), kQ}, Arg{i8({2, 2}, {3, 4, 5, 6}), kQ}};
  const ir::Tensor y = run("cortex_m.concat", args, kQ, attrs({{"axis", int64_t{-1}}}));
  EXPECT_EQ(y.shape(), (ir::Shape{2, 3}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{1, 3, 4, 2, 5, 6}));
  expect_error("cortex_m.concat", args, kQ, attrs({{"axis", int64_t{0}}}), "must match input 0's");
  expect_error("cortex_m.concat", {args[0], Arg{args[1]->tensor, per_tensor(0.25f, -3)}}, kQ,
               attrs({{"axis", int64_t{1}}}), "must equal input 0's");
  expect_error("cortex_m.concat", args, kQ, {}, "attribute 'axis' is missing");
}

TEST(CortexMQuantize, RoundsHalfAwayFromZeroAndSaturates) {
  // x / 0.5 + 1: 0.25 -> 0.5 rounds to 1 (away from zero) -> 2; -1.26 -> -2.52 -> -3 -> -2;
  // -0.25 -> -1 + 1 = 0; 100 saturates.
  OneNode one("cortex_m.quantize",
              {Arg{tensor<float>({4}, {0.25f, -1.26f, -0.25f, 100.0f}), std::nullopt}},
              per_tensor(0.5f, 1), {});
  ir::infer_shapes(one.graph);
  ir::verify(one.graph);
  const ir::Tensor y = tinyexec::reference::run(one.graph, {}).at(0);
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{2, -2, 0, 127}));
  expect_error("cortex_m.quantize", {Arg{i8({1}, {1}), std::nullopt}}, per_tensor(0.5f, 1), {},
               "is i8, it must be f32");
  expect_error("cortex_m.quantize", {Arg{tensor<float>({1}, {1.0f}), std::nullopt}}, std::nullopt,
               {}, "output 0 ('out') has no quantization");
}

TEST(CortexMDequantize, ScaleTimesOffset) {
  OneNode one("cortex_m.dequantize", {Arg{i8({3}, {2, -2, -128}), per_tensor(0.5f, 1)}},
              std::nullopt, {});
  ir::infer_shapes(one.graph);
  ir::verify(one.graph);
  const ir::Tensor y = tinyexec::reference::run(one.graph, {}).at(0);
  EXPECT_EQ(y, tensor<float>({3}, {0.5f, -1.5f, -64.5f}));
  expect_error("cortex_m.dequantize", {Arg{i8({3}, {2, -2, -128}), std::nullopt}}, std::nullopt, {},
               "input 0 ('in0') has no quantization");
}

TEST(CortexMLut, LooksUpByInputPlus128) {
  Ints table(256);
  for (int i = 0; i < 256; ++i) table[i] = 127 - i;  // y = -1 - x
  const ir::Tensor y = run("cortex_m.lut", {Arg{i8({4}, {-128, -1, 0, 127}), kQ}}, kQ,
                           attrs({{"function", std::string("negate")}, {"table", table}}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{127, 0, -1, -128}));
  expect_error("cortex_m.lut", {Arg{i8({1}, {0}), kQ}}, kQ,
               attrs({{"function", std::string("sigmoid")}}), "(params) attribute 'table'");
  expect_error("cortex_m.lut", {Arg{i8({1}, {0}), kQ}}, kQ,
               attrs({{"function", std::string("sigmoid")}, {"table", Ints{1, 2}}}),
               "has 2 values, expected 256");
  expect_error("cortex_m.lut", {Arg{i8({1}, {0}), kQ}}, kQ, attrs({{"table", table}}),
               "attribute 'function' is missing");
}

}  // namespace
