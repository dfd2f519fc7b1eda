// SPDX-License-Identifier: Apache-2.0
// onnx.Conv and onnx.ConvTranspose: hand-computed values (the ONNX operator documentation's
// examples) and independent naive 2-D implementations for padding, stride, dilation, groups.
#include <gtest/gtest.h>

#include "onnx_op_test_util.h"

using namespace onnx_op_test;
using Ints = std::vector<int64_t>;

namespace {

// Naive 2-D convolution: copy X into an explicitly zero-padded buffer, then slide.
ir::Tensor naive_conv2d(const ir::Tensor& x, const ir::Tensor& w, const ir::Tensor* b,
                        int64_t group, Ints strides, Ints dilations, Ints pads) {
  const ir::Shape& xs = x.shape();
  const ir::Shape& ws = w.shape();
  const int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3];
  const int64_t M = ws[0], CG = ws[1], KH = ws[2], KW = ws[3];
  const int64_t PH = H + pads[0] + pads[2], PW = W + pads[1] + pads[3];
  std::vector<float> padded(static_cast<size_t>(N * C * PH * PW), 0.0f);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t v = 0; v < W; ++v)
          padded[((n * C + c) * PH + h + pads[0]) * PW + v + pads[1]] =
              x.data<float>()[((n * C + c) * H + h) * W + v];
  const int64_t OH = (PH - (KH - 1) * dilations[0] - 1) / strides[0] + 1;
  const int64_t OW = (PW - (KW - 1) * dilations[1] - 1) / strides[1] + 1;
  ir::Tensor y(ir::DType::kFloat32, {N, M, OH, OW});
  const int64_t MG = M / group;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = b != nullptr ? b->data<float>()[m] : 0.0;
          for (int64_t cg = 0; cg < CG; ++cg)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t c = (m / MG) * CG + cg;
                const int64_t ph = oh * strides[0] + kh * dilations[0];
                const int64_t pw = ow * strides[1] + kw * dilations[1];
                acc += padded[((n * C + c) * PH + ph) * PW + pw] *
                       w.data<float>()[((m * CG + cg) * KH + kh) * KW + kw];
              }
          y.data<float>()[((n * M + m) * OH + oh) * OW + ow] = static_cast<float>(acc);
        }
  return y;
}

// Naive 2-D transposed convolution in gather form: output o receives input i through tap k
// when i * stride + k * dilation - pad_begin == o.
ir::Tensor naive_conv_transpose2d(const ir::Tensor& x, const ir::Tensor& w, const ir::Tensor* b,
                                  int64_t group, Ints strides, Ints dilations, Ints pads,
                                  Ints output_padding) {
  const ir::Shape& xs = x.shape();
  const ir::Shape& ws = w.shape();
  const int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3];
  const int64_t MG = ws[1], KH = ws[2], KW = ws[3], M = MG * group, CG = C / group;
  const int64_t OH =
      strides[0] * (H - 1) + output_padding[0] + (KH - 1) * dilations[0] + 1 - pads[0] - pads[2];
  const int64_t OW =
      strides[1] * (W - 1) + output_padding[1] + (KW - 1) * dilations[1] + 1 - pads[1] - pads[3];
  ir::Tensor y(ir::DType::kFloat32, {N, M, OH, OW});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = b != nullptr ? b->data<float>()[m] : 0.0;
          const int64_t g = m / MG;
          for (int64_t cg = 0; cg < CG; ++cg)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t th = oh + pads[0] - kh * dilations[0];
                const int64_t tw = ow + pads[1] - kw * dilations[1];
                if (th < 0 || tw < 0 || th % strides[0] != 0 || tw % strides[1] != 0) continue;
                const int64_t ih = th / strides[0], iw = tw / strides[1];
                if (ih >= H || iw >= W) continue;
                const int64_t c = g * CG + cg;
                acc += x.data<float>()[((n * C + c) * H + ih) * W + iw] *
                       w.data<float>()[((c * MG + (m % MG)) * KH + kh) * KW + kw];
              }
          y.data<float>()[((n * M + m) * OH + oh) * OW + ow] = static_cast<float>(acc);
        }
  return y;
}

ir::Tensor ones(ir::Shape shape) {
  return iota(std::move(shape), 0.0f, 1.0f);
}

}  // namespace

TEST(OnnxConv, BasicWithAndWithoutPadding) {
  // ONNX documentation example: 5x5 input 0..24, 3x3 kernel of ones.
  const ir::Tensor x = iota({1, 1, 5, 5});
  const ir::Tensor w = ones({1, 1, 3, 3});
  expect_near(
      run1("onnx.Conv", {x, w}, attrs({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}})),
      f32({1, 1, 5, 5}, {12,  21, 27, 33,  24,  33,  54,  63, 72,  51,  63,  99, 108,
                         117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84}));
  expect_near(run1("onnx.Conv", {x, w}),
              f32({1, 1, 3, 3}, {54, 63, 72, 99, 108, 117, 144, 153, 162}));
}

TEST(OnnxConv, StridesAndAsymmetricPadding) {
  // ONNX documentation example: 7x5 input, pads only on H, stride 2.
  const ir::Tensor x = iota({1, 1, 7, 5});
  const ir::Tensor w = ones({1, 1, 3, 3});
  expect_near(
      run1("onnx.Conv", {x, w}, attrs({{"pads", Ints{1, 0, 1, 0}}, {"strides", Ints{2, 2}}})),
      f32({1, 1, 4, 2}, {21, 33, 99, 117, 189, 207, 171, 183}));
}

TEST(OnnxConv, GroupsStridesDilationsBiasMatchNaive) {
  const ir::Tensor x = pseudo_random({2, 4, 9, 8}, 1);
  const ir::Tensor w = pseudo_random({6, 2, 3, 2}, 2);
  const ir::Tensor b = pseudo_random({6}, 3);
  const Ints strides{2, 1}, dilations{2, 3}, pads{1, 2, 0, 1};
  const ir::Tensor y = run1(
      "onnx.Conv", {x, w, b},
      attrs(
          {{"group", int64_t{2}}, {"strides", strides}, {"dilations", dilations}, {"pads", pads}}));
  expect_near(y, naive_conv2d(x, w, &b, 2, strides, dilations, pads));
}

TEST(OnnxConv, DepthwiseWithChannelMultiplierMatchesNaive) {
  const ir::Tensor x = pseudo_random({1, 3, 6, 6}, 4);
  const ir::Tensor w = pseudo_random({6, 1, 3, 3}, 5);  // two filters per input channel
  const ir::Tensor y = run1("onnx.Conv", {x, w, std::nullopt},
                            attrs({{"group", int64_t{3}}, {"pads", Ints{1, 1, 1, 1}}}));
  expect_near(y, naive_conv2d(x, w, nullptr, 3, {1, 1}, {1, 1}, {1, 1, 1, 1}));
}

TEST(OnnxConv, OneDimensionalAndAutoPad) {
  const ir::Tensor x = f32({1, 1, 4}, {1, 2, 3, 4});
  expect_near(run1("onnx.Conv", {x, f32({1, 1, 3}, {1, 0, -1})}, attrs({{"pads", Ints{1, 1}}})),
              f32({1, 1, 4}, {-2, -2, -2, 3}));
  // Kernel 2 with SAME padding: the one padding element goes at the end (SAME_UPPER) or at the
  // beginning (SAME_LOWER).
  const ir::Tensor w = f32({1, 1, 2}, {1, 10});
  expect_near(run1("onnx.Conv", {x, w}, attrs({{"auto_pad", std::string("SAME_UPPER")}})),
              f32({1, 1, 4}, {21, 32, 43, 4}));
  expect_near(run1("onnx.Conv", {x, w}, attrs({{"auto_pad", std::string("SAME_LOWER")}})),
              f32({1, 1, 4}, {10, 21, 32, 43}));
  expect_near(run1("onnx.Conv", {x, w}, attrs({{"auto_pad", std::string("VALID")}})),
              f32({1, 1, 3}, {21, 32, 43}));
  // SAME with stride 2: ceil(5 / 2) = 3 outputs, total padding 2 split evenly.
  expect_near(run1("onnx.Conv", {f32({1, 1, 5}, {1, 2, 3, 4, 5}), ones({1, 1, 3})},
                   attrs({{"auto_pad", std::string("SAME_UPPER")}, {"strides", Ints{2}}})),
              f32({1, 1, 3}, {3, 9, 9}));
}

TEST(OnnxConv, ThreeDimensional) {
  const ir::Tensor x = iota({1, 1, 2, 2, 2}, 1.0f, 1.0f);  // 1..8
  expect_near(run1("onnx.Conv", {x, ones({2, 1, 2, 2, 2}), f32({2}, {1, -1})}),
              f32({1, 2, 1, 1, 1}, {37, 35}));
}

TEST(OnnxConv, ReportsMacs) {
  // 1 x 6 x 4 x 4 outputs, each 2 channels x 3 x 3 taps.
  EXPECT_EQ(
      macs("onnx.Conv", {iota({1, 4, 6, 6}), iota({6, 2, 3, 3})}, attrs({{"group", int64_t{2}}})),
      6 * 4 * 4 * 2 * 3 * 3);
}

TEST(OnnxConv, RejectsInvalidNodes) {
  const ir::Tensor x = iota({1, 4, 5, 5});
  expect_error("onnx.Conv", {x, iota({2, 3, 3, 3})}, attrs({{"group", int64_t{2}}}),
               {"group", "channels per group"});
  expect_error("onnx.Conv", {x, iota({2, 4, 3, 3})}, attrs({{"kernel_shape", Ints{2, 2}}}),
               {"kernel_shape"});
  expect_error("onnx.Conv", {x, iota({2, 4, 3, 3}), iota({3})}, {}, {"bias", "[2]"});
  expect_error("onnx.Conv", {x, iota({2, 4, 3, 3})}, attrs({{"auto_pad", std::string("SAME")}}),
               {"auto_pad", "SAME_UPPER"});
  expect_error("onnx.Conv", {x, iota({2, 4, 3, 3})}, attrs({{"pads", Ints{1, 1}}}),
               {"pads", "expected 4"});
  expect_error("onnx.Conv", {x, iota({2, 4, 3, 3})}, attrs({{"strides", Ints{0, 1}}}), {"strides"});
  expect_error("onnx.Conv", {x, iota({2, 4, 7, 3})}, {}, {"larger than the padded input"});
  expect_error("onnx.Conv", {iota({1, 4}), iota({2, 4})}, {}, {"spatial axes"});
  expect_error(
      "onnx.Conv",
      {ir::Tensor(ir::DType::kInt8, {1, 4, 5, 5}), ir::Tensor(ir::DType::kInt8, {2, 4, 3, 3})}, {},
      {"i8", "only f32"});
}

TEST(OnnxConvTranspose, DocumentationExample) {
  const ir::Tensor x = iota({1, 1, 3, 3});
  const ir::Tensor channel = f32({25}, {0,  1,  3, 3,  2,  3,  8,  15, 12, 7,  9,  21, 36,
                                        27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8});
  std::vector<float> both(channel.data<float>().begin(), channel.data<float>().end());
  both.insert(both.end(), both.begin(), both.end());
  expect_near(run1("onnx.ConvTranspose", {x, ones({1, 2, 3, 3})}), f32({1, 2, 5, 5}, both));
}

TEST(OnnxConvTranspose, StridesPadsDilationsGroupsMatchNaive) {
  const ir::Tensor x = pseudo_random({2, 4, 3, 4}, 6);
  const ir::Tensor w = pseudo_random({4, 3, 3, 2}, 7);  // group 2: 6 output channels
  const ir::Tensor b = pseudo_random({6}, 8);
  const Ints strides{2, 3}, dilations{1, 2}, pads{1, 0, 2, 1}, output_padding{1, 0};
  const ir::Tensor y = run1("onnx.ConvTranspose", {x, w, b},
                            attrs({{"group", int64_t{2}},
                                   {"strides", strides},
                                   {"dilations", dilations},
                                   {"pads", pads},
                                   {"output_padding", output_padding}}));
  expect_near(y, naive_conv_transpose2d(x, w, &b, 2, strides, dilations, pads, output_padding));
}

TEST(OnnxConvTranspose, OutputShapeAndAutoPad) {
  // x = [1, 2], kernel [1, 1, 1], stride 2: the full result is [1, 1, 3, 2, 2].
  const ir::Tensor x = f32({1, 1, 2}, {1, 2});
  const ir::Tensor w = ones({1, 1, 3});
  auto with = [](std::initializer_list<std::pair<const std::string, ir::Attribute>> extra) {
    ir::Attributes a = attrs(extra);
    a.set("strides", Ints{2});
    return a;
  };
  expect_near(run1("onnx.ConvTranspose", {x, w}, with({})), f32({1, 1, 5}, {1, 1, 3, 2, 2}));
  expect_near(run1("onnx.ConvTranspose", {x, w}, with({{"pads", Ints{1, 1}}})),
              f32({1, 1, 3}, {1, 3, 2}));
  // SAME: output = input * stride = 4; the odd padding element is cut at the end (SAME_UPPER)
  // or at the beginning (SAME_LOWER).
  expect_near(run1("onnx.ConvTranspose", {x, w}, with({{"auto_pad", std::string("SAME_UPPER")}})),
              f32({1, 1, 4}, {1, 1, 3, 2}));
  expect_near(run1("onnx.ConvTranspose", {x, w}, with({{"auto_pad", std::string("SAME_LOWER")}})),
              f32({1, 1, 4}, {1, 3, 2, 2}));
  // output_shape: smaller cuts padding (more at the beginning), larger appends zeros.
  expect_near(run1("onnx.ConvTranspose", {x, w}, with({{"output_shape", Ints{3}}})),
              f32({1, 1, 3}, {1, 3, 2}));
  expect_near(run1("onnx.ConvTranspose", {x, w}, with({{"output_shape", Ints{6}}})),
              f32({1, 1, 6}, {1, 1, 3, 2, 2, 0}));
  expect_near(run1("onnx.ConvTranspose", {x, w}, with({{"output_shape", Ints{1, 1, 5}}})),
              f32({1, 1, 5}, {1, 1, 3, 2, 2}));
}

TEST(OnnxConvTranspose, ReportsMacs) {
  EXPECT_EQ(macs("onnx.ConvTranspose", {iota({1, 2, 3, 3}), iota({2, 4, 2, 2})}),
            2 * 3 * 3 * 4 * 2 * 2);
}

TEST(OnnxConvTranspose, RejectsInvalidNodes) {
  const ir::Tensor x = iota({1, 2, 3, 3});
  expect_error("onnx.ConvTranspose", {x, iota({3, 1, 3, 3})}, {}, {"input channels 2"});
  expect_error("onnx.ConvTranspose", {x, iota({2, 1, 3, 3})},
               attrs({{"strides", Ints{2, 2}}, {"output_padding", Ints{2, 0}}}),
               {"output_padding"});
  expect_error("onnx.ConvTranspose", {x, iota({2, 1, 3, 3})}, attrs({{"pads", Ints{3, 0, 3, 0}}}),
               {"leave no output"});
  expect_error("onnx.ConvTranspose", {x, iota({2, 1, 3, 3})}, attrs({{"output_shape", Ints{5}}}),
               {"output_shape"});
}
