// SPDX-License-Identifier: Apache-2.0
// cortex_m.quantized_add / quantized_mul / maximum / minimum, avg_pool2d / max_pool2d and
// softmax: one-node graphs with hand-set quantization and params run through reference::run,
// compared with hand-computed values and with a float computation on the dequantized values
// re-quantized (within one output quantum); error cases name the node.
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


// --- add / mul

// TFLite's int8 Add params (what the params pass computes): left shift 20, both inputs moved
// to twice the larger scale.
ir::Attributes add_params(float s1, float s2, float so, ir::Attributes a = {}) {
  const double twice_max = 2.0 * std::max(s1, s2);
  const auto [m1, sh1] = multiplier_of(s1 / twice_max);
  const auto [m2, sh2] = multiplier_of(s2 / twice_max);
  const auto [mo, sho] = multiplier_of(twice_max / ((1 << 20) * double{so}));
  a.set("left_shift", int64_t{20});
  a.set("input1_multiplier", m1);
  a.set("input1_shift", sh1);
  a.set("input2_multiplier", m2);
  a.set("input2_shift", sh2);
  a.set("output_multiplier", mo);
  a.set("output_shift", sho);
  return a;
}

TEST(CortexMAdd, HandComputedBroadcast) {
  // a = [1, 2] * 0.5 = [0.5, 1.0]; b = [4] * 0.25 = 1.0 broadcast; sum [1.5, 2.0] at scale 0.5.
  const Args args = {Arg{i8({2}, {1, 2}), per_tensor(0.5f, 0)},
                     Arg{i8({1}, {4}), per_tensor(0.25f, 0)}};
  const ir::Tensor y =
      run("cortex_m.quantized_add", args, per_tensor(0.5f, 0), add_params(0.5f, 0.25f, 0.5f));
  EXPECT_EQ(y.shape(), (ir::Shape{2}));
  EXPECT_EQ(values_of(y), (std::vector<int8_t>{3, 4}));
  // With zero points: a zp 1 -> [0, 0.5], output zp -10 -> [1 / 0.5 - 10, 1.5 / 0.5 - 10].
  const Args shifted = {Arg{i8({2}, {1, 2}), per_tensor(0.5f, 1)}, args[1]};
  EXPECT_EQ(values_of(run("cortex_m.quantized_add", shifted, per_tensor(0.5f, -10),
                          add_params(0.5f, 0.25f, 0.5f))),
            (std::vector<int8_t>{-8, -7}));
}

TEST(CortexMAdd, MatchesFloat) {
  const ir::QuantParams aq = per_tensor(0.07f, -5), bq = per_tensor(0.03f, 12),
                        yq = per_tensor(0.09f, 3);
  const ir::Tensor a = random_i8({2, 3, 4, 5}, 41), b = random_i8({4, 1}, 42);
  const ir::Tensor y =
      run("cortex_m.quantized_add", {Arg{a, aq}, Arg{b, bq}}, yq,
          add_params(0.07f, 0.03f, 0.09f, attrs({{"activation_min", int64_t{-100}}})));
  ASSERT_EQ(y.shape(), (ir::Shape{2, 3, 4, 5}));
  std::vector<int> expected;
  const auto av = a.data<int8_t>(), bv = b.data<int8_t>();
  for (size_t i = 0; i < av.size(); ++i) {
    const size_t h = (i / 5) % 4;  // b [4, 1] broadcasts along the last axis
    expected.push_back(
        quantize_ref(dequant(av[i], 0.07f, -5) + dequant(bv[h], 0.03f, 12), yq, -100, 127));
  }
  expect_within_one(y, expected);
}

TEST(CortexMAdd, Errors) {
  const Args args = {Arg{i8({2}, {1, 2}), per_tensor(0.5f, 0)},
                     Arg{i8({1}, {4}), per_tensor(0.25f, 0)}};
  const std::string op = "cortex_m.quantized_add";
  ir::Attributes missing = add_params(0.5f, 0.25f, 0.5f);
  missing.erase("input2_shift");
  expect_error(op, args, per_tensor(0.5f, 0), missing, "(params) attribute 'input2_shift'");
  ir::Attributes bad_shift = add_params(0.5f, 0.25f, 0.5f);
  bad_shift.set("left_shift", int64_t{30});
  expect_error(op, args, per_tensor(0.5f, 0), bad_shift, "'left_shift' is 30");
  expect_error(op, {args[0], Arg{args[1]->tensor, std::nullopt}}, per_tensor(0.5f, 0),
               add_params(0.5f, 0.25f, 0.5f), "input 1 ('in1') has no quantization");
  expect_error(op, {args[0], Arg{i8({3}, {1, 2, 3}), per_tensor(0.25f, 0)}}, per_tensor(0.5f, 0),
               add_params(0.5f, 0.25f, 0.5f), "do not broadcast");
  expect_error(op, {args[0], Arg{i32({1}, {4}), per_tensor(0.25f, 0)}}, per_tensor(0.5f, 0),
               add_params(0.5f, 0.25f, 0.5f), "is i32, it must be i8");
  expect_error(op, args, ir::QuantParams{{0.5f, 0.5f}, {0, 0}, 0}, add_params(0.5f, 0.25f, 0.5f),
               "only per-tensor");
}

TEST(CortexMMul, HandComputedAndFloat) {
  // (3 - 1) * 0.5 * (4 * 0.25) = 1.0 at output scale 0.125 -> 8.
  const auto [m, s] = multiplier_of(0.5 * 0.25 / 0.125);
  const ir::Attributes p = attrs({{"output_multiplier", m}, {"output_shift", s}});
  EXPECT_EQ(values_of(run(
                "cortex_m.quantized_mul",
                {Arg{i8({1}, {3}), per_tensor(0.5f, 1)}, Arg{i8({1}, {4}), per_tensor(0.25f, 0)}},
                per_tensor(0.125f, 0), p)),
            std::vector<int8_t>{8});
  const ir::QuantParams aq = per_tensor(0.05f, 4), bq = per_tensor(0.04f, -9),
                        yq = per_tensor(0.02f, -1);
  const ir::Tensor a = random_i8({3, 7}, 51), b = random_i8({3, 7}, 52);
  const auto [m2, s2] = multiplier_of(0.05 * 0.04 / 0.02);
  const ir::Tensor y = run("cortex_m.quantized_mul", {Arg{a, aq}, Arg{b, bq}}, yq,
                           attrs({{"output_multiplier", m2}, {"output_shift", s2}}));
  std::vector<int> expected;
  for (size_t i = 0; i < 21; ++i) {
    expected.push_back(quantize_ref(
        dequant(a.data<int8_t>()[i], 0.05f, 4) * dequant(b.data<int8_t>()[i], 0.04f, -9), yq));
  }
  expect_within_one(y, expected);
  expect_error("cortex_m.quantized_mul", {Arg{a, aq}, Arg{b, bq}}, yq, {},
               "(params) attribute 'output_multiplier'");
}

TEST(CortexMMaximumMinimum, HandComputed) {
  const ir::QuantParams q = per_tensor(0.1f, 3);
  const Args args = {Arg{i8({2, 2}, {1, -5, 7, 0}), q}, Arg{i8({2}, {2, -6}), q}};
  EXPECT_EQ(values_of(run("cortex_m.maximum", args, q, {})), (std::vector<int8_t>{2, -5, 7, 0}));
  EXPECT_EQ(values_of(run("cortex_m.minimum", args, q, {})), (std::vector<int8_t>{1, -6, 2, -6}));
  expect_error("cortex_m.maximum", {args[0], Arg{args[1]->tensor, per_tensor(0.2f, 3)}}, q, {},
               "must equal input 0's");
  expect_error("cortex_m.minimum", args, per_tensor(0.1f, 4), {}, "output quantization");
}

// --- pooling

TEST(CortexMPool, HandComputed) {
  // 1 x 3 x 3 x 1 input 1..9, 2x2 windows, stride 1, pads (top, left, bottom, right) 0, 0, 1, 1:
  // the windows at the bottom / right edge see only the valid positions.
  const ir::QuantParams q = per_tensor(0.5f, 0);
  const Args args = {Arg{i8({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), q}};
  const ir::Attributes a = attrs({{"kernel", Ints{2, 2}}, {"pads", Ints{0, 0, 1, 1}}});
  const ir::Tensor mx = run("cortex_m.max_pool2d", args, q, a);
  EXPECT_EQ(mx.shape(), (ir::Shape{1, 3, 3, 1}));
  EXPECT_EQ(values_of(mx), (std::vector<int8_t>{5, 6, 6, 8, 9, 9, 8, 9, 9}));
  // Means: (1+2+4+5)/4 = 3, (2+3+5+6)/4 = 4, (3+6)/2 = 4.5 -> 5 (half away from zero), ...
  EXPECT_EQ(values_of(run("cortex_m.avg_pool2d", args, q, a)),
            (std::vector<int8_t>{3, 4, 5, 6, 7, 8, 8, 9, 9}));
  // activation clamp and stride 2 (VALID): one window.
  EXPECT_EQ(values_of(run("cortex_m.max_pool2d", args, q,
                          attrs({{"kernel", Ints{2, 2}},
                                 {"strides", Ints{2, 2}},
                                 {"activation_max", int64_t{4}}}))),
            std::vector<int8_t>{4});
}

TEST(CortexMPool, MatchesFloat) {
  const ir::QuantParams q = per_tensor(0.1f, -20);
  const ir::Tensor x = random_i8({2, 7, 6, 3}, 61);
  const ir::Attributes a =
      attrs({{"kernel", Ints{3, 2}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 0, 1, 1}}});
  // Output: h (7 + 2 - 3) / 2 + 1 = 4, w (6 + 1 - 2) / 2 + 1 = 3.
  const ir::Tensor avg = run("cortex_m.avg_pool2d", {Arg{x, q}}, q, a);
  const ir::Tensor mx = run("cortex_m.max_pool2d", {Arg{x, q}}, q, a);
  ASSERT_EQ(avg.shape(), (ir::Shape{2, 4, 3, 3}));
  std::vector<int> expected_avg, expected_max;
  const auto xs = x.data<int8_t>();
  for (int n = 0; n < 2; ++n)
    for (int oy = 0; oy < 4; ++oy)
      for (int ox = 0; ox < 3; ++ox)
        for (int c = 0; c < 3; ++c) {
          double sum = 0, best = -1e9;
          int count = 0;
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 2; ++j) {
              const int iy = oy * 2 - 1 + i, ix = ox * 2 + j;
              if (iy < 0 || iy >= 7 || ix >= 6) continue;
              const double v = dequant(xs[((n * 7 + iy) * 6 + ix) * 3 + c], 0.1f, -20);
              sum += v;
              best = std::max(best, v);
              ++count;
            }
          expected_avg.push_back(quantize_ref(sum / count, q));
          expected_max.push_back(quantize_ref(best, q));
        }
  expect_within_one(avg, expected_avg);
  EXPECT_EQ(std::vector<int>(mx.data<int8_t>().begin(), mx.data<int8_t>().end()), expected_max);
}

TEST(CortexMPool, Errors) {
  const ir::QuantParams q = per_tensor(0.5f, 0);
  const Args args = {Arg{random_i8({1, 4, 4, 2}, 3), q}};
  expect_error("cortex_m.avg_pool2d", args, q, {}, "attribute 'kernel' is missing");
  expect_error("cortex_m.max_pool2d", args, per_tensor(0.25f, 0), attrs({{"kernel", Ints{2, 2}}}),
               "must equal input 0's");
  expect_error("cortex_m.max_pool2d", {Arg{args[0]->tensor, std::nullopt}}, q,
               attrs({{"kernel", Ints{2, 2}}}), "has no quantization");
  expect_error("cortex_m.avg_pool2d", args, q,
               attrs({{"kernel", Ints{2, 2}}, {"pads", Ints{2, 0, 0, 0}}}), "attribute 'pads'");
  expect_error("cortex_m.avg_pool2d", {Arg{random_i8({4, 4, 2}, 3), q}}, q,
               attrs({{"kernel", Ints{2, 2}}}), "rank 4");
}

// --- softmax

// TFLite's PreprocessSoftmaxScaling(beta 1, input_scale, 5 integer bits) and diff_min.
ir::Attributes softmax_params(float input_scale) {
  const double real = std::min(double{input_scale} * (1 << 26), 2147483647.0);
  const auto [m, shift] = multiplier_of(real);
  const double radius = 31.0 * (int64_t{1} << 26) / static_cast<double>(int64_t{1} << shift);
  return attrs({{"input_multiplier", m},
                {"input_left_shift", shift},
                {"diff_min", static_cast<int64_t>(-std::floor(radius))}});
}

TEST(CortexMSoftmax, HandComputedAndFloat) {
  const ir::QuantParams out = per_tensor(1.0f / 256, -128);
  // Equal values: each probability 1/4 = 64/256 -> 64 - 128.
  EXPECT_EQ(values_of(run("cortex_m.softmax", {Arg{i8({1, 4}, {5, 5, 5, 5}), per_tensor(0.1f, 0)}},
                          out, softmax_params(0.1f))),
            (std::vector<int8_t>{-64, -64, -64, -64}));
  const ir::QuantParams q = per_tensor(0.06f, 10);
  const ir::Tensor x = random_i8({3, 2, 10}, 71);
  const ir::Tensor y = run("cortex_m.softmax", {Arg{x, q}}, out, softmax_params(0.06f));
  std::vector<int> expected;
  const auto xs = x.data<int8_t>();
  for (int r = 0; r < 6; ++r) {
    double sum = 0;
    for (int c = 0; c < 10; ++c) sum += std::exp(dequant(xs[r * 10 + c], 0.06f, 10));
    for (int c = 0; c < 10; ++c) {
      expected.push_back(quantize_ref(std::exp(dequant(xs[r * 10 + c], 0.06f, 10)) / sum, out));
    }
  }
  expect_within_one(y, expected);
}

TEST(CortexMSoftmax, Errors) {
  const Args args = {Arg{i8({1, 4}, {5, 5, 5, 5}), per_tensor(0.1f, 0)}};
  ir::Attributes missing = softmax_params(0.1f);
  missing.erase("diff_min");
  expect_error("cortex_m.softmax", args, per_tensor(1.0f / 256, -128), missing,
               "(params) attribute 'diff_min'");
  expect_error("cortex_m.softmax", args, per_tensor(0.1f, 0), softmax_params(0.1f),
               "scale 1/256, zero point -128");
  expect_error("cortex_m.softmax", {Arg{args[0]->tensor, std::nullopt}},
               per_tensor(1.0f / 256, -128), softmax_params(0.1f), "has no quantization");
}

}  // namespace
