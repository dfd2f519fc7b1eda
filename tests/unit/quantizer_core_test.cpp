// SPDX-License-Identifier: Apache-2.0
// Quantizer: observers, parameter arithmetic, weight/bias quantization (hand-computed values).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "quantizer/observer.h"
#include "quantizer/weights.h"

namespace tinyexec::quantizer {
namespace {

TEST(QuantizerParams, TfliteZeroPointAndScale) {
  // [-1, 3]: scale 4/255, zero point round(1 / (4/255)) - 128 = round(63.75) - 128 = -64.
  ActivationParams p = activation_params({-1.0f, 3.0f});
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -64);
  // [0.5, 2] widens to [0, 2]: zero point -128.
  p = activation_params({0.5f, 2.0f});
  EXPECT_FLOAT_EQ(p.scale, 2.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -128);
  // [-2, -1] widens to [-2, 0]: zero point 255 - 128 = 127.
  p = activation_params({-2.0f, -1.0f});
  EXPECT_FLOAT_EQ(p.scale, 2.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 127);
  // [-6, 6]: scale 12/255, zero point round(127.5) - 128 = 0.
  p = activation_params({-6.0f, 6.0f});
  EXPECT_FLOAT_EQ(p.scale, 12.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 0);
  // Empty range: any scale works; 1 and -128 (q = -128 is real 0).
  p = activation_params({0.0f, 0.0f});
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, -128);
  EXPECT_THROW(activation_params({0.0f, INFINITY}), CompileError);
}

TEST(QuantizerObserver, MinMaxTracksExtremes) {
  MinMaxObserver observer;
  EXPECT_FALSE(observer.seen());
  const std::vector<float> a = {0.5f, 2.0f, 1.0f};
  const std::vector<float> b = {-0.25f, 1.5f};
  observer.update(a);
  observer.update(b);
  EXPECT_TRUE(observer.seen());
  EXPECT_EQ(observer.range().min, -0.25f);
  EXPECT_EQ(observer.range().max, 2.0f);
}

// 100000 values spread evenly over [-1, 1] plus one outlier at 100: min-max stretches to 100,
// the 99.99th percentile of |x| clips it to about 1.
TEST(QuantizerObserver, HistogramClipsOutliers) {
  std::vector<float> values;
  for (int i = 0; i < 100000; ++i)
    values.push_back(-1.0f + 2.0f * static_cast<float>(i) / 99999.0f);
  MinMaxObserver minmax;
  HistogramObserver histogram;
  // In two batches, the second with the outlier, so the histogram's range has to grow.
  const std::vector<float> first(values.begin(), values.begin() + 50000);
  std::vector<float> second(values.begin() + 50000, values.end());
  second.push_back(100.0f);
  for (Observer* o : {static_cast<Observer*>(&minmax), static_cast<Observer*>(&histogram)}) {
    o->update(first);
    o->update(second);
  }
  EXPECT_EQ(minmax.range().max, 100.0f);
  const Range clipped = histogram.range();
  // Bins are 1/2048 of the covered range (128 after doubling from 1): the threshold is the
  // upper edge of the bin holding |x| = 0.9999, i.e. 1.0.
  EXPECT_NEAR(clipped.max, 1.0f, 128.0f / 2048.0f);
  EXPECT_GE(clipped.max, 0.9999f);
  EXPECT_NEAR(clipped.min, -1.0f, 1e-6f);  // the observed minimum, inside the threshold
}

TEST(QuantizerObserver, HistogramWithoutOutliersKeepsRange) {
  HistogramObserver histogram(2048, 100.0);
  const std::vector<float> values = {0.0f, 0.25f, 3.0f};
  histogram.update(values);
  EXPECT_EQ(histogram.range().min, 0.0f);
  EXPECT_EQ(histogram.range().max, 3.0f);
}

TEST(QuantizerWeights, ConvPerChannelSymmetric) {
  // Two output channels: max|w| 2.54 and 0.127 -> scales 0.02 and 0.001.
  const std::vector<float> w = {2.54f, -1.0f, 0.5f, -2.54f, 0.127f, -0.0635f, 0.001f, 0.0f};
  const ir::Tensor weight = ir::Tensor::from<float>({2, 1, 2, 2}, w);
  const QuantizedTensor q = quantize_weight(weight, 0);
  ASSERT_EQ(q.scales.size(), 2u);
  EXPECT_FLOAT_EQ(q.scales[0], 2.54f / 127.0f);
  EXPECT_FLOAT_EQ(q.scales[1], 0.127f / 127.0f);
  const auto values = q.values.data<int8_t>();
  const std::vector<int8_t> expected = {127, -50, 25, -127, 127, -64, 1, 0};  // -63.5 -> -64
  EXPECT_EQ(std::vector<int8_t>(values.begin(), values.end()), expected);
}

TEST(QuantizerWeights, PerTensorAndAxisOne) {
  const std::vector<float> w = {1.0f, -4.0f, 2.0f, 0.5f};  // [2, 2]
  const ir::Tensor weight = ir::Tensor::from<float>({2, 2}, w);
  const QuantizedTensor per_tensor = quantize_weight(weight, -1);
  ASSERT_EQ(per_tensor.scales.size(), 1u);
  EXPECT_FLOAT_EQ(per_tensor.scales[0], 4.0f / 127.0f);
  const auto a = per_tensor.values.data<int8_t>();
  EXPECT_EQ(std::vector<int8_t>(a.begin(), a.end()), (std::vector<int8_t>{32, -127, 64, 16}));
  // Axis 1 (columns): max|col 0| = 2, max|col 1| = 4.
  const QuantizedTensor columns = quantize_weight(weight, 1);
  ASSERT_EQ(columns.scales.size(), 2u);
  EXPECT_FLOAT_EQ(columns.scales[0], 2.0f / 127.0f);
  EXPECT_FLOAT_EQ(columns.scales[1], 4.0f / 127.0f);
  const auto b = columns.values.data<int8_t>();
  EXPECT_EQ(std::vector<int8_t>(b.begin(), b.end()), (std::vector<int8_t>{64, -127, 127, 16}));
}

TEST(QuantizerWeights, BiasInt32WithProductScale) {
  const std::vector<float> b = {0.5f, -0.25f};
  const ir::Tensor bias = ir::Tensor::from<float>({2}, b);
  const QuantizedTensor q = quantize_bias(bias, 0.1f, {0.01f, 0.001f}, 0);
  ASSERT_EQ(q.scales.size(), 2u);
  EXPECT_FLOAT_EQ(q.scales[0], 0.1f * 0.01f);
  EXPECT_FLOAT_EQ(q.scales[1], 0.1f * 0.001f);
  const auto values = q.values.data<int32_t>();
  EXPECT_EQ(values[0], 500);
  EXPECT_EQ(values[1], -2500);
  EXPECT_EQ(q.values.dtype(), ir::DType::kInt32);
}

}  // namespace
}  // namespace tinyexec::quantizer
