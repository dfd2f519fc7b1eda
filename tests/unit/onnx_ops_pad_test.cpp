// SPDX-License-Identifier: Apache-2.0
// onnx.Pad: constant, reflect and edge modes on several dtypes, negative pads, errors.
#include <gtest/gtest.h>

#include "onnx_op_test_util.h"

using namespace onnx_op_test;

namespace {

std::vector<int64_t> ints_of(const ir::Tensor& t) {
  return t.to_int_vector();
}

ir::Attributes mode(const char* name) {
  return attrs({{"mode", std::string(name)}});
}

}  // namespace

TEST(OnnxPad, ConstantWithValue) {
  const ir::Tensor x = f32({2, 2}, {1, 2, 3, 4});
  // Axis 0: 1 before; axis 1: 2 after.
  const ir::Tensor y =
      run1("onnx.Pad", {x, i64({4}, {1, 0, 0, 2}), f32({}, {9})}, mode("constant"));
  expect_near(y, f32({3, 4}, {9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9}));
  // Without constant_value (and without the mode attribute) the padding is zero.
  expect_near(run1("onnx.Pad", {x, i64({4}, {0, 1, 0, 0})}), f32({2, 3}, {0, 1, 2, 0, 3, 4}));
}

TEST(OnnxPad, ReflectAndEdgeDocumentationExamples) {
  const ir::Tensor x = f32({3, 2}, {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f});
  const ir::Tensor pads = i64({4}, {0, 2, 0, 0});
  expect_near(
      run1("onnx.Pad", {x, pads}, mode("reflect")),
      f32({3, 4}, {1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f}));
  expect_near(
      run1("onnx.Pad", {x, pads}, mode("edge")),
      f32({3, 4}, {1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f, 3.4f, 4.5f, 4.5f, 4.5f, 5.7f}));
}

TEST(OnnxPad, ReflectWiderThanTheAxisFollowsNumpy) {
  // numpy.pad([1, 2, 3], (5, 1), 'reflect') = [2, 1, 2, 3, 2, 1, 2, 3, 2]
  const std::vector<int32_t> values{1, 2, 3};
  const ir::Tensor y =
      run1("onnx.Pad", {ir::Tensor::from<int32_t>({3}, values), i64({2}, {5, 1})}, mode("reflect"));
  ASSERT_EQ(y.dtype(), ir::DType::kInt32);
  EXPECT_EQ(ints_of(y), (std::vector<int64_t>{2, 1, 2, 3, 2, 1, 2, 3, 2}));
}

TEST(OnnxPad, IntegerTypesAndNegativePads) {
  const std::vector<int8_t> values{1, 2, 3, 4, 5, 6};
  const ir::Tensor x = ir::Tensor::from<int8_t>({2, 3}, values);
  const std::vector<int8_t> fill{-7};
  // Axis 0: crop 1 at the end; axis 1: crop 1 at the beginning, pad 1 at the end.
  const ir::Tensor y =
      run1("onnx.Pad", {x, i64({4}, {0, -1, -1, 1}), ir::Tensor::from<int8_t>({}, fill)});
  ASSERT_EQ(y.dtype(), ir::DType::kInt8);
  EXPECT_EQ(ints_of(y), (std::vector<int64_t>{2, 3, -7}));
  const ir::Tensor edge = run1("onnx.Pad", {x, i64({4}, {1, 0, 0, 1})}, mode("edge"));
  EXPECT_EQ(ints_of(edge), (std::vector<int64_t>{1, 2, 3, 3, 1, 2, 3, 3, 4, 5, 6, 6}));
  const ir::Tensor i64_padded = run1("onnx.Pad", {i64({2}, {5, 6}), i64({2}, {1, 1})});
  EXPECT_EQ(ints_of(i64_padded), (std::vector<int64_t>{0, 5, 6, 0}));
}

TEST(OnnxPad, FourDimensionalMatchesNaive) {
  const ir::Tensor x = iota({1, 2, 3, 4});
  const ir::Tensor y = run1("onnx.Pad", {x, i64({8}, {0, 0, 2, 1, 0, 1, 1, 3})}, mode("edge"));
  ASSERT_EQ(ir::shape_string(y.shape()), "[1,3,6,8]");
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t h = 0; h < 6; ++h)
      for (int64_t w = 0; w < 8; ++w) {
        const int64_t sc = std::min<int64_t>(c, 1);
        const int64_t sh = std::clamp<int64_t>(h - 2, 0, 2);
        const int64_t sw = std::clamp<int64_t>(w - 1, 0, 3);
        EXPECT_EQ(y.data<float>()[(c * 6 + h) * 8 + w], x.data<float>()[(sc * 3 + sh) * 4 + sw]);
      }
}

TEST(OnnxPad, RejectsInvalidNodes) {
  const ir::Tensor x = iota({2, 2});
  expect_error("onnx.Pad", {x, i64({2}, {1, 1})}, {}, {"pads", "expected [4]"});
  expect_error("onnx.Pad", {x, i64({4}, {0, 0, 0, 0})}, mode("wrap"),
               {"mode", "constant, reflect and edge"});
  expect_error("onnx.Pad", {x, i64({4}, {0, 0, 0, 0}), i64({}, {1})}, {},
               {"constant_value", "f32"});
  expect_error("onnx.Pad", {x, i64({4}, {-2, 0, -1, 0})}, {}, {"crop more"});
  expect_error("onnx.Pad", {x, f32({4}, {0, 0, 0, 0})}, {}, {"pads", "i64"});

  // pads computed at run time cannot give a static shape.
  ir::Graph graph;
  ir::Value* data = graph.add_value("data", ir::DType::kFloat32, {2, 2});
  ir::Value* pads = graph.add_value("pads", ir::DType::kInt64, {4});
  ir::Value* out = graph.add_value("out", ir::DType::kFloat32, {});
  ir::Node* node = graph.add_node("onnx.Pad", {data, pads}, {out}, {}, "n0");
  try {
    ir::OpRegistry::instance().get(*node).infer(*node);
    ADD_FAILURE() << "Pad accepted non-constant pads";
  } catch (const tinyexec::CompileError& error) {
    EXPECT_NE(std::string(error.what()).find("node 'n0' (onnx.Pad)"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("must be a constant"), std::string::npos);
  }
}
