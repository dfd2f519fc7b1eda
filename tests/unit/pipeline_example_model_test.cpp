// SPDX-License-Identifier: Apache-2.0
// The whole compile flow on the embedded example model: quantize (calibrated on the bundled
// calibration images), export the QDQ graph, lower to cortex_m ops, and run the int8 kernels on
// the host over the 300 bundled test images. The int8 model's top-1 class must be a top-1 class
// of the fake-quantized (QDQ) float reference on every image (a top class of the reference:
// its softmax output is quantized to 1/256, so two classes can tie exactly, and then either is
// its top-1), and its accuracy must stay within one percentage point of the float model's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "frontends/onnx/onnx_importer.h"
#include "support/npy.h"
#include "testing/tester.h"

namespace ir = tinyexec::ir;

namespace {

// TE_EXAMPLE_MODEL_DIR evaluates a retrained model (examples/model/train.py --out DIR).
const std::string kModelDir = std::getenv("TE_EXAMPLE_MODEL_DIR") != nullptr
                                  ? std::string(std::getenv("TE_EXAMPLE_MODEL_DIR")) + "/"
                                  : std::string(TE_SOURCE_DIR) + "/examples/model/";

int64_t argmax(const ir::Tensor& tensor) {
  const auto values = tensor.data<float>();
  return std::max_element(values.begin(), values.end()) - values.begin();
}

// Whether `index` holds the largest value of the tensor (ties included).
bool is_top(const ir::Tensor& tensor, int64_t index) {
  const auto values = tensor.data<float>();
  return values[static_cast<size_t>(index)] == *std::max_element(values.begin(), values.end());
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
  // conv 3x3 stem, 3 pointwise convs; 2 depthwise; the two max pools; the global avg pool;
  // the residual add; the linear head; softmax; quantize/dequantize at the edges, and a reshape
  // where NCHW -> NHWC only moves the single input channel (and the flatten).
  EXPECT_NO_THROW(tester.test_dialect({{"cortex_m.quantize", 1},
                                       {"cortex_m.quantized_conv2d", 4},
                                       {"cortex_m.quantized_depthwise_conv2d", 2},
                                       {"cortex_m.max_pool2d", 2},
                                       {"cortex_m.avg_pool2d", 1},
                                       {"cortex_m.quantized_add", 1},
                                       {"cortex_m.reshape", 2},
                                       {"cortex_m.quantized_linear", 1},
                                       {"cortex_m.softmax", 1},
                                       {"cortex_m.dequantize", 1}}));

  int float_correct = 0, int8_correct = 0, agree_with_qdq = 0, qdq_ties = 0;
  for (size_t i = 0; i < tests.size(); ++i) {
    const int64_t label = labels.as_int(static_cast<int64_t>(i));
    const int64_t float_class = argmax(tester.run_float(tests[i])[0]);
    const ir::Tensor qdq = tester.run_qdq(tests[i])[0];
    const int64_t int8_class = argmax(tester.run_lowered(tests[i])[0]);
    float_correct += float_class == label;
    int8_correct += int8_class == label;
    const bool agrees = is_top(qdq, int8_class);
    agree_with_qdq += agrees;
    qdq_ties += agrees && int8_class != argmax(qdq);
    EXPECT_TRUE(agrees) << "image " << i << ": int8 top-1 class " << int8_class
                        << ", QDQ reference " << argmax(qdq);
  }
  std::printf("example model on 300 test images: float %d correct, int8 %d correct, "
              "int8 top-1 is the QDQ reference's top-1 on %d (%d of them an exact tie there)\n",
              float_correct, int8_correct, agree_with_qdq, qdq_ties);
  EXPECT_EQ(agree_with_qdq, 300);
  EXPECT_LE(std::abs(float_correct - int8_correct), 3);  // 1 percentage point of 300
}
