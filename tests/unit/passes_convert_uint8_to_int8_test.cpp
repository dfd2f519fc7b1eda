// SPDX-License-Identifier: Apache-2.0
// convert_uint8_to_int8: a uint8 QDQ model becomes int8 (values and zero points - 128) with
// bit-identical float outputs.
#include <gtest/gtest.h>

#include "ir/op_registry.h"
#include "passes/convert_uint8_to_int8.h"
#include "reference/interpreter.h"

namespace ir = tinyexec::ir;
namespace passes = tinyexec::passes;

namespace {

// x -> Q(0.1, zp 128 u8) -> DQ(0.1, zp 128) -> Mul(DQ(w u8 const, 0.02, zp 100)) -> Q(0.05, no
// zero point: u8 0) -> DQ(0.05) -> y
struct Model {
  ir::Graph graph;
  ir::Value* activation = nullptr;
  ir::Value* output_q = nullptr;
};

void build(Model& m) {
  ir::Graph& g = m.graph;
  ir::Value* x = g.add_value("x", ir::DType::kFloat32, {6});
  g.inputs().push_back(x);
  ir::Value* s1 = g.add_constant("s1", ir::Tensor::scalar<float>(0.1f));
  ir::Value* z1 = g.add_constant("z1", ir::Tensor::scalar<uint8_t>(128));
  m.activation = g.add_value("xq", ir::DType::kUInt8, {});
  g.add_node("onnx.QuantizeLinear", {x, s1, z1}, {m.activation});
  ir::Value* xd = g.add_value("xd", ir::DType::kFloat32, {});
  g.add_node("onnx.DequantizeLinear", {m.activation, s1, z1}, {xd});
  ir::Value* w = g.add_constant(
      "w", ir::Tensor::from<uint8_t>({6}, std::vector<uint8_t>{0, 1, 100, 127, 200, 255}));
  ir::Value* sw = g.add_constant("sw", ir::Tensor::scalar<float>(0.02f));
  ir::Value* zw = g.add_constant("zw", ir::Tensor::scalar<uint8_t>(100));
  ir::Value* wd = g.add_value("wd", ir::DType::kFloat32, {});
  g.add_node("onnx.DequantizeLinear", {w, sw, zw}, {wd});
  ir::Value* prod = g.add_value("prod", ir::DType::kFloat32, {});
  g.add_node("onnx.Mul", {xd, wd}, {prod});
  ir::Value* s2 = g.add_constant("s2", ir::Tensor::scalar<float>(0.05f));
  m.output_q = g.add_value("yq", ir::DType::kUInt8, {});
  g.add_node("onnx.QuantizeLinear", {prod, s2}, {m.output_q});
  ir::Value* y = g.add_value("y", ir::DType::kFloat32, {});
  g.add_node("onnx.DequantizeLinear", {m.output_q, s2}, {y});
  g.outputs().push_back(y);
  ir::infer_shapes(g);
  ir::verify(g);
}

}  // namespace

TEST(PassesConvertUint8ToInt8, QdqModelBecomesInt8WithIdenticalOutputs) {
  Model m;
  build(m);
  const std::vector<ir::Tensor> inputs{
      ir::Tensor::from<float>({6}, std::vector<float>{-20.0f, -1.3f, 0.0f, 0.05f, 4.44f, 30.0f})};
  const std::vector<ir::Tensor> before = tinyexec::reference::run(m.graph, inputs);

  EXPECT_EQ(passes::convert_uint8_to_int8(m.graph), 3);  // xq, w, yq
  ir::verify(m.graph);
  for (const auto& value : m.graph.values()) {
    EXPECT_NE(value->dtype, ir::DType::kUInt8) << value->name;
  }
  EXPECT_EQ(m.activation->dtype, ir::DType::kInt8);
  for (const ir::Node* node : m.graph.nodes()) {
    if (node->op != "onnx.QuantizeLinear" && node->op != "onnx.DequantizeLinear") continue;
    ASSERT_NE(node->input(2), nullptr) << node->name;
    const int64_t zp = node->input(2)->constant->as_int(0);
    const double s = node->input(1)->constant->as_double(0);
    // 128 -> 0, 100 -> -28, absent (0) -> -128.
    if (s == static_cast<double>(0.1f)) {
      EXPECT_EQ(zp, 0) << node->name;
    }
    if (s == static_cast<double>(0.02f)) {
      EXPECT_EQ(zp, -28) << node->name;
      EXPECT_EQ(node->input(0)->constant->to_int_vector(),
                (std::vector<int64_t>{-128, -127, -28, -1, 72, 127}));
    }
    if (s == static_cast<double>(0.05f)) {
      EXPECT_EQ(zp, -128) << node->name;
    }
  }
  const std::vector<ir::Tensor> after = tinyexec::reference::run(m.graph, inputs);
  EXPECT_EQ(before, after);  // exactly, not approximately
  EXPECT_EQ(passes::convert_uint8_to_int8(m.graph), 0);
}

TEST(PassesConvertUint8ToInt8, GraphOutputsAndOtherUsersKeepUint8) {
  // A uint8 value that is a graph output, or read by something other than a DequantizeLinear,
  // is part of the interface or of an op the pass cannot rewrite: it stays uint8.
  ir::Graph g;
  ir::Value* x = g.add_value("x", ir::DType::kFloat32, {3});
  g.inputs().push_back(x);
  ir::Value* s = g.add_constant("s", ir::Tensor::scalar<float>(0.1f));
  ir::Value* z = g.add_constant("z", ir::Tensor::scalar<uint8_t>(128));
  ir::Value* q = g.add_value("q", ir::DType::kUInt8, {});
  g.add_node("onnx.QuantizeLinear", {x, s, z}, {q});
  ir::Value* id = g.add_value("id", ir::DType::kUInt8, {});
  g.add_node("onnx.Identity", {q}, {id});
  g.outputs() = {q, id};
  ir::infer_shapes(g);
  EXPECT_EQ(passes::convert_uint8_to_int8(g), 0);
  EXPECT_EQ(q->dtype, ir::DType::kUInt8);
  ir::verify(g);
}
