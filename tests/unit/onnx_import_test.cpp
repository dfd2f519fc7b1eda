// SPDX-License-Identifier: Apache-2.0
// The ONNX importer: models built here with the protobuf API, imported, and checked against
// the graph they must become (ops, shapes, constants) and against naive computations.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_importer.h"
#include "frontends/onnx/tensor_proto.h"
#include "ir/op_registry.h"
#include "reference/interpreter.h"

namespace ir = tinyexec::ir;
namespace fe = tinyexec::frontends;
using tinyexec::CompileError;

namespace {

constexpr int64_t kSymbolic = -1;  // a dimension written as dim_param "N"

struct ModelBuilder {
  onnx::ModelProto model;
  onnx::GraphProto* graph;

  explicit ModelBuilder(int opset) {
    model.set_ir_version(8);
    auto* entry = model.add_opset_import();
    entry->set_domain("");
    entry->set_version(opset);
    graph = model.mutable_graph();
    graph->set_name("test");
  }

  static void set_type(onnx::ValueInfoProto* info, const std::string& name, int elem_type,
                       const std::vector<int64_t>* dims) {
    info->set_name(name);
    auto* type = info->mutable_type()->mutable_tensor_type();
    type->set_elem_type(elem_type);
    if (dims == nullptr) return;
    auto* shape = type->mutable_shape();
    for (int64_t dim : *dims) {
      if (dim == kSymbolic) {
        shape->add_dim()->set_dim_param("N");
      } else {
        shape->add_dim()->set_dim_value(dim);
      }
    }
  }
  void input(const std::string& name, std::vector<int64_t> dims,
             int elem_type = onnx::TensorProto::FLOAT) {
    set_type(graph->add_input(), name, elem_type, &dims);
  }
  void output(const std::string& name, int elem_type = onnx::TensorProto::FLOAT) {
    set_type(graph->add_output(), name, elem_type, nullptr);
  }
  void output(const std::string& name, std::vector<int64_t> dims,
              int elem_type = onnx::TensorProto::FLOAT) {
    set_type(graph->add_output(), name, elem_type, &dims);
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> inputs,
                        std::vector<std::string> outputs, const std::string& name = "") {
    auto* node = graph->add_node();
    node->set_op_type(op);
    node->set_name(name);
    for (const auto& input : inputs) node->add_input(input);
    for (const auto& output : outputs) node->add_output(output);
    return node;
  }
  onnx::TensorProto* floats(const std::string& name, std::vector<int64_t> dims,
                            std::vector<float> values) {
    auto* tensor = graph->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t dim : dims) tensor->add_dims(dim);
    for (float value : values) tensor->add_float_data(value);
    return tensor;
  }
  onnx::TensorProto* ints(const std::string& name, std::vector<int64_t> dims,
                          std::vector<int64_t> values) {
    auto* tensor = graph->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::INT64);
    for (int64_t dim : dims) tensor->add_dims(dim);
    // raw_data here (float_data above), so both encodings are exercised.
    tensor->set_raw_data(
        std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t)));
    return tensor;
  }
};

void set_ints(onnx::NodeProto* node, const std::string& name, std::vector<int64_t> values) {
  auto* attribute = node->add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values) attribute->add_ints(value);
}
void set_int(onnx::NodeProto* node, const std::string& name, int64_t value) {
  auto* attribute = node->add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(value);
}

fe::ImportOptions quiet() {
  fe::ImportOptions options;
  options.warn = [](const std::string&) {};
  return options;
}

ir::Graph import(const ModelBuilder& builder, const fe::ImportOptions& options = quiet()) {
  return fe::import_onnx_model(builder.model, options);
}

// The error message of importing the model (fails the test if it imports).
std::string import_error(const ModelBuilder& builder, const fe::ImportOptions& options = quiet()) {
  try {
    fe::import_onnx_model(builder.model, options);
  } catch (const CompileError& error) {
    return error.what();
  }
  ADD_FAILURE() << "the import succeeded";
  return {};
}

std::vector<std::string> ops_of(const ir::Graph& graph) {
  std::vector<std::string> ops;
  for (const ir::Node* node : graph.nodes()) ops.push_back(node->op);
  return ops;
}

std::vector<float> iota(size_t count, float start, float step) {
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = start + step * static_cast<float>(i);
  return values;
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

}  // namespace

// Conv (2 filters 2x2 on 1x3x3) -> Relu -> Flatten -> Gemm (3 outputs): the IR graph and its
// numbers against a direct computation.
TEST(OnnxImport, ConvReluFlattenGemm) {
  ModelBuilder b(13);
  b.input("x", {1, 1, 3, 3});
  const std::vector<float> w = {1, 0, 0, -1, 0.5f, 0.5f, 0.5f, 0.5f};
  const std::vector<float> bias = {0.25f, -1};
  const std::vector<float> fc = iota(24, -1, 0.1f);
  const std::vector<float> fc_bias = {1, 2, 3};
  b.floats("w", {2, 1, 2, 2}, w);
  b.floats("b", {2}, bias);
  b.floats("fc", {3, 8}, fc);
  b.floats("fc_b", {3}, fc_bias);
  set_ints(b.node("Conv", {"x", "w", "b"}, {"c"}, "conv1"), "kernel_shape", {2, 2});
  b.node("Relu", {"c"}, {"r"}, "relu1");
  b.node("Flatten", {"r"}, {"f"}, "flatten");
  set_int(b.node("Gemm", {"f", "fc", "fc_b"}, {"y"}, "fc1"), "transB", 1);
  b.output("y", {1, 3});

  const ir::Graph graph = import(b);
  EXPECT_EQ(ops_of(graph),
            (std::vector<std::string>{"onnx.Conv", "onnx.Relu", "onnx.Flatten", "onnx.Gemm"}));
  const ir::Node* conv = graph.nodes()[0];
  EXPECT_EQ(conv->name, "conv1");
  EXPECT_EQ(conv->output()->shape, (ir::Shape{1, 2, 2, 2}));
  ASSERT_TRUE(conv->input(1)->is_constant());
  EXPECT_EQ(conv->input(1)->constant->data<float>()[3], -1.0f);
  EXPECT_EQ(conv->attrs.get_ints("kernel_shape"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(graph.nodes()[2]->output()->shape, (ir::Shape{1, 8}));
  ASSERT_EQ(graph.outputs().size(), 1u);
  EXPECT_EQ(graph.outputs()[0]->name, "y");
  EXPECT_EQ(graph.outputs()[0]->shape, (ir::Shape{1, 3}));

  const std::vector<float> x = iota(9, -2, 0.5f);
  // Direct computation: conv (no padding, stride 1), relu, flatten in NCHW order, x * fc^T + b.
  std::vector<float> flat;
  for (int o = 0; o < 2; ++o) {
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        float sum = bias[o];
        for (int ki = 0; ki < 2; ++ki) {
          for (int kj = 0; kj < 2; ++kj) sum += x[(i + ki) * 3 + j + kj] * w[o * 4 + ki * 2 + kj];
        }
        flat.push_back(std::max(sum, 0.0f));
      }
    }
  }
  const std::vector<ir::Tensor> inputs = {ir::Tensor::from<float>({1, 1, 3, 3}, x)};
  const std::vector<ir::Tensor> outputs = tinyexec::reference::run(graph, inputs);
  ASSERT_EQ(outputs.size(), 1u);
  for (int n = 0; n < 3; ++n) {
    float expected = fc_bias[n];
    for (int k = 0; k < 8; ++k) expected += flat[k] * fc[n * 8 + k];
    EXPECT_NEAR(outputs[0].data<float>()[n], expected, 1e-5) << n;
  }
}

// torch.flatten(x, 1) as PyTorch exports it: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)),
// [-1])). Everything but the Reshape is known at compile time and must fold away.
TEST(OnnxImport, PyTorchShapeChainFoldsAway) {
  for (const int opset : {11, 13}) {
    SCOPED_TRACE(opset);
    ModelBuilder b(opset);
    b.input("x", {kSymbolic, 2, 3, 4});
    b.node("Relu", {"x"}, {"r"});
    b.node("Shape", {"r"}, {"s"});
    auto* zero = b.node("Constant", {}, {"zero"});
    auto* value = zero->add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::TENSOR);
    value->mutable_t()->set_data_type(onnx::TensorProto::INT64);
    value->mutable_t()->add_int64_data(0);
    set_int(b.node("Gather", {"s", "zero"}, {"batch"}), "axis", 0);
    if (opset < 13) {
      set_ints(b.node("Unsqueeze", {"batch"}, {"batch1"}), "axes", {0});
    } else {
      b.ints("axes0", {1}, {0});
      b.node("Unsqueeze", {"batch", "axes0"}, {"batch1"});
    }
    b.ints("minus_one", {1}, {-1});
    set_int(b.node("Concat", {"batch1", "minus_one"}, {"shape"}), "axis", 0);
    b.node("Reshape", {"r", "shape"}, {"y"});
    b.output("y", {kSymbolic, 24});

    const ir::Graph graph = import(b);
    EXPECT_EQ(ops_of(graph), (std::vector<std::string>{"onnx.Relu", "onnx.Reshape"}));
    const ir::Node* reshape = graph.nodes()[1];
    ASSERT_TRUE(reshape->input(1)->is_constant());
    EXPECT_EQ(reshape->input(1)->constant->to_int_vector(), (std::vector<int64_t>{1, -1}));
    EXPECT_EQ(graph.outputs()[0]->shape, (ir::Shape{1, 24}));
    // Nothing left over: the folded values and the initializers only they used are gone.
    for (const auto& v : graph.values()) {
      EXPECT_TRUE(v->producer != nullptr || !v->users.empty() || v.get() == graph.inputs()[0])
          << v->name << " is dead";
    }
  }
}

// Opset 11 Squeeze/Unsqueeze carry their axes as an attribute; the IR (opset 13) as an input.
TEST(OnnxImport, Opset11SqueezeAxesBecomeAConstantInput) {
  ModelBuilder b(11);
  b.input("x", {1, 3, 1, 2});
  set_ints(b.node("Squeeze", {"x"}, {"s"}, "squeeze"), "axes", {0, -2});
  set_ints(b.node("Unsqueeze", {"s"}, {"y"}, "unsqueeze"), "axes", {1});
  b.output("y", {3, 1, 2});
  const ir::Graph graph = import(b);
  ASSERT_EQ(ops_of(graph), (std::vector<std::string>{"onnx.Squeeze", "onnx.Unsqueeze"}));
  const ir::Node* squeeze = graph.nodes()[0];
  EXPECT_FALSE(squeeze->attrs.has("axes"));
  ASSERT_EQ(squeeze->inputs.size(), 2u);
  ASSERT_TRUE(squeeze->input(1)->is_constant());
  EXPECT_EQ(squeeze->input(1)->dtype, ir::DType::kInt64);
  EXPECT_EQ(squeeze->input(1)->constant->to_int_vector(), (std::vector<int64_t>{0, -2}));
  EXPECT_EQ(squeeze->output()->shape, (ir::Shape{3, 2}));
  EXPECT_EQ(graph.outputs()[0]->shape, (ir::Shape{3, 1, 2}));

  // Without axes, Squeeze removes every 1-sized dimension, in both opsets.
  ModelBuilder all(11);
  all.input("x", {1, 3, 1, 2});
  all.node("Squeeze", {"x"}, {"y"});
  all.output("y");
  const ir::Graph squeezed = import(all);
  EXPECT_EQ(squeezed.nodes()[0]->inputs.size(), 1u);
  EXPECT_EQ(squeezed.outputs()[0]->shape, (ir::Shape{3, 2}));
}

// Opset 11 Softmax flattens to 2-D at `axis`: along the last axis it is opset 13's Softmax,
// along another it becomes Flatten -> Softmax -> Reshape with the same numbers.
TEST(OnnxImport, Opset11SoftmaxKeepsItsMeaning) {
  ModelBuilder last(11);
  last.input("x", {2, 3});
  last.node("Softmax", {"x"}, {"y"});  // default axis 1 = the last one here
  last.output("y", {2, 3});
  const ir::Graph simple = import(last);
  ASSERT_EQ(ops_of(simple), (std::vector<std::string>{"onnx.Softmax"}));
  EXPECT_EQ(simple.nodes()[0]->attrs.get_int("axis"), -1);

  ModelBuilder b(11);
  b.input("x", {1, 2, 2, 2});
  b.node("Softmax", {"x"}, {"y"}, "softmax");  // axis 1: normalize over 2*2*2 values per row
  b.output("y", {1, 2, 2, 2});
  const ir::Graph graph = import(b);
  EXPECT_EQ(ops_of(graph),
            (std::vector<std::string>{"onnx.Flatten", "onnx.Softmax", "onnx.Reshape"}));
  EXPECT_EQ(graph.outputs()[0]->name, "y");
  const std::vector<float> x = {0, 1, 2, 3, -1, 0.5f, 4, 1};
  const auto outputs =
      tinyexec::reference::run(graph, std::vector{ir::Tensor::from<float>({1, 2, 2, 2}, x)});
  double total = 0;
  for (float v : x) total += std::exp(v);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(outputs[0].data<float>()[i], std::exp(x[i]) / total, 1e-6) << i;
  }
}

TEST(OnnxImport, UnknownOpNamesNodeAndOp) {
  ModelBuilder b(13);
  b.input("x", {1, 4});
  b.node("Relu", {"x"}, {"r"});
  b.node("Mish", {"r"}, {"y"}, "act2");
  b.output("y");
  const std::string error = import_error(b);
  EXPECT_CONTAINS(error, "node 'act2' (onnx.Mish)");
  EXPECT_CONTAINS(error, "operator 'Mish' is not supported");
  EXPECT_CONTAINS(error, "Conv");  // the list of what is supported

  // An unnamed node is named after its op and index.
  b.model.mutable_graph()->mutable_node(1)->set_name("");
  EXPECT_CONTAINS(import_error(b), "node 'Mish_1' (onnx.Mish)");

  ModelBuilder custom(13);
  custom.input("x", {1, 4});
  custom.node("Relu", {"x"}, {"y"}, "fused")->set_domain("com.microsoft");
  custom.output("y");
  EXPECT_CONTAINS(import_error(custom), "domain 'com.microsoft'");
}

TEST(OnnxImport, UnsupportedAttributesAreNamed) {
  ModelBuilder b(13);
  b.input("x", {1, 4});
  set_int(b.node("Relu", {"x"}, {"y"}, "relu"), "alpha", 1);  // Relu has no attributes
  b.output("y");
  const std::string error = import_error(b);
  EXPECT_CONTAINS(error, "node 'relu' (onnx.Relu)");
  EXPECT_CONTAINS(error, "attribute 'alpha'");

  ModelBuilder graph_attribute(13);
  graph_attribute.input("x", {1, 4});
  auto* node = graph_attribute.node("Softmax", {"x"}, {"y"}, "sm");
  auto* attribute = node->add_attribute();
  attribute->set_name("axis");
  attribute->set_type(onnx::AttributeProto::GRAPH);
  attribute->mutable_g()->set_name("body");
  graph_attribute.output("y");
  const std::string graph_error = import_error(graph_attribute);
  EXPECT_CONTAINS(graph_error, "node 'sm' (onnx.Softmax): attribute 'axis' is of type GRAPH");

  ModelBuilder training(15);
  training.input("x", {1, 2, 2, 2});
  training.floats("scale", {2}, {1, 1});
  training.floats("bias", {2}, {0, 0});
  training.floats("mean", {2}, {0, 0});
  training.floats("var", {2}, {1, 1});
  set_int(training.node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, {"y"}, "bn"),
          "training_mode", 1);
  training.output("y");
  EXPECT_CONTAINS(import_error(training),
                  "node 'bn' (onnx.BatchNormalization): attribute 'training_mode'");
  // training_mode=0 is the opset-13 meaning: the attribute is dropped.
  training.model.mutable_graph()->mutable_node(0)->mutable_attribute(0)->set_i(0);
  const ir::Graph graph = import(training);
  EXPECT_FALSE(graph.nodes()[0]->attrs.has("training_mode"));
}

TEST(OnnxImport, ExternalDataIsAClearError) {
  ModelBuilder b(13);
  b.input("x", {1, 2});
  auto* w = b.graph->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(2);
  w->add_dims(2);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* location = w->add_external_data();
  location->set_key("location");
  location->set_value("weights.bin");
  b.node("MatMul", {"x", "w"}, {"y"});
  b.output("y");
  const std::string error = import_error(b);
  EXPECT_CONTAINS(error, "initializer 'w'");
  EXPECT_CONTAINS(error,
                  "external data is not supported: re-save the model with all tensors inside "
                  "(onnx.save(model, path, save_as_external_data=False))");
}

TEST(OnnxImport, SymbolicBatchBecomesOneWithAWarning) {
  ModelBuilder b(13);
  b.input("images", {kSymbolic, 3, 2, 2});
  b.node("Relu", {"images"}, {"y"});
  b.output("y", {kSymbolic, 3, 2, 2});
  std::vector<std::string> warnings;
  fe::ImportOptions options;
  options.warn = [&](const std::string& message) { warnings.push_back(message); };
  const ir::Graph graph = import(b, options);
  EXPECT_EQ(graph.inputs()[0]->shape, (ir::Shape{1, 3, 2, 2}));
  EXPECT_EQ(graph.outputs()[0]->shape, (ir::Shape{1, 3, 2, 2}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_CONTAINS(warnings[0], "graph input 'images'");
  EXPECT_CONTAINS(warnings[0], "'N'");

  // Given shapes replace the model's.
  options.input_shapes["images"] = {4, 3, 2, 2};
  EXPECT_EQ(import(b, options).inputs()[0]->shape, (ir::Shape{4, 3, 2, 2}));

  // Other symbolic dimensions cannot be guessed.
  ModelBuilder other(13);
  other.input("x", {1, kSymbolic});
  other.node("Relu", {"x"}, {"y"});
  other.output("y");
  EXPECT_CONTAINS(import_error(other), "graph input 'x': dimension 1 is 'N'");
}

TEST(OnnxImport, OpsetRange) {
  for (const int opset : {10, 18}) {
    ModelBuilder b(opset);
    b.input("x", {1, 4});
    b.node("Relu", {"x"}, {"y"});
    b.output("y");
    EXPECT_CONTAINS(import_error(b), fmt::format("opset {} is not supported", opset));
    EXPECT_CONTAINS(import_error(b), "11-17");
  }
  // Relu is the same operator at opset 10 and 11: accepted when asked for.
  ModelBuilder relu(10);
  relu.input("x", {1, 4});
  relu.node("Relu", {"x"}, {"y"});
  relu.output("y");
  fe::ImportOptions options = quiet();
  options.accept_unchanged_older_opset = true;
  EXPECT_EQ(ops_of(import(relu, options)), (std::vector<std::string>{"onnx.Relu"}));
  // Squeeze changed in opset 11 (negative axes): refused even then.
  ModelBuilder squeeze(10);
  squeeze.input("x", {1, 4});
  set_ints(squeeze.node("Squeeze", {"x"}, {"y"}), "axes", {0});
  squeeze.output("y");
  EXPECT_CONTAINS(import_error(squeeze, options), "Squeeze changed between opset 10 and opset 11");
}

// Initializers listed among the graph inputs (older exporters) are weights, not inputs;
// Constant nodes are constants; Identity nodes vanish and the output keeps its name.
TEST(OnnxImport, InitializersConstantsAndIdentity) {
  ModelBuilder b(13);
  b.input("x", {1, 3});
  b.input("w", {1, 3});
  b.floats("w", {1, 3}, {1, 2, 3});
  auto* constant = b.node("Constant", {}, {"c"});
  auto* value = constant->add_attribute();
  value->set_name("value_floats");
  value->set_type(onnx::AttributeProto::FLOATS);
  for (float v : {10.0f, 20.0f, 30.0f}) value->add_floats(v);
  b.node("Add", {"x", "w"}, {"s"});
  b.node("Mul", {"s", "c"}, {"m"});
  b.node("Identity", {"m"}, {"y"});
  b.output("y", {1, 3});
  const ir::Graph graph = import(b);
  ASSERT_EQ(graph.inputs().size(), 1u);
  EXPECT_EQ(graph.inputs()[0]->name, "x");
  EXPECT_EQ(ops_of(graph), (std::vector<std::string>{"onnx.Add", "onnx.Mul"}));
  EXPECT_TRUE(graph.nodes()[1]->input(1)->is_constant());
  EXPECT_EQ(graph.outputs()[0]->name, "y");
  const auto out =
      tinyexec::reference::run(graph, std::vector{ir::Tensor::from<float>({1, 3}, {{1, 1, 1}})});
  EXPECT_EQ(out[0].data<float>()[0], 20.0f);
  EXPECT_EQ(out[0].data<float>()[2], 120.0f);
}

// QuantizeLinear/DequantizeLinear of constants describe a QDQ model's quantized weights:
// they stay in the graph for the quantizer instead of being folded to floats.
TEST(OnnxImport, QdqOfConstantsIsNotFolded) {
  ModelBuilder b(13);
  b.input("x", {1, 2});
  auto* q = b.graph->add_initializer();
  q->set_name("w_q");
  q->set_data_type(onnx::TensorProto::INT8);
  q->add_dims(2);
  q->add_dims(2);
  for (int v : {1, -2, 3, -4}) q->add_int32_data(v);
  b.floats("w_scale", {}, {0.5f});
  auto* zp = b.graph->add_initializer();
  zp->set_name("w_zp");
  zp->set_data_type(onnx::TensorProto::INT8);
  zp->add_int32_data(0);
  b.node("DequantizeLinear", {"w_q", "w_scale", "w_zp"}, {"w"});
  b.node("MatMul", {"x", "w"}, {"y"});
  b.output("y");
  const ir::Graph graph = import(b);
  EXPECT_EQ(ops_of(graph), (std::vector<std::string>{"onnx.DequantizeLinear", "onnx.MatMul"}));
  EXPECT_EQ(graph.nodes()[0]->input(0)->constant->data<int8_t>()[3], -4);
}

TEST(OnnxImport, DeclaredOutputTypesMustAgree) {
  ModelBuilder b(13);
  b.input("x", {1, 4});
  b.node("Relu", {"x"}, {"y"});
  b.output("y", {1, 5});
  EXPECT_CONTAINS(import_error(b), "graph output 'y' is declared with shape [1,5]");
  ModelBuilder dtype(13);
  dtype.input("x", {1, 4});
  dtype.node("Relu", {"x"}, {"y"});
  dtype.output("y", {1, 4}, onnx::TensorProto::INT32);
  EXPECT_CONTAINS(import_error(dtype), "graph output 'y' is declared i32");
}

TEST(OnnxImport, UndefinedInputsAndBadBytes) {
  ModelBuilder b(13);
  b.input("x", {1, 4});
  b.node("Add", {"x", "nowhere"}, {"y"}, "add");
  b.output("y");
  EXPECT_CONTAINS(import_error(b), "node 'add' (onnx.Add): input 'nowhere' is not defined");

  const std::vector<uint8_t> garbage = {0xff, 0xff, 0xff, 0x01, 0x02};
  EXPECT_THROW(fe::import_onnx_bytes(garbage), CompileError);
}

TEST(OnnxImport, FromFileAndBytes) {
  ModelBuilder b(13);
  b.input("x", {1, 4});
  b.node("Sigmoid", {"x"}, {"y"});
  b.output("y");
  const std::string bytes = b.model.SerializeAsString();
  const ir::Graph from_bytes = fe::import_onnx_bytes(
      std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), quiet());
  EXPECT_EQ(ops_of(from_bytes), (std::vector<std::string>{"onnx.Sigmoid"}));

  const auto path = std::filesystem::temp_directory_path() / "tinyexec_onnx_import_test.onnx";
  {
    std::ofstream file(path, std::ios::binary);
    file << bytes;
  }
  EXPECT_EQ(ops_of(fe::import_onnx(path, quiet())), (std::vector<std::string>{"onnx.Sigmoid"}));
  // Errors from a file start with its path.
  b.model.mutable_graph()->mutable_node(0)->set_op_type("Mish");
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << b.model.SerializeAsString();
  }
  try {
    fe::import_onnx(path, quiet());
    ADD_FAILURE() << "imported an unknown op";
  } catch (const CompileError& error) {
    EXPECT_EQ(std::string(error.what()).rfind(path.string() + ": node 'Mish_0' (onnx.Mish)", 0), 0u)
        << error.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(fe::import_onnx(path, quiet()), CompileError);
}

// Every element type in both encodings (typed fields and raw_data), and the errors.
TEST(OnnxTensorProto, Conversions) {
  onnx::TensorProto proto;
  proto.set_name("t");
  proto.add_dims(2);
  proto.set_data_type(onnx::TensorProto::INT8);
  proto.add_int32_data(-128);
  proto.add_int32_data(127);
  EXPECT_EQ(fe::tensor_from_onnx(proto), ir::Tensor::from<int8_t>({2}, {{-128, 127}}));

  proto.set_data_type(onnx::TensorProto::UINT8);
  proto.clear_int32_data();
  proto.set_raw_data(std::string("\x00\xff", 2));
  EXPECT_EQ(fe::tensor_from_onnx(proto), ir::Tensor::from<uint8_t>({2}, {{0, 255}}));

  proto.clear_raw_data();
  proto.set_data_type(onnx::TensorProto::INT16);
  proto.add_int32_data(-300);
  proto.add_int32_data(300);
  EXPECT_EQ(fe::tensor_from_onnx(proto), ir::Tensor::from<int16_t>({2}, {{-300, 300}}));

  proto.set_data_type(onnx::TensorProto::INT32);
  EXPECT_EQ(fe::tensor_from_onnx(proto), ir::Tensor::from<int32_t>({2}, {{-300, 300}}));

  proto.set_data_type(onnx::TensorProto::BOOL);
  proto.clear_int32_data();
  proto.add_int32_data(1);
  proto.add_int32_data(0);
  const ir::Tensor flags = fe::tensor_from_onnx(proto);
  EXPECT_EQ(flags.dtype(), ir::DType::kBool);
  EXPECT_EQ(flags.as_int(0), 1);
  EXPECT_EQ(flags.as_int(1), 0);

  proto.clear_int32_data();
  proto.set_data_type(onnx::TensorProto::INT64);
  proto.add_int64_data(int64_t{1} << 40);
  proto.add_int64_data(-5);
  EXPECT_EQ(fe::tensor_from_onnx(proto), ir::Tensor::from<int64_t>({2}, {{int64_t{1} << 40, -5}}));

  proto.clear_int64_data();
  proto.set_data_type(onnx::TensorProto::FLOAT);
  const float raw[2] = {1.5f, -0.25f};
  proto.set_raw_data(std::string(reinterpret_cast<const char*>(raw), sizeof(raw)));
  EXPECT_EQ(fe::tensor_from_onnx(proto), ir::Tensor::from<float>({2}, {{1.5f, -0.25f}}));

  // A scalar (no dims) holds one value.
  onnx::TensorProto scalar;
  scalar.set_data_type(onnx::TensorProto::FLOAT);
  scalar.add_float_data(3);
  EXPECT_EQ(fe::tensor_from_onnx(scalar), ir::Tensor::scalar(3.0f));

  // Errors: wrong sizes, other element types; the name is in the message.
  proto.set_raw_data(std::string(4, '\0'));
  try {
    fe::tensor_from_onnx(proto, "initializer 'w'");
    ADD_FAILURE();
  } catch (const CompileError& error) {
    EXPECT_CONTAINS(std::string(error.what()), "initializer 'w': raw_data has 4 bytes");
  }
  proto.clear_raw_data();
  proto.add_float_data(1);
  EXPECT_THROW(fe::tensor_from_onnx(proto), CompileError);
  proto.set_data_type(onnx::TensorProto::DOUBLE);
  try {
    fe::tensor_from_onnx(proto);
    ADD_FAILURE();
  } catch (const CompileError& error) {
    EXPECT_CONTAINS(std::string(error.what()), "tensor 't': element type DOUBLE is not supported");
  }
  // Huge dims with no data: an error, not an allocation.
  onnx::TensorProto huge;
  huge.set_data_type(onnx::TensorProto::FLOAT);
  huge.add_dims(int64_t{1} << 40);
  EXPECT_THROW(fe::tensor_from_onnx(huge), CompileError);
}
