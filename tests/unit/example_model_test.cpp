// SPDX-License-Identifier: Apache-2.0
// The embedded example model (examples/model/): the ONNX import plus the reference interpreter
// reproduce PyTorch's outputs within 1e-4 on all 300 bundled test inputs, and so the same
// test accuracy.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "frontends/onnx/onnx_importer.h"
#include "reference/interpreter.h"
#include "support/npy.h"

namespace ir = tinyexec::ir;

namespace {

const std::string kModelDir = std::string(TE_SOURCE_DIR) + "/examples/model/";

int64_t argmax(std::span<const float> values) {
  return std::max_element(values.begin(), values.end()) - values.begin();
}

}  // namespace

TEST(ExampleModel, ReferenceInterpreterMatchesTorch) {
  const ir::Graph graph = tinyexec::frontends::import_onnx(kModelDir + "fashion_cnn.onnx");
  const ir::Tensor inputs = tinyexec::support::read_npy(kModelDir + "test_inputs.npy");
  const ir::Tensor expected = tinyexec::support::read_npy(kModelDir + "torch_outputs.npy");
  const ir::Tensor labels = tinyexec::support::read_npy(kModelDir + "test_labels.npy");
  ASSERT_EQ(graph.inputs().size(), 1u);
  const ir::Shape input_shape = graph.inputs()[0]->shape;
  const int64_t samples = inputs.shape()[0];
  const int64_t per_sample = inputs.numel() / samples;
  const int64_t classes = expected.shape()[1];
  ASSERT_EQ(samples, 300);
  ASSERT_EQ(expected.shape()[0], samples);

  int ours_correct = 0, torch_correct = 0;
  double worst = 0;
  for (int64_t s = 0; s < samples; ++s) {
    const auto sample = inputs.data<float>().subspan(static_cast<size_t>(s * per_sample),
                                                     static_cast<size_t>(per_sample));
    const ir::Tensor input = ir::Tensor::from<float>(input_shape, sample);
    const std::vector<ir::Tensor> outputs = tinyexec::reference::run(graph, {&input, 1});
    ASSERT_EQ(outputs[0].numel(), classes);
    const auto ours = outputs[0].data<float>();
    const auto theirs = expected.data<float>().subspan(static_cast<size_t>(s * classes),
                                                       static_cast<size_t>(classes));
    for (int64_t c = 0; c < classes; ++c) {
      const double difference = std::fabs(ours[c] - theirs[c]);
      worst = std::max(worst, difference);
      ASSERT_LE(difference, 1e-4) << "sample " << s << " class " << c;
    }
    const int64_t label = labels.as_int(s);
    ours_correct += argmax(ours) == label;
    torch_correct += argmax(theirs) == label;
  }
  EXPECT_EQ(ours_correct, torch_correct);
  std::printf("example model: %d/300 correct (torch: %d/300), max |difference| %.2e\n",
              ours_correct, torch_correct, worst);
}
