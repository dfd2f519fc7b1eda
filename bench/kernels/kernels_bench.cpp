// SPDX-License-Identifier: Apache-2.0
// Executed instructions of the int8 kernels on representative layer shapes (the shapes of the
// CMSIS-NN comparison in bench/RESULTS.md), per MAC or per element. Random data; the counts do
// not depend on it except through rare data-dependent branches (clamps).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench.h"
#include "tinyexec/kernels/conv.h"
#include "tinyexec/kernels/depthwise_conv.h"
#include "tinyexec/kernels/elementwise.h"
#include "tinyexec/kernels/fully_connected.h"
#include "tinyexec/kernels/pooling.h"
#include "tinyexec/kernels/quantize.h"
#include "tinyexec/kernels/softmax.h"
#include "tinyexec/target/icount.h"

namespace tk = tinyexec::kernels;

namespace {

alignas(16) int8_t g_input[48 * 48 * 16];
alignas(16) int8_t g_input2[8 * 8 * 64];
alignas(16) int8_t g_filter[640 * 128];  // the largest: fully connected 640 -> 128
alignas(16) int8_t g_output[48 * 48 * 16];
alignas(16) int8_t g_scratch[64 * 1024];
int32_t g_bias[128];
int32_t g_multiplier[128];
int32_t g_shift[128];

uint32_t g_state = 12345;
void fill(int8_t* data, int32_t count) {
  for (int32_t i = 0; i < count; ++i) {
    g_state = g_state * 1664525u + 1013904223u;
    data[i] = static_cast<int8_t>(g_state >> 24);
  }
}

tinyexec::target::InstructionCounter* g_counter;

void report(const char* name, uint64_t instructions, uint32_t work, const char* unit,
            tk::Status status) {
  if (status != tk::Status::kOk) {
    std::printf("bench %s failed: %s\n", name, tk::status_name(status));
    std::exit(1);
  }
  tinyexec::bench::report("kernels", name, instructions, work, unit);
}

// A convolution (depthwise when `depthwise`) with SAME padding.
void conv(const char* name, int32_t h, int32_t w, int32_t c_in, int32_t c_out, int32_t k,
          int32_t stride, bool depthwise) {
  const int32_t out_h = (h + stride - 1) / stride, out_w = (w + stride - 1) / stride;
  const tk::Dims4 in{1, h, w, c_in};
  const tk::Dims4 filter = depthwise ? tk::Dims4{1, k, k, c_out} : tk::Dims4{c_out, k, k, c_in};
  const tk::Dims4 out{1, out_h, out_w, c_out};
  tk::Conv2dParams p;
  p.stride_h = p.stride_w = stride;
  const int32_t pad_total_h = (out_h - 1) * stride + k - h,
                pad_total_w = (out_w - 1) * stride + k - w;
  p.pad_h = pad_total_h > 0 ? pad_total_h / 2 : 0;
  p.pad_w = pad_total_w > 0 ? pad_total_w / 2 : 0;
  p.input_offset = 128;
  p.output_offset = -128;
  fill(g_input, h * w * c_in);
  fill(g_filter, filter.n * k * k * filter.c);
  for (int32_t c = 0; c < c_out; ++c) {
    g_bias[c] = 1000 * c;
    g_multiplier[c] = 1 << 30;
    g_shift[c] = -9;
  }
  const tk::PerChannelQuant quant{{g_multiplier, static_cast<size_t>(c_out)},
                                  {g_shift, static_cast<size_t>(c_out)}};
  const tk::Span<const int8_t> input{g_input, static_cast<size_t>(h * w * c_in)};
  const tk::Span<const int8_t> weights{g_filter, static_cast<size_t>(filter.n * k * k * filter.c)};
  const tk::Span<const int32_t> bias{g_bias, static_cast<size_t>(c_out)};
  const tk::Span<int8_t> output{g_output, static_cast<size_t>(out_h * out_w * c_out)};
  const tk::Span<int8_t> scratch{g_scratch, sizeof g_scratch};
  g_counter->start();
  const tk::Status status =
      depthwise ? tk::depthwise_conv2d_s8(p, quant, in, input, filter, weights, bias, out, output,
                                          scratch)
                : tk::conv2d_s8(p, quant, in, input, filter, weights, bias, out, output, scratch);
  const uint64_t instructions = g_counter->stop();
  const uint32_t macs =
      static_cast<uint32_t>(out_h * out_w * c_out * k * k * (depthwise ? 1 : c_in));
  report(name, instructions, macs, "MAC", status);
}

void fully_connected(const char* name, int32_t depth, int32_t outputs) {
  fill(g_input, depth);
  fill(g_filter, depth * outputs);
  tk::FullyConnectedParams p;
  p.input_offset = 128;
  p.output_offset = -128;
  const tk::FullyConnectedShape shape{1, depth, outputs};
  // The kernel sums (bias and input offset folded), as the compiler stores them in the program
  // (Linear.kernel_sums).
  static int32_t sums[1024];
  const tk::Span<int32_t> sums_span{sums, static_cast<size_t>(outputs)};
  if (tk::fully_connected_s8_kernel_sums(p, shape, {g_filter, static_cast<size_t>(depth * outputs)},
                                         {g_bias, static_cast<size_t>(outputs)},
                                         sums_span) != tk::Status::kOk) {
    std::printf("fully_connected_s8_kernel_sums failed\n");
  }
  g_counter->start();
  const tk::Status status = tk::fully_connected_s8(
      p, tk::PerTensorQuant{1 << 30, -9}, shape, {g_input, static_cast<size_t>(depth)},
      {g_filter, static_cast<size_t>(depth * outputs)}, {g_bias, static_cast<size_t>(outputs)},
      {g_output, static_cast<size_t>(outputs)}, {g_scratch, sizeof g_scratch},
      {sums, static_cast<size_t>(outputs)});
  const uint64_t instructions = g_counter->stop();
  report(name, instructions, static_cast<uint32_t>(depth * outputs), "MAC", status);
}

}  // namespace

int main() {
  tinyexec::target::InstructionCounter counter;
  g_counter = &counter;
  conv("conv 3x3 32x32x3 -> 16", 32, 32, 3, 16, 3, 1, false);
  conv("conv 3x3 32x32x16 -> 16", 32, 32, 16, 16, 3, 1, false);
  conv("conv 3x3 16x16x32 -> 32", 16, 16, 32, 32, 3, 1, false);
  conv("conv 3x3 8x8x64 -> 64", 8, 8, 64, 64, 3, 1, false);
  conv("conv 1x1 48x48x8 -> 16", 48, 48, 8, 16, 1, 1, false);
  conv("conv 1x1 24x24x32 -> 32", 24, 24, 32, 32, 1, 1, false);
  conv("conv 1x1 12x12x64 -> 64", 12, 12, 64, 64, 1, 1, false);
  conv("conv 1x1 25x5x64 -> 64", 25, 5, 64, 64, 1, 1, false);
  conv("depthwise 3x3 48x48x16 s1", 48, 48, 16, 16, 3, 1, true);
  conv("depthwise 3x3 24x24x32 s2", 24, 24, 32, 32, 3, 2, true);
  conv("depthwise 3x3 25x5x64 s1", 25, 5, 64, 64, 3, 1, true);
  fully_connected("fully connected 640 -> 128", 640, 128);
  fully_connected("fully connected 64 -> 12", 64, 12);

  {  // add 8x8x64 (TFLite's usual parameters)
    const tk::Dims4 d{1, 8, 8, 64};
    fill(g_input, 4096);
    fill(g_input2, 4096);
    const tk::AddParams p{128, 128, 20, {1 << 30, 0}, {1 << 30, 0}, {1 << 30, -19}, -128, {}};
    counter.start();
    const tk::Status status =
        tk::add_s8(p, d, {g_input, 4096}, d, {g_input2, 4096}, d, {g_output, 4096});
    report("add 8x8x64", counter.stop(), 4096, "element", status);
  }
  {  // global average pool 8x8x64
    const tk::Dims4 in{1, 8, 8, 64}, out{1, 1, 1, 64};
    fill(g_input, 4096);
    const tk::PoolParams p{8, 8, 1, 1, 0, 0, {}};
    counter.start();
    const tk::Status status =
        tk::avg_pool_s8(p, in, {g_input, 4096}, out, {g_output, 64}, {g_scratch, sizeof g_scratch});
    report("avg pool global 8x8x64", counter.stop(), 4096, "element", status);
  }
  {  // max pool 2x2 stride 2, 16x16x32
    const tk::Dims4 in{1, 16, 16, 32}, out{1, 8, 8, 32};
    fill(g_input, 8192);
    const tk::PoolParams p{2, 2, 2, 2, 0, 0, {}};
    counter.start();
    const tk::Status status = tk::max_pool_s8(p, in, {g_input, 8192}, out, {g_output, 2048});
    report("max pool 2x2 16x16x32", counter.stop(), 8192, "element", status);
  }
  {  // softmax over 1000 elements (the golden case's parameters)
    fill(g_input, 1000);
    const tk::SoftmaxParams p{1077952640, 19, -3968};
    counter.start();
    const tk::Status status = tk::softmax_s8(p, 1, 1000, {g_input, 1000}, {g_output, 1000});
    report("softmax 1000", counter.stop(), 1000, "element", status);
  }

  // Rows beyond the table (other element-wise and quantize kernels).
  {  // add 8x8x64 with unequal input scales (TFLite: the smaller one is rescaled with rounding)
    const tk::Dims4 d{1, 8, 8, 64};
    fill(g_input, 4096);
    fill(g_input2, 4096);
    const tk::AddParams p{128, 128, 20, {1 << 30, 0}, {1518500250, -1}, {1 << 30, -19}, -128, {}};
    counter.start();
    const tk::Status status =
        tk::add_s8(p, d, {g_input, 4096}, d, {g_input2, 4096}, d, {g_output, 4096});
    report("add 8x8x64 (unequal input scales)", counter.stop(), 4096, "element", status);
  }
  {  // mul 8x8x64
    const tk::Dims4 d{1, 8, 8, 64};
    fill(g_input, 4096);
    fill(g_input2, 4096);
    const tk::MulParams p{128, 128, {1 << 30, -8}, -128, {}};
    counter.start();
    const tk::Status status =
        tk::mul_s8(p, d, {g_input, 4096}, d, {g_input2, 4096}, d, {g_output, 4096});
    report("mul 8x8x64", counter.stop(), 4096, "element", status);
  }
  {  // maximum 8x8x64
    const tk::Dims4 d{1, 8, 8, 64};
    fill(g_input, 4096);
    fill(g_input2, 4096);
    counter.start();
    const tk::Status status =
        tk::maximum_s8(d, {g_input, 4096}, d, {g_input2, 4096}, d, {g_output, 4096});
    report("maximum 8x8x64", counter.stop(), 4096, "element", status);
  }
  {  // LUT activation over 4096 elements
    fill(g_input, 4096);
    fill(g_input2, 256);
    counter.start();
    const tk::Status status = tk::lut_s8(4096, {g_input, 4096}, {g_input2, 256}, {g_output, 4096});
    report("lut 4096", counter.stop(), 4096, "element", status);
  }
  {  // quantize / dequantize 1024 elements
    static float values[1024];
    for (int32_t i = 0; i < 1024; ++i) values[i] = static_cast<float>(i - 512) * 0.0371f;
    const tk::AffineQuant quant{0.05f, 3};
    counter.start();
    tk::Status status = tk::quantize_f32_s8(quant, 1024, {values, 1024}, {g_output, 1024});
    report("quantize 1024", counter.stop(), 1024, "element", status);
    fill(g_input, 1024);
    counter.start();
    status = tk::dequantize_s8_f32(quant, 1024, {g_input, 1024}, {values, 1024});
    report("dequantize 1024", counter.stop(), 1024, "element", status);
  }
  return 0;
}
