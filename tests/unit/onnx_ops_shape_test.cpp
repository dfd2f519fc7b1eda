// SPDX-License-Identifier: Apache-2.0
// onnx.Reshape, Flatten, Squeeze, Unsqueeze, Concat, Transpose, Identity, Shape, Gather, Cast,
// ConstantOfShape, Constant against hand-computed values and errors that name the node.
#include <cmath>
#include <limits>
#include <numeric>

#include "onnx_op_test_support.h"
#include "passes/fold_constants.h"

namespace ir = tinyexec::ir;
using namespace tinyexec::op_test;

namespace {

// 0, 1, 2, ... as a float tensor of the given shape.
ir::Tensor iota(ir::Shape shape) {
  std::vector<float> values(static_cast<size_t>(ir::shape_numel(shape)));
  std::iota(values.begin(), values.end(), 0.0f);
  return f32(std::move(shape), values);
}

// --- Reshape

TEST(OnnxReshape, ZeroCopiesAndMinusOneInfers) {
  const ir::Tensor y = run1("onnx.Reshape", {in(iota({2, 3, 4})), constant(i64({2}, {0, -1}))});
  EXPECT_EQ(y, iota({2, 12}));
  EXPECT_EQ(run1("onnx.Reshape", {in(iota({2, 3, 4})), constant(i64({4}, {2, 0, 1, -1}))}),
            iota({2, 3, 1, 4}));
  EXPECT_EQ(run1("onnx.Reshape", {in(iota({2, 3, 4})), constant(i64({1}, {-1}))}), iota({24}));
  EXPECT_EQ(run1("onnx.Reshape", {in(iota({2, 3, 4})), constant(i64({3}, {-1, 2, 3}))}),
            iota({4, 2, 3}));
}

TEST(OnnxReshape, AllowZeroKeepsRealZeros) {
  // test_reshape_allowzero_reordered: [0,3,4] -> [3,4,0].
  const auto types = infer("onnx.Reshape", {in(f32({0, 3, 4}, {})), constant(i64({3}, {3, 4, 0}))},
                           attrs({{"allowzero", int64_t{1}}}));
  EXPECT_EQ(types.at(0).shape, (ir::Shape{3, 4, 0}));
  EXPECT_EQ(run1("onnx.Reshape", {in(f32({0, 3, 4}, {})), constant(i64({3}, {3, 4, 0}))},
                 attrs({{"allowzero", int64_t{1}}})),
            f32({3, 4, 0}, {}));
  // Without allowzero the same 0 copies dimension 2.
  EXPECT_EQ(run1("onnx.Reshape", {in(iota({2, 3, 4})), constant(i64({3}, {6, 1, 0}))}),
            iota({6, 1, 4}));
}

TEST(OnnxReshape, AnyDtype) {
  EXPECT_EQ(
      run1("onnx.Reshape", {in(tensor<int8_t>({2, 2}, {1, -2, 3, -4})), constant(i64({1}, {4}))}),
      tensor<int8_t>({4}, {1, -2, 3, -4}));
}

TEST(OnnxReshape, Errors) {
  EXPECT_TRUE(
      op_error("onnx.Reshape", {in(iota({2, 3})), in(i64({1}, {6}))}, {}, "must be a constant"));
  EXPECT_TRUE(op_error("onnx.Reshape", {in(iota({2, 3})), constant(i64({2}, {-1, -1}))}, {},
                       "more than one -1"));
  EXPECT_TRUE(op_error("onnx.Reshape", {in(iota({2, 3})), constant(i64({2}, {4, 2}))}, {},
                       "cannot reshape"));
  EXPECT_TRUE(op_error("onnx.Reshape", {in(iota({2, 3})), constant(i64({2}, {4, -1}))}, {},
                       "cannot infer the -1"));
  EXPECT_TRUE(
      op_error("onnx.Reshape", {in(iota({6})), constant(i64({2}, {6, 0}))}, {}, "has rank 1"));
  EXPECT_TRUE(op_error("onnx.Reshape", {in(iota({2, 3})), constant(i64({3}, {0, -1, 6}))},
                       attrs({{"allowzero", int64_t{1}}}), "both a 0 and a -1"));
  EXPECT_TRUE(
      op_error("onnx.Reshape", {in(iota({2, 3})), constant(f32({1}, {6}))}, {}, "must be i64"));
}

// --- Flatten

TEST(OnnxFlatten, Axes) {
  const ir::Tensor x = iota({2, 3, 4, 5});
  EXPECT_EQ(run1("onnx.Flatten", {in(x)}), iota({2, 60}));  // default axis 1
  EXPECT_EQ(run1("onnx.Flatten", {in(x)}, attrs({{"axis", int64_t{0}}})), iota({1, 120}));
  EXPECT_EQ(run1("onnx.Flatten", {in(x)}, attrs({{"axis", int64_t{4}}})), iota({120, 1}));
  EXPECT_EQ(run1("onnx.Flatten", {in(x)}, attrs({{"axis", int64_t{-1}}})), iota({24, 5}));
  EXPECT_EQ(run1("onnx.Flatten", {in(x)}, attrs({{"axis", int64_t{-4}}})), iota({1, 120}));
  EXPECT_TRUE(
      op_error("onnx.Flatten", {in(x)}, attrs({{"axis", int64_t{5}}}), "attribute 'axis' is 5"));
}

// --- Squeeze / Unsqueeze

TEST(OnnxSqueeze, GivenAndNegativeAxes) {
  EXPECT_EQ(run1("onnx.Squeeze", {in(iota({1, 3, 1, 5})), constant(i64({1}, {-2}))}),
            iota({1, 3, 5}));
  EXPECT_EQ(run1("onnx.Squeeze", {in(iota({1, 3, 1, 5})), constant(i64({2}, {2, 0}))}),
            iota({3, 5}));
}

TEST(OnnxSqueeze, WithoutAxesRemovesEveryOne) {
  EXPECT_EQ(run1("onnx.Squeeze", {in(iota({1, 3, 1, 5}))}), iota({3, 5}));
  EXPECT_EQ(run1("onnx.Squeeze", {in(iota({1, 1}))}), iota({}));
}

TEST(OnnxSqueeze, Errors) {
  EXPECT_TRUE(op_error("onnx.Squeeze", {in(iota({1, 3})), constant(i64({1}, {1}))}, {},
                       "cannot squeeze axis 1"));
  EXPECT_TRUE(
      op_error("onnx.Squeeze", {in(iota({1, 3})), in(i64({1}, {0}))}, {}, "must be a constant"));
  EXPECT_TRUE(
      op_error("onnx.Squeeze", {in(iota({1, 3})), constant(i64({1}, {2}))}, {}, "out of range"));
  EXPECT_TRUE(
      op_error("onnx.Squeeze", {in(iota({1, 3})), constant(i64({2}, {0, -2}))}, {}, "given twice"));
}

TEST(OnnxUnsqueeze, AxesInAnyOrderAndNegative) {
  // Axes refer to the output: [3,4,5] with {2,4,5} -> [3,4,1,5,1,1], in any order.
  EXPECT_EQ(run1("onnx.Unsqueeze", {in(iota({3, 4, 5})), constant(i64({3}, {2, 4, 5}))}),
            iota({3, 4, 1, 5, 1, 1}));
  EXPECT_EQ(run1("onnx.Unsqueeze", {in(iota({3, 4, 5})), constant(i64({3}, {5, 4, 2}))}),
            iota({3, 4, 1, 5, 1, 1}));
  EXPECT_EQ(run1("onnx.Unsqueeze", {in(iota({1, 3, 1, 5})), constant(i64({1}, {-2}))}),
            iota({1, 3, 1, 1, 5}));
  // A scalar becomes a 1-element vector (how PyTorch builds shape lists).
  EXPECT_EQ(run1("onnx.Unsqueeze", {in(i64({}, {7})), constant(i64({1}, {0}))}), i64({1}, {7}));
}

TEST(OnnxUnsqueeze, Errors) {
  EXPECT_TRUE(
      op_error("onnx.Unsqueeze", {in(iota({3})), constant(i64({2}, {0, 0}))}, {}, "given twice"));
  EXPECT_TRUE(
      op_error("onnx.Unsqueeze", {in(iota({3})), constant(i64({1}, {2}))}, {}, "out of range"));
  EXPECT_TRUE(
      op_error("onnx.Unsqueeze", {in(iota({3})), in(i64({1}, {0}))}, {}, "must be a constant"));
}

// --- Concat

TEST(OnnxConcat, AlongEachAxis) {
  const auto a = f32({2, 2}, {1, 2, 3, 4});
  const auto b = f32({2, 1}, {5, 6});
  EXPECT_EQ(run1("onnx.Concat", {in(a), in(b)}, attrs({{"axis", int64_t{1}}})),
            f32({2, 3}, {1, 2, 5, 3, 4, 6}));
  EXPECT_EQ(run1("onnx.Concat", {in(a), in(b)}, attrs({{"axis", int64_t{-1}}})),
            f32({2, 3}, {1, 2, 5, 3, 4, 6}));
  const auto c = f32({1, 2}, {7, 8});
  EXPECT_EQ(run1("onnx.Concat", {in(a), constant(c), in(c)}, attrs({{"axis", int64_t{0}}})),
            f32({4, 2}, {1, 2, 3, 4, 7, 8, 7, 8}));
}

TEST(OnnxConcat, Int64ShapeLists) {
  EXPECT_EQ(run1("onnx.Concat", {constant(i64({2}, {1, 2})), in(i64({1}, {-1}))},
                 attrs({{"axis", int64_t{0}}})),
            i64({3}, {1, 2, -1}));
}

TEST(OnnxConcat, Errors) {
  EXPECT_TRUE(op_error("onnx.Concat", {in(f32({1}, {1})), in(i64({1}, {1}))},
                       attrs({{"axis", int64_t{0}}}), "all inputs must have one type"));
  EXPECT_TRUE(op_error("onnx.Concat", {in(iota({2, 2})), in(iota({3, 1}))},
                       attrs({{"axis", int64_t{1}}}), "does not match"));
  EXPECT_TRUE(
      op_error("onnx.Concat", {in(iota({2})), in(iota({2}))}, {}, "attribute 'axis' is required"));
  EXPECT_TRUE(op_error("onnx.Concat", {in(iota({2})), in(iota({2}))}, attrs({{"axis", int64_t{1}}}),
                       "out of range"));
}

// --- Transpose

TEST(OnnxTranspose, DefaultReverses) {
  EXPECT_EQ(run1("onnx.Transpose", {in(f32({2, 3}, {1, 2, 3, 4, 5, 6}))}),
            f32({3, 2}, {1, 4, 2, 5, 3, 6}));
}

TEST(OnnxTranspose, PermutationAgainstNaiveLoop) {
  // perm {1,2,0}: out[j][k][i] = in[i][j][k].
  const ir::Tensor x = iota({2, 3, 4});
  std::vector<float> expected(24);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 4; ++k)
        expected[(j * 4 + k) * 2 + i] = x.data<float>()[(i * 3 + j) * 4 + k];
    }
  }
  EXPECT_EQ(run1("onnx.Transpose", {in(x)}, attrs({{"perm", std::vector<int64_t>{1, 2, 0}}})),
            f32({3, 4, 2}, expected));
}

TEST(OnnxTranspose, NchwToNhwcUint8) {
  // [1,2,1,2] NCHW -> NHWC: channels interleave.
  EXPECT_EQ(run1("onnx.Transpose", {in(tensor<uint8_t>({1, 2, 1, 2}, {1, 2, 10, 20}))},
                 attrs({{"perm", std::vector<int64_t>{0, 2, 3, 1}}})),
            tensor<uint8_t>({1, 1, 2, 2}, {1, 10, 2, 20}));
}

TEST(OnnxTranspose, Errors) {
  EXPECT_TRUE(op_error("onnx.Transpose", {in(iota({2, 3}))},
                       attrs({{"perm", std::vector<int64_t>{0, 0}}}), "not a permutation"));
  EXPECT_TRUE(op_error("onnx.Transpose", {in(iota({2, 3}))},
                       attrs({{"perm", std::vector<int64_t>{1, 0, 2}}}), "attribute 'perm'"));
}

// --- Identity, Shape

TEST(OnnxIdentity, CopiesAnyDtype) {
  const auto x = tensor<int16_t>({2}, {-300, 300});
  EXPECT_EQ(run1("onnx.Identity", {in(x)}), x);
}

TEST(OnnxShape, StartAndEnd) {
  const ir::Tensor x = iota({3, 4, 5});
  EXPECT_EQ(run1("onnx.Shape", {in(x)}), i64({3}, {3, 4, 5}));
  EXPECT_EQ(run1("onnx.Shape", {in(x)}, attrs({{"start", int64_t{1}}, {"end", int64_t{-1}}})),
            i64({1}, {4}));
  EXPECT_EQ(run1("onnx.Shape", {in(x)}, attrs({{"start", int64_t{-1}}})), i64({1}, {5}));
  // Out-of-range values clamp.
  EXPECT_EQ(run1("onnx.Shape", {in(x)}, attrs({{"start", int64_t{-10}}})), i64({3}, {3, 4, 5}));
  EXPECT_EQ(run1("onnx.Shape", {in(x)}, attrs({{"end", int64_t{10}}})), i64({3}, {3, 4, 5}));
  EXPECT_EQ(run1("onnx.Shape", {in(x)}, attrs({{"start", int64_t{2}}, {"end", int64_t{1}}})),
            i64({0}, {}));
  EXPECT_EQ(run1("onnx.Shape", {in(f32({}, {1}))}), i64({0}, {}));
}

// --- Gather

TEST(OnnxGather, RowsAndColumns) {
  const auto data = f32({3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(run1("onnx.Gather", {in(data), in(i64({2}, {2, 0}))}), f32({2, 2}, {5, 6, 1, 2}));
  EXPECT_EQ(run1("onnx.Gather", {in(data), constant(i64({3}, {1, 1, 0}))},
                 attrs({{"axis", int64_t{-1}}})),
            f32({3, 3}, {2, 2, 1, 4, 4, 3, 6, 6, 5}));
}

TEST(OnnxGather, TwoDimensionalIndices) {
  // test_gather_2d_indices: data [3,3], indices [1,2], axis 1 -> [3,1,2].
  EXPECT_EQ(run1("onnx.Gather", {in(iota({3, 3})), in(tensor<int32_t>({1, 2}, {0, 2}))},
                 attrs({{"axis", int64_t{1}}})),
            f32({3, 1, 2}, {0, 2, 3, 5, 6, 8}));
}

TEST(OnnxGather, NegativeIndicesAndScalarIndex) {
  EXPECT_EQ(run1("onnx.Gather", {in(iota({10})), in(i64({3}, {0, -9, -10}))}), f32({3}, {0, 1, 0}));
  // Shape -> Gather(scalar 0): the batch size as an i64 scalar.
  EXPECT_EQ(run1("onnx.Gather", {in(i64({4}, {8, 3, 32, 32})), constant(i64({}, {0}))}),
            i64({}, {8}));
}

TEST(OnnxGather, Errors) {
  // Known indices are checked by the shape rule, run-time ones by the reference.
  EXPECT_TRUE(op_error("onnx.Gather", {in(iota({3})), constant(i64({1}, {3}))}, {},
                       "index 3 is out of range"));
  EXPECT_TRUE(
      op_error("onnx.Gather", {in(iota({3})), in(i64({1}, {-4}))}, {}, "index -4 is out of range"));
  EXPECT_TRUE(op_error("onnx.Gather", {in(iota({3})), in(f32({1}, {0}))}, {}, "i32 or i64"));
  EXPECT_TRUE(op_error("onnx.Gather", {in(iota({3})), in(i64({1}, {0}))},
                       attrs({{"axis", int64_t{1}}}), "out of range"));
}

// --- Cast (ONNX TensorProto codes: FLOAT 1, UINT8 2, INT8 3, INT16 5, INT32 6, INT64 7, BOOL 9)

TEST(OnnxCast, FloatToIntegerTruncatesAndSaturates) {
  EXPECT_EQ(run1("onnx.Cast", {in(f32({5}, {1.9f, -1.9f, 2.5f, -0.5f, 3e9f}))},
                 attrs({{"to", int64_t{6}}})),
            tensor<int32_t>({5}, {1, -1, 2, 0, std::numeric_limits<int32_t>::max()}));
  EXPECT_EQ(run1("onnx.Cast", {in(f32({4}, {300.0f, -5.0f, std::nanf(""), 254.9f}))},
                 attrs({{"to", int64_t{2}}})),
            tensor<uint8_t>({4}, {255, 0, 0, 254}));
  EXPECT_EQ(run1("onnx.Cast", {in(f32({2}, {-1e30f, 1e30f}))}, attrs({{"to", int64_t{7}}})),
            i64({2}, {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}));
}

TEST(OnnxCast, IntegerToIntegerWraps) {
  EXPECT_EQ(run1("onnx.Cast", {in(i64({3}, {200, 256, -129}))}, attrs({{"to", int64_t{3}}})),
            tensor<int8_t>({3}, {-56, 0, 127}));
  EXPECT_EQ(run1("onnx.Cast", {in(tensor<int8_t>({2}, {-1, 5}))}, attrs({{"to", int64_t{7}}})),
            i64({2}, {-1, 5}));
}

TEST(OnnxCast, BoolAndFloat) {
  EXPECT_EQ(run1("onnx.Cast", {in(f32({4}, {0.0f, -0.0f, 0.5f, std::nanf("")}))},
                 attrs({{"to", int64_t{9}}})),
            tensor<bool>({4}, {false, false, true, true}));
  EXPECT_EQ(run1("onnx.Cast", {in(tensor<bool>({2}, {true, false}))}, attrs({{"to", int64_t{1}}})),
            f32({2}, {1, 0}));
  EXPECT_EQ(run1("onnx.Cast", {in(i64({2}, {-3, 16777217}))}, attrs({{"to", int64_t{1}}})),
            f32({2}, {-3.0f, 16777216.0f}));
  EXPECT_EQ(run1("onnx.Cast", {in(f32({1}, {1.5f}))}, attrs({{"to", int64_t{1}}})),
            f32({1}, {1.5f}));
}

TEST(OnnxCast, UnsupportedTargetIsNamed) {
  EXPECT_TRUE(op_error("onnx.Cast", {in(f32({1}, {1}))}, attrs({{"to", int64_t{10}}}),
                       "attribute 'to' is 10 (FLOAT16)"));
  EXPECT_TRUE(op_error("onnx.Cast", {in(f32({1}, {1}))}, {}, "attribute 'to' is missing"));
}

// --- ConstantOfShape, Constant

TEST(OnnxConstantOfShape, DefaultFloatZeroAndGivenValue) {
  EXPECT_EQ(run1("onnx.ConstantOfShape", {constant(i64({2}, {2, 3}))}),
            f32({2, 3}, {0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(run1("onnx.ConstantOfShape", {constant(i64({2}, {2, 2}))},
                 attrs({{"value", tensor<int32_t>({1}, {7})}})),
            tensor<int32_t>({2, 2}, {7, 7, 7, 7}));
  // A zero dimension gives an empty tensor; an empty shape gives a scalar.
  EXPECT_EQ(run1("onnx.ConstantOfShape", {constant(i64({1}, {0}))},
                 attrs({{"value", tensor<int32_t>({1}, {0})}})),
            tensor<int32_t>({0}, {}));
  EXPECT_EQ(
      run1("onnx.ConstantOfShape", {constant(i64({0}, {}))}, attrs({{"value", i64({1}, {5})}})),
      i64({}, {5}));
}

TEST(OnnxConstantOfShape, Errors) {
  EXPECT_TRUE(op_error("onnx.ConstantOfShape", {in(i64({1}, {2}))}, {}, "must be a constant"));
  EXPECT_TRUE(op_error("onnx.ConstantOfShape", {constant(i64({1}, {2}))},
                       attrs({{"value", f32({2}, {1, 2})}}), "must have one element"));
  EXPECT_TRUE(
      op_error("onnx.ConstantOfShape", {constant(i64({1}, {-2}))}, {}, "negative dimension"));
}

TEST(OnnxConstant, EachValueAttribute) {
  const auto value = f32({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(run1("onnx.Constant", {}, attrs({{"value", value}})), value);
  EXPECT_EQ(run1("onnx.Constant", {}, attrs({{"value_float", 2.5f}})), f32({}, {2.5f}));
  EXPECT_EQ(run1("onnx.Constant", {}, attrs({{"value_floats", std::vector<float>{1, 2}}})),
            f32({2}, {1, 2}));
  EXPECT_EQ(run1("onnx.Constant", {}, attrs({{"value_int", int64_t{-3}}})), i64({}, {-3}));
  EXPECT_EQ(run1("onnx.Constant", {}, attrs({{"value_ints", std::vector<int64_t>{4, 5, 6}}})),
            i64({3}, {4, 5, 6}));
}

TEST(OnnxConstant, Errors) {
  EXPECT_TRUE(op_error("onnx.Constant", {}, attrs({{"value_string", std::string("x")}}),
                       "attribute 'value_string' is not supported"));
  EXPECT_TRUE(op_error("onnx.Constant", {},
                       attrs({{"value_int", int64_t{1}}, {"value_float", 1.0f}}),
                       "exactly one value attribute"));
  EXPECT_TRUE(op_error("onnx.Constant", {}, {}, "exactly one value attribute"));
}

// --- The chain PyTorch exports around a flatten, folded at compile time.

TEST(OnnxShapeOps, ConstantChainFoldsIntoReshape) {
  // Reshape(x, Concat(Unsqueeze(Gather(dims, 0)), [-1])): the shape input only becomes a
  // constant once the chain is folded; then the Reshape's shape rule can run.
  ir::Graph graph;
  ir::Value* x = graph.add_value("x", ir::DType::kFloat32, {2, 3, 4});
  graph.inputs().push_back(x);
  ir::Value* dims = graph.add_constant("dims", i64({3}, {2, 3, 4}));
  ir::Value* zero = graph.add_constant("zero", i64({}, {0}));
  ir::Value* axes = graph.add_constant("axes", i64({1}, {0}));
  ir::Value* minus_one = graph.add_constant("minus_one", i64({1}, {-1}));
  ir::Value* batch = graph.add_value("batch", ir::DType::kInt64, {});
  ir::Value* batch1 = graph.add_value("batch1", ir::DType::kInt64, {});
  ir::Value* shape = graph.add_value("shape", ir::DType::kInt64, {});
  ir::Value* y = graph.add_value("y", ir::DType::kFloat32, {});
  graph.outputs().push_back(y);
  graph.add_node("onnx.Gather", {dims, zero}, {batch});
  graph.add_node("onnx.Unsqueeze", {batch, axes}, {batch1});
  ir::Attributes concat_axis;
  concat_axis.set("axis", int64_t{0});
  graph.add_node("onnx.Concat", {batch1, minus_one}, {shape}, concat_axis);
  ir::Node* reshape = graph.add_node("onnx.Reshape", {x, shape}, {y});
  EXPECT_EQ(tinyexec::passes::fold_constants(graph), 3);
  ASSERT_TRUE(reshape->input(1)->is_constant());
  EXPECT_EQ(*reshape->input(1)->constant, i64({2}, {2, -1}));
  ir::infer_shapes(graph);
  ir::verify(graph);
  EXPECT_EQ(y->shape, (ir::Shape{2, 12}));
  const std::vector<ir::Tensor> inputs = {iota({2, 3, 4})};
  const std::vector<ir::Tensor> outputs = tinyexec::reference::run(graph, inputs);
  EXPECT_EQ(outputs.at(0), iota({2, 12}));
}

}  // namespace
