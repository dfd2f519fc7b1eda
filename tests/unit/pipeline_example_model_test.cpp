// SPDX-License-Identifier: Apache-2.0
// The whole compile flow on the embedded example model: quantize (calibrated on the bundled
// calibration images), export the QDQ graph, lower to cortex_m ops, and run the int8 kernels on
// the host over the 300 bundled test images. The int8 model must agree with the fake-quantized
// (QDQ) float reference on top-1 for at least 99% of the images (today 297 of 300: the other
// three are near-ties that the integer arithmetic of the kernels resolves differently from the
// float QDQ reference; the issue asks for all, still open), and its accuracy must stay within
// one percentage point of the float model's.
#include <gtest/gtest.h>

#include <algorithm>

#include "frontends/onnx/onnx_importer.h"
#include "support/npy.h"
#include "testing/tester.h"

namespace ir = tinyexec::ir;

namespace {

const std::string kModelDir = std::string(TE_SOURCE_DIR) + "/examples/model/";

int64_t argmax(const ir::Tensor& tensor) {
  const auto values = tensor.data<float>();
  return std::max_element(values.begin(), values.end()) - values.begin();
}

}  // namespace

TEST(PipelineExampleModel, Int8MatchesQdqReferenceAndFloatAccuracy) {
  ir::Graph graph = tinyexec::frontends::import_onnx(kModelDir + "fashion_cnn.onnx");
  auto calibration =
      tinyexec::quantizer::load_stacked_samples(graph, kModelDir + "calibration.npy");
  const auto tests = tinyexec::quantizer::load_stacked_samples(graph, kModelDir + "test_inputs.npy");
  const ir::Tensor labels = tinyexec::support::read_npy(kModelDir + "test_labels.npy");
  ASSERT_EQ(tests.size(), 300u);

  tinyexec::testing::Tester tester(std::move(graph), std::move(calibration));
  tester.quantize().export_().to_edge().run_passes();
  EXPECT_TRUE(tester.lowering_report().float_nodes.empty()) << tester.lowering_report().to_string();
  // conv 3x3 stem, 3 pointwise convs; 2 depthwise; max pool; avg pool 2x2 and the global one;
  // the residual add; the linear head; softmax; quantize/dequantize at the edges, and a reshape
  // where NCHW -> NHWC only moves the single input channel (and the flatten).
  EXPECT_NO_THROW(tester.test_dialect({{"cortex_m.quantize", 1},
                                       {"cortex_m.quantized_conv2d", 4},
                                       {"cortex_m.quantized_depthwise_conv2d", 2},
                                       {"cortex_m.max_pool2d", 1},
                                       {"cortex_m.avg_pool2d", 2},
                                       {"cortex_m.quantized_add", 1},
                                       {"cortex_m.reshape", 2},
                                       {"cortex_m.quantized_linear", 1},
                                       {"cortex_m.softmax", 1},
                                       {"cortex_m.dequantize", 1}}));

  int float_correct = 0, int8_correct = 0, agree_with_qdq = 0;
  for (size_t i = 0; i < tests.size(); ++i) {
    const int64_t label = labels.as_int(static_cast<int64_t>(i));
    const int64_t float_class = argmax(tester.run_float(tests[i])[0]);
    const int64_t qdq_class = argmax(tester.run_qdq(tests[i])[0]);
    const int64_t int8_class = argmax(tester.run_lowered(tests[i])[0]);
    float_correct += float_class == label;
    int8_correct += int8_class == label;
    agree_with_qdq += int8_class == qdq_class;
  }
  std::printf("example model on 300 test images: float %d correct, int8 %d correct, "
              "int8 agrees with the QDQ reference on %d\n",
              float_correct, int8_correct, agree_with_qdq);
  EXPECT_GE(agree_with_qdq, 297);
  EXPECT_LE(std::abs(float_correct - int8_correct), 3);  // 1 percentage point of 300
}
