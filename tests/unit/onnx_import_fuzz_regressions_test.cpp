// SPDX-License-Identifier: Apache-2.0
// What the ONNX importer fuzzer (fuzz/onnx_import_fuzzer.cpp, docs/fuzzing.md) found, kept
// fixed: each input that crashed the importer (tests/data/fuzz_regressions/) must now be
// rejected with a CompileError that names the node and the reason; and the size limits that keep
// a hostile model from making the import allocate or compute without bound.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_importer.h"
#include "ir/tensor.h"

namespace ir = tinyexec::ir;
namespace fe = tinyexec::frontends;
using tinyexec::CompileError;

namespace {

fe::ImportOptions quiet() {
  fe::ImportOptions options;
  options.warn = [](const std::string&) {};
  options.accept_unchanged_older_opset = true;  // as the fuzzer imports
  return options;
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    fe::import_onnx_bytes(bytes, quiet());
  } catch (const CompileError& error) {
    return error.what();
  }
  ADD_FAILURE() << "the import succeeded";
  return {};
}

std::string error_of(const onnx::ModelProto& model) {
  std::string bytes;
  model.SerializeToString(&bytes);
  return error_of(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

// --- Inputs the fuzzer found, stored as it wrote them.

struct CrashCase {
  const char* file;    // in tests/data/fuzz_regressions/
  const char* node;    // the start of the error: which node
  const char* reason;  // a part of the error: why
};

void PrintTo(const CrashCase& c, std::ostream* out) {
  *out << c.file;
}

class FuzzCrash : public testing::TestWithParam<CrashCase> {};

TEST_P(FuzzCrash, IsACompileErrorNamingTheNode) {
  const CrashCase& c = GetParam();
  const std::string path = std::string(TE_SOURCE_DIR) + "/tests/data/fuzz_regressions/" + c.file;
  std::ifstream stream(path, std::ios::binary);
  ASSERT_TRUE(stream) << path;
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(stream)),
                                   std::istreambuf_iterator<char>());
  const std::string error = error_of(bytes);
  EXPECT_EQ(error.rfind(c.node, 0), 0u) << error;
  EXPECT_NE(error.find(c.reason), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    OnnxImportFuzzRegressions, FuzzCrash,
    testing::Values(
        // Pad: begin + end pads near INT64_MAX overflowed the output size (signed overflow).
        CrashCase{"pad_overflow.onnx", "node 'Pad_0' (onnx.Pad)", "out of range"}));

// --- The size limits, on models built here.

struct Model {
  onnx::ModelProto proto;
  onnx::GraphProto* graph = proto.mutable_graph();

  Model() {
    proto.set_ir_version(8);
    auto* opset = proto.add_opset_import();
    opset->set_domain("");
    opset->set_version(13);
  }
  void value_info(onnx::ValueInfoProto* info, const std::string& name,
                  const std::vector<int64_t>& dims) {
    info->set_name(name);
    auto* type = info->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t dim : dims) type->mutable_shape()->add_dim()->set_dim_value(dim);
  }
  void input(const std::string& name, const std::vector<int64_t>& dims) {
    value_info(graph->add_input(), name, dims);
  }
  void output(const std::string& name) {  // type left to the import
    auto* info = graph->add_output();
    info->set_name(name);
    info->mutable_type()->mutable_tensor_type();
  }
  onnx::TensorProto* ints(const std::string& name, const std::vector<int64_t>& dims,
                          const std::vector<int64_t>& values) {
    auto* tensor = graph->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::INT64);
    for (int64_t dim : dims) tensor->add_dims(dim);
    for (int64_t value : values) tensor->add_int64_data(value);
    return tensor;
  }
  onnx::TensorProto* floats(const std::string& name, const std::vector<int64_t>& dims) {
    auto* tensor = graph->add_initializer();  // zeros
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    int64_t count = 1;
    for (int64_t dim : dims) {
      tensor->add_dims(dim);
      count *= dim;
    }
    tensor->set_raw_data(std::string(static_cast<size_t>(count) * sizeof(float), '\0'));
    return tensor;
  }
  onnx::NodeProto* node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& inputs, const std::string& output) {
    auto* node = graph->add_node();
    node->set_op_type(op);
    node->set_name(name);
    for (const std::string& input : inputs) node->add_input(input);
    node->add_output(output);
    return node;
  }
};

void set_ints(onnx::NodeProto* node, const std::string& name, const std::vector<int64_t>& values) {
  auto* attribute = node->add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values) attribute->add_ints(value);
}

TEST(OnnxImportLimits, GraphInputAboveTwoGiBIsRejected) {
  Model model;
  model.input("x", {1, int64_t{1} << 30});  // 4 GiB of f32
  model.node("Relu", "relu", {"x"}, "y");
  model.output("y");
  const std::string error = error_of(model.proto);
  EXPECT_NE(error.find("graph input 'x' f32[1,1073741824] is larger than 2 GiB"), std::string::npos)
      << error;
}

TEST(OnnxImportLimits, EmptyInitializerWithAHugeDimensionIsRejected) {
  Model model;
  model.input("x", {2});
  model.ints("big", {0, int64_t{1} << 40}, {});  // no elements, but shape arithmetic on 2^40
  model.node("Relu", "relu", {"x"}, "y");
  model.output("y");
  const std::string error = error_of(model.proto);
  EXPECT_NE(error.find("initializer 'big' i64[0,1099511627776] has a dimension above 2^31"),
            std::string::npos)
      << error;
}

TEST(OnnxImportLimits, NodeOutputAboveTwoGiBIsRejectedNamingTheNode) {
  Model model;
  model.ints("shape", {2}, {int64_t{1} << 20, int64_t{1} << 10});  // 2^30 f32 = 4 GiB
  model.node("ConstantOfShape", "fill", {"shape"}, "y");
  model.output("y");
  const std::string error = error_of(model.proto);
  EXPECT_EQ(error.rfind("node 'fill' (onnx.ConstantOfShape): output 0 ('y') f32[1048576,1024] is "
                        "larger than 2 GiB",
                        0),
            0u)
      << error;
}

TEST(OnnxImportLimits, LargeResultsAreNotFoldedAtImport) {
  // 128 MiB: a valid tensor, but more than folding may make (kMaxFoldBytes): the node stays.
  Model model;
  model.ints("shape", {2}, {int64_t{1} << 15, int64_t{1} << 10});
  model.node("ConstantOfShape", "fill", {"shape"}, "y");
  model.output("y");
  const ir::Graph graph = fe::import_onnx_model(model.proto, quiet());
  ASSERT_EQ(graph.nodes().size(), 1u);
  EXPECT_EQ(graph.nodes().front()->op, "onnx.ConstantOfShape");
  EXPECT_FALSE(graph.outputs().at(0)->is_constant());
}

TEST(OnnxImportLimits, SmallResultsAreStillFolded) {
  Model model;
  model.ints("shape", {2}, {4, 8});
  model.node("ConstantOfShape", "fill", {"shape"}, "y");
  model.output("y");
  const ir::Graph graph = fe::import_onnx_model(model.proto, quiet());
  EXPECT_TRUE(graph.nodes().empty());
  ASSERT_TRUE(graph.outputs().at(0)->is_constant());
  EXPECT_EQ(graph.outputs().at(0)->constant->shape(), (ir::Shape{4, 8}));
}

TEST(OnnxImportLimits, ConstantConvWithTooManyMacsIsNotFolded) {
  // 1x16x64x64 input, 32 filters of 16x9x9, same padding: 131072 outputs x 1296 MACs = 170 M,
  // above kMaxFoldWork (2^27), while every tensor is small.
  Model model;
  model.floats("x", {1, 16, 64, 64});
  model.floats("w", {32, 16, 9, 9});
  auto* conv = model.node("Conv", "conv", {"x", "w"}, "y");
  set_ints(conv, "pads", {4, 4, 4, 4});
  model.output("y");
  const ir::Graph graph = fe::import_onnx_model(model.proto, quiet());
  ASSERT_EQ(graph.nodes().size(), 1u);
  EXPECT_EQ(graph.nodes().front()->op, "onnx.Conv");
  EXPECT_EQ(graph.outputs().at(0)->shape, (ir::Shape{1, 32, 64, 64}));
}

TEST(OnnxImportLimits, ConstantPoolWithHugeWindowsIsNotFolded) {
  // 5 outputs, each a window of 2^25 taps (nearly all padding): the reference would visit
  // 167 M taps.
  Model model;
  model.floats("x", {1, 1, 4, 1});
  auto* pool = model.node("MaxPool", "pool", {"x"}, "y");
  set_ints(pool, "kernel_shape", {int64_t{1} << 25, 1});
  set_ints(pool, "pads", {int64_t{1} << 25, 0, 0, 0});
  model.output("y");
  const ir::Graph graph = fe::import_onnx_model(model.proto, quiet());
  ASSERT_EQ(graph.nodes().size(), 1u);
  EXPECT_EQ(graph.nodes().front()->op, "onnx.MaxPool");
  EXPECT_EQ(graph.outputs().at(0)->shape, (ir::Shape{1, 1, 5, 1}));
}

TEST(OnnxImportLimits, TensorsAboveTwoGiBCannotBeMade) {
  EXPECT_THROW(ir::Tensor(ir::DType::kFloat32, {int64_t{1} << 29, 5}), CompileError);
  EXPECT_NO_THROW(ir::check_tensor_size(ir::DType::kInt8, {int64_t{1} << 31}, "t"));
  EXPECT_THROW(ir::check_tensor_size(ir::DType::kInt8, {(int64_t{1} << 31) + 1}, "t"),
               CompileError);
  EXPECT_THROW(ir::check_tensor_size(ir::DType::kInt8, {0, (int64_t{1} << 31) + 1}, "t"),
               CompileError);
}

TEST(OnnxImportLimits, WindowAttributesAboveTwoPow31AreRejected) {
  Model model;
  model.input("x", {1, 1, 4, 4});
  auto* pool = model.node("MaxPool", "pool", {"x"}, "y");
  set_ints(pool, "kernel_shape", {2, 2});
  set_ints(pool, "pads", {0, 0, INT64_MAX, 0});
  model.output("y");
  const std::string error = error_of(model.proto);
  EXPECT_EQ(error.rfind("node 'pool' (onnx.MaxPool): attribute 'pads' has value "
                        "9223372036854775807, values must be at most 2^31",
                        0),
            0u)
      << error;
}

}  // namespace
