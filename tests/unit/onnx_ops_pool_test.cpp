// SPDX-License-Identifier: Apache-2.0
// onnx.MaxPool, onnx.AveragePool, onnx.GlobalAveragePool, onnx.GlobalMaxPool: hand-computed
// values and a naive 2-D pooling written here.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "onnx_op_test_util.h"

using namespace onnx_op_test;
using Ints = std::vector<int64_t>;

namespace {

// Naive 2-D pooling over explicit windows: max, or average over the in-input elements.
ir::Tensor naive_pool2d(const ir::Tensor& x, bool max, Ints kernel, Ints strides, Ints dilations,
                        Ints pads, int64_t OH, int64_t OW) {
  const ir::Shape& s = x.shape();
  const int64_t P = s[0] * s[1], H = s[2], W = s[3];
  ir::Tensor y(ir::DType::kFloat32, {s[0], s[1], OH, OW});
  for (int64_t p = 0; p < P; ++p)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        std::vector<float> window;
        for (int64_t kh = 0; kh < kernel[0]; ++kh)
          for (int64_t kw = 0; kw < kernel[1]; ++kw) {
            const int64_t h = oh * strides[0] - pads[0] + kh * dilations[0];
            const int64_t w = ow * strides[1] - pads[1] + kw * dilations[1];
            if (h >= 0 && h < H && w >= 0 && w < W)
              window.push_back(x.data<float>()[(p * H + h) * W + w]);
          }
        float value = 0;
        if (max) {
          value = *std::max_element(window.begin(), window.end());
        } else {
          for (float v : window) value += v;
          value /= static_cast<float>(window.size());
        }
        y.data<float>()[(p * OH + oh) * OW + ow] = value;
      }
  return y;
}

}  // namespace

TEST(OnnxMaxPool, KernelTwoStrideTwo) {
  const ir::Tensor x = f32({1, 1, 4, 4}, {1, 5, 2, 0, 3, 4, 8, 1, 0, 0, -1, -2, 9, 0, -3, -4});
  expect_near(
      run1("onnx.MaxPool", {x}, attrs({{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}})),
      f32({1, 1, 2, 2}, {5, 8, 9, -1}));
}

TEST(OnnxMaxPool, PadsCeilModeDilationsMatchNaive) {
  const ir::Tensor x = pseudo_random({2, 3, 9, 10}, 1);
  // H: span 9 + 1 + 2 - 5 = 7, ceil(7 / 2) + 1 = 5. W: extent 3, span 10 + 0 + 1 - 3 = 8,
  // ceil(8 / 3) + 1 = 4.
  const ir::Tensor y = run1("onnx.MaxPool", {x},
                            attrs({{"kernel_shape", Ints{3, 2}},
                                   {"strides", Ints{2, 3}},
                                   {"dilations", Ints{2, 2}},
                                   {"pads", Ints{1, 0, 2, 1}},
                                   {"ceil_mode", int64_t{1}}}));
  expect_near(y, naive_pool2d(x, true, {3, 2}, {2, 3}, {2, 2}, {1, 0}, 5, 4));
}

TEST(OnnxMaxPool, CeilModeDropsWindowStartingInEndPadding) {
  // 5 inputs, kernel 2, stride 2, pads 1 and 1: ceil gives 4 windows, but the 4th would start
  // at index 5, in the end padding, so there are 3 (PyTorch and ONNX agree).
  const ir::Tensor x = f32({1, 1, 5}, {1, 5, 2, 3, 4});
  expect_near(run1("onnx.MaxPool", {x},
                   attrs({{"kernel_shape", Ints{2}},
                          {"strides", Ints{2}},
                          {"pads", Ints{1, 1}},
                          {"ceil_mode", int64_t{1}}})),
              f32({1, 1, 3}, {1, 5, 4}));
}

TEST(OnnxMaxPool, Int8PaddingNeverWins) {
  const std::vector<int8_t> values{-128, -100, -5, -7};
  const ir::Tensor x = ir::Tensor::from<int8_t>({1, 1, 2, 2}, values);
  const ir::Tensor y = run1(
      "onnx.MaxPool", {x},
      attrs({{"kernel_shape", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}}));
  ASSERT_EQ(y.dtype(), ir::DType::kInt8);
  const std::vector<int8_t> got(y.data<int8_t>().begin(), y.data<int8_t>().end());
  EXPECT_EQ(got, (std::vector<int8_t>{-128, -100, -5, -7}));
}

TEST(OnnxMaxPool, IndicesInBothStorageOrders) {
  // 2 channels of 2 x 3; the maxima of the 2 x 2 windows (stride 1) sit at known places.
  const ir::Tensor x = f32({1, 2, 2, 3}, {0, 9, 1, 2, 3, 8,  //
                                          7, 0, 0, 0, 0, 6});
  ir::Attributes a = attrs({{"kernel_shape", Ints{2, 2}}});
  std::vector<ir::Tensor> out = run("onnx.MaxPool", {x}, a, 2);
  expect_near(out[0], f32({1, 2, 1, 2}, {9, 9, 7, 6}));
  // Row major: channel 0 (0,1) -> 1 twice; channel 1 (0,0) -> 6 + 0, (1,2) -> 6 + 5.
  EXPECT_EQ(out[1].to_int_vector(), (std::vector<int64_t>{1, 1, 6, 11}));
  a.set("storage_order", int64_t{1});
  out = run("onnx.MaxPool", {x}, a, 2);
  // Column major (index = w * H + h): (0,1) -> 2; (0,0) -> 6 + 0; (1,2) -> 6 + 5.
  EXPECT_EQ(out[1].to_int_vector(), (std::vector<int64_t>{2, 2, 6, 11}));
}

TEST(OnnxMaxPool, ThreeDimensionalAndUint8) {
  const std::vector<uint8_t> values{1, 200, 3, 4, 5, 6, 7, 255};
  const ir::Tensor y = run1("onnx.MaxPool", {ir::Tensor::from<uint8_t>({1, 1, 2, 2, 2}, values)},
                            attrs({{"kernel_shape", Ints{2, 2, 1}}}));
  ASSERT_EQ(ir::shape_string(y.shape()), "[1,1,1,1,2]");
  EXPECT_EQ(y.data<uint8_t>()[0], 7);
  EXPECT_EQ(y.data<uint8_t>()[1], 255);
}

TEST(OnnxMaxPool, RejectsInvalidNodes) {
  const ir::Tensor x = iota({1, 1, 4, 4});
  expect_error("onnx.MaxPool", {x}, {}, {"kernel_shape", "missing"});
  expect_error("onnx.MaxPool", {x}, attrs({{"kernel_shape", Ints{2}}}),
               {"kernel_shape", "expected 2"});
  expect_error("onnx.MaxPool", {x},
               attrs({{"kernel_shape", Ints{2, 2}}, {"storage_order", int64_t{2}}}),
               {"storage_order"});
  expect_error("onnx.MaxPool", {x},
               attrs({{"kernel_shape", Ints{2, 2}},
                      {"auto_pad", std::string("SAME_UPPER")},
                      {"pads", Ints{1, 1, 1, 1}}}),
               {"pads", "auto_pad"});
  expect_error("onnx.MaxPool", {x}, attrs({{"kernel_shape", Ints{5, 5}}}),
               {"larger than the padded input"});
  expect_error("onnx.MaxPool", {i64({1, 1, 2, 2}, {1, 2, 3, 4})},
               attrs({{"kernel_shape", Ints{2, 2}}}), {"i64", "f32, i8 and u8"});
}

TEST(OnnxAveragePool, CountIncludePad) {
  const ir::Tensor x = f32({1, 1, 4}, {1, 2, 3, 4});
  ir::Attributes a = attrs({{"kernel_shape", Ints{3}}, {"pads", Ints{1, 1}}});
  expect_near(run1("onnx.AveragePool", {x}, a), f32({1, 1, 4}, {1.5f, 2, 3, 3.5f}));
  a.set("count_include_pad", int64_t{1});
  expect_near(run1("onnx.AveragePool", {x}, a), f32({1, 1, 4}, {1, 2, 3, 7.0f / 3.0f}));
}

TEST(OnnxAveragePool, CeilModeWindowPastTheInput) {
  // The last window covers index 4 and index 5, which is past the input and not padding:
  // it averages x[4] alone with or without count_include_pad.
  const ir::Tensor x = f32({1, 1, 5}, {1, 2, 3, 4, 5});
  ir::Attributes a =
      attrs({{"kernel_shape", Ints{2}}, {"strides", Ints{2}}, {"ceil_mode", int64_t{1}}});
  expect_near(run1("onnx.AveragePool", {x}, a), f32({1, 1, 3}, {1.5f, 3.5f, 5}));
  a.set("count_include_pad", int64_t{1});
  expect_near(run1("onnx.AveragePool", {x}, a), f32({1, 1, 3}, {1.5f, 3.5f, 5}));
}

TEST(OnnxAveragePool, SameUpperAndLowerMatchNaive) {
  const ir::Tensor x = pseudo_random({1, 2, 7, 6}, 2);
  // Output ceil(7/2) x ceil(6/2) = 4 x 3. Total padding H: 3*2 + 3 - 7 = 2, W: 2*2 + 3 - 6 = 1.
  const ir::Tensor upper = run1("onnx.AveragePool", {x},
                                attrs({{"kernel_shape", Ints{3, 3}},
                                       {"strides", Ints{2, 2}},
                                       {"auto_pad", std::string("SAME_UPPER")}}));
  expect_near(upper, naive_pool2d(x, false, {3, 3}, {2, 2}, {1, 1}, {1, 0}, 4, 3));
  const ir::Tensor lower = run1("onnx.AveragePool", {x},
                                attrs({{"kernel_shape", Ints{3, 3}},
                                       {"strides", Ints{2, 2}},
                                       {"auto_pad", std::string("SAME_LOWER")}}));
  expect_near(lower, naive_pool2d(x, false, {3, 3}, {2, 2}, {1, 1}, {1, 1}, 4, 3));
}

TEST(OnnxAveragePool, ThreeDimensional) {
  const ir::Tensor x = iota({1, 1, 2, 2, 2}, 1.0f, 1.0f);  // 1..8
  expect_near(run1("onnx.AveragePool", {x}, attrs({{"kernel_shape", Ints{2, 2, 2}}})),
              f32({1, 1, 1, 1, 1}, {4.5f}));
}

TEST(OnnxAveragePool, RejectsInvalidNodes) {
  expect_error("onnx.AveragePool", {ir::Tensor(ir::DType::kInt8, {1, 1, 4, 4})},
               attrs({{"kernel_shape", Ints{2, 2}}}), {"i8", "only f32"});
  expect_error("onnx.AveragePool", {iota({1, 4})}, attrs({{"kernel_shape", Ints{2}}}),
               {"spatial axes"});
  expect_error("onnx.AveragePool", {iota({1, 1, 4, 4})},
               attrs({{"kernel_shape", Ints{2, 2}}, {"count_include_pad", int64_t{3}}}),
               {"count_include_pad"});
}

TEST(OnnxGlobalPool, AverageAndMax) {
  const ir::Tensor x = f32({1, 2, 2, 2}, {1, 2, 3, 4, -1, -8, -3, -2});
  expect_near(run1("onnx.GlobalAveragePool", {x}), f32({1, 2, 1, 1}, {2.5f, -3.5f}));
  expect_near(run1("onnx.GlobalMaxPool", {x}), f32({1, 2, 1, 1}, {4, -1}));
  expect_near(run1("onnx.GlobalAveragePool", {iota({2, 1, 3})}), f32({2, 1, 1}, {1, 4}));
  expect_error("onnx.GlobalAveragePool", {iota({2, 3})}, {}, {"spatial axes"});
  expect_error("onnx.GlobalAveragePool", {i64({1, 1, 1}, {1})}, {}, {"i64", "only f32"});
}
