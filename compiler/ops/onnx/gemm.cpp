// SPDX-License-Identifier: Apache-2.0
// Matrix products (ONNX opset-13 semantics), float32: Gemm (Y = alpha * A' B' + beta * C with
// optional transposes and a C broadcast to the output) and MatMul (numpy matmul: 1-D operands
// and broadcast batch dimensions).
#include <array>

#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

// --- Gemm

struct GemmShape {
  int64_t m = 0;
  int64_t k = 0;
  int64_t n = 0;
  bool trans_a = false;
  bool trans_b = false;
};

bool flag_attribute(const Node& node, const char* name) {
  const int64_t value = node.attrs.int_or(name, 0);
  if (value != 0 && value != 1)
    node_error(node, "attribute '{}' is {}, expected 0 or 1", name, value);
  return value == 1;
}

GemmShape gemm_shape(const Node& node, const Shape& a, const Shape& b) {
  GemmShape s;
  s.trans_a = flag_attribute(node, "transA");
  s.trans_b = flag_attribute(node, "transB");
  if (a.size() != 2 || b.size() != 2) {
    node_error(node, "inputs A {} and B {} must be matrices (rank 2)", ir::shape_string(a),
               ir::shape_string(b));
  }
  s.m = s.trans_a ? a[1] : a[0];
  s.k = s.trans_a ? a[0] : a[1];
  const int64_t kb = s.trans_b ? b[1] : b[0];
  s.n = s.trans_b ? b[0] : b[1];
  if (kb != s.k) {
    node_error(node, "inner dimensions differ: A {} (transA={}) and B {} (transB={})",
               ir::shape_string(a), int{s.trans_a}, ir::shape_string(b), int{s.trans_b});
  }
  return s;
}

// Strides of C in the [M, N] output: 0 along a dimension C lacks or has of size 1.
std::array<int64_t, 2> bias_strides(const Shape& c) {
  const Shape full = c.size() == 2 ? c : c.size() == 1 ? Shape{1, c[0]} : Shape{1, 1};
  return {full[0] == 1 ? 0 : full[1], full[1] == 1 ? 0 : 1};
}

std::vector<OutputType> infer_gemm(const Node& node) {
  expect_inputs(node, 2, 3);
  expect_float(node, 0);
  expect_float(node, 1);
  const GemmShape s = gemm_shape(node, input_value(node, 0).shape, input_value(node, 1).shape);
  if (const ir::Value* c = node.input(2)) {
    expect_float(node, 2);
    // C must broadcast one way to [M, N]: right-aligned dims equal to the output's or 1.
    const Shape target{s.m, s.n};
    bool ok = c->rank() <= 2;
    for (size_t i = 0; ok && i < c->shape.size(); ++i) {
      const int64_t dim = c->shape[c->shape.size() - 1 - i];
      ok = dim == 1 || dim == target[1 - i];
    }
    if (!ok) {
      node_error(node, "C '{}' of shape {} does not broadcast to the output [{},{}]", c->name,
                 ir::shape_string(c->shape), s.m, s.n);
    }
  }
  return {{DType::kFloat32, {s.m, s.n}}};
}

std::vector<Tensor> evaluate_gemm(const Node& node, Inputs inputs) {
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  const Tensor* c = inputs.size() > 2 ? inputs[2] : nullptr;
  const GemmShape s = gemm_shape(node, a.shape(), b.shape());
  const float alpha = node.attrs.float_or("alpha", 1.0f);
  const float beta = node.attrs.float_or("beta", 1.0f);
  const auto as = a.data<float>();
  const auto bs = b.data<float>();
  // Element strides of A(i, k) and B(k, j) in the stored (possibly transposed) matrices.
  const int64_t a_i = s.trans_a ? 1 : s.k;
  const int64_t a_k = s.trans_a ? s.m : 1;
  const int64_t b_k = s.trans_b ? 1 : s.n;
  const int64_t b_j = s.trans_b ? s.k : 1;
  const std::array<int64_t, 2> c_stride =
      c != nullptr ? bias_strides(c->shape()) : std::array<int64_t, 2>{0, 0};

  Tensor result(DType::kFloat32, {s.m, s.n});
  auto ys = result.data<float>();
  for (int64_t i = 0; i < s.m; ++i) {
    for (int64_t j = 0; j < s.n; ++j) {
      float acc = 0.0f;
      for (int64_t k = 0; k < s.k; ++k) acc += as[i * a_i + k * a_k] * bs[k * b_k + j * b_j];
      float y = alpha * acc;
      if (c != nullptr) y += beta * c->data<float>()[i * c_stride[0] + j * c_stride[1]];
      ys[i * s.n + j] = y;
    }
  }
  return {std::move(result)};
}

int64_t gemm_macs(const Node& node) {
  const GemmShape s = gemm_shape(node, input_value(node, 0).shape, input_value(node, 1).shape);
  return s.m * s.n * s.k;
}

// --- MatMul

struct MatMulShape {
  Shape batch;    // broadcast batch dimensions
  Shape a_batch;  // A's batch dimensions (without the matrix dims)
  Shape b_batch;
  int64_t m = 1;
  int64_t k = 1;
  int64_t n = 1;
  Shape output;
};

MatMulShape matmul_shape(const Node& node, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty()) {
    node_error(node, "inputs of shape {} and {}: MatMul needs operands of rank 1 or more",
               ir::shape_string(a), ir::shape_string(b));
  }
  // numpy: a 1-D A is a row vector [1, K], a 1-D B a column vector [K, 1]; the added dimension
  // is removed from the output.
  MatMulShape s;
  s.a_batch = a.size() > 2 ? Shape(a.begin(), a.end() - 2) : Shape{};
  s.b_batch = b.size() > 2 ? Shape(b.begin(), b.end() - 2) : Shape{};
  s.m = a.size() == 1 ? 1 : a[a.size() - 2];
  s.k = a.back();
  const int64_t kb = b.size() == 1 ? b[0] : b[b.size() - 2];
  s.n = b.size() == 1 ? 1 : b.back();
  if (kb != s.k) {
    node_error(node, "inner dimensions differ: A {} and B {}", ir::shape_string(a),
               ir::shape_string(b));
  }
  s.batch = broadcast_shapes(node, s.a_batch, s.b_batch);
  s.output = s.batch;
  if (a.size() > 1) s.output.push_back(s.m);
  if (b.size() > 1) s.output.push_back(s.n);
  return s;
}

std::vector<OutputType> infer_matmul(const Node& node) {
  expect_inputs(node, 2, 2);
  expect_float(node, 0);
  expect_float(node, 1);
  const MatMulShape s = matmul_shape(node, input_value(node, 0).shape, input_value(node, 1).shape);
  return {{DType::kFloat32, s.output}};
}

// Offset (in matrices) of the operand's matrix for each broadcast batch index.
std::vector<int64_t> batch_offsets(const Shape& operand_batch, const Shape& batch) {
  const std::vector<int64_t> own = strides_of(operand_batch);
  const size_t lead = batch.size() - operand_batch.size();
  const int64_t count = ir::shape_numel(batch);
  std::vector<int64_t> offsets(static_cast<size_t>(count), 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t rest = flat;
    int64_t offset = 0;
    for (size_t d = batch.size(); d-- > 0;) {
      const int64_t index = rest % batch[d];
      rest /= batch[d];
      if (d >= lead && operand_batch[d - lead] != 1) offset += index * own[d - lead];
    }
    offsets[static_cast<size_t>(flat)] = offset;
  }
  return offsets;
}

std::vector<Tensor> evaluate_matmul(const Node& node, Inputs inputs) {
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  const MatMulShape s = matmul_shape(node, a.shape(), b.shape());
  const std::vector<int64_t> a_offsets = batch_offsets(s.a_batch, s.batch);
  const std::vector<int64_t> b_offsets = batch_offsets(s.b_batch, s.batch);
  const auto as = a.data<float>();
  const auto bs = b.data<float>();
  Tensor result(DType::kFloat32, s.output);
  auto ys = result.data<float>();
  for (size_t batch = 0; batch < a_offsets.size(); ++batch) {
    const int64_t a_base = a_offsets[batch] * s.m * s.k;
    const int64_t b_base = b_offsets[batch] * s.k * s.n;
    const int64_t y_base = static_cast<int64_t>(batch) * s.m * s.n;
    for (int64_t i = 0; i < s.m; ++i) {
      for (int64_t j = 0; j < s.n; ++j) {
        float acc = 0.0f;
        for (int64_t k = 0; k < s.k; ++k)
          acc += as[a_base + i * s.k + k] * bs[b_base + k * s.n + j];
        ys[y_base + i * s.n + j] = acc;
      }
    }
  }
  return {std::move(result)};
}

int64_t matmul_macs(const Node& node) {
  const MatMulShape s = matmul_shape(node, input_value(node, 0).shape, input_value(node, 1).shape);
  return ir::shape_numel(s.output) * s.k;
}

const ir::RegisterOp kGemm{{"onnx.Gemm", infer_gemm, evaluate_gemm, gemm_macs}};
const ir::RegisterOp kMatMul{{"onnx.MatMul", infer_matmul, evaluate_matmul, matmul_macs}};

}  // namespace
}  // namespace tinyexec::ops
