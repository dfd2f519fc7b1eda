// SPDX-License-Identifier: Apache-2.0
// The importer's view of one TFLite operator while it is converted (shared by
// tflite_importer.cpp, which reads the model, and tflite_op_rules.cpp, which converts each
// builtin operator to cortex_m nodes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "tinyexec/tflite/tflite_schema_generated.h"

namespace tinyexec::frontends::tflite_import {

namespace fb = ::tinyexec::tflite;

// TFLite BuiltinOperator codes the importer knows by name (schema.fbs).
enum BuiltinCode : int32_t {
  kAdd = 0,
  kAveragePool2d = 1,
  kConcatenation = 2,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2d = 17,
  kMul = 18,
  kReshape = 22,
  kSoftmax = 25,
  kTanh = 28,
  kCustom = 32,
  kPad = 34,
  kTranspose = 39,
  kMean = 40,
  kSub = 41,
  kSqueeze = 43,
  kExpandDims = 70,
  kQuantize = 114,
  kHardSwish = 117,
};

// "CONV_2D" for the codes above, "BUILTIN_<code>" otherwise.
std::string builtin_name(int32_t code);

class Importer;  // tflite_importer.cpp

// One operator being converted. Every helper throws a CompileError
// "<what>: operator <index> (<TYPE>): <reason>".
class OpContext {
 public:
  OpContext(Importer& importer, const fb::Operator& op, int32_t index, int32_t code);

  int32_t index() const { return index_; }
  int32_t code() const { return code_; }
  const std::string& type() const { return type_; }
  const fb::Operator& op() const { return op_; }

  [[noreturn]] void error(const std::string& reason) const;

  // Number of inputs as the model lists them (trailing -1 entries count).
  size_t num_inputs() const;
  bool has_input(size_t i) const;  // present and not -1
  void expect_inputs(size_t min, size_t max) const;
  void expect_outputs(size_t count) const;

  // Input i as an IR value (an activation produced earlier, a graph input, or a constant).
  ir::Value* input(size_t i);
  // Input i must be an int8 activation or constant with per-tensor quantization.
  ir::Value* int8_input(size_t i);
  // A constant input's data (any dtype) with its shape; throws if not constant.
  const ir::Tensor& constant_input(size_t i);
  // The output tensor's shape, dtype and quantization (per tensor int8 unless float).
  ir::Shape output_shape() const;
  fb::TensorType output_type() const;
  ir::QuantParams output_quant() const;  // int8 output: per-tensor quantization

  // Adds a node producing a new intermediate value (not the op's output).
  ir::Value* add_intermediate(const std::string& op, std::vector<ir::Value*> inputs,
                              ir::Attributes attrs, ir::DType dtype, ir::Shape shape,
                              std::optional<ir::QuantParams> quant);
  // Adds the node producing the op's output tensor (dtype/shape/quantization from the model;
  // the node's shape rule must agree).
  void add_output_node(const std::string& op, std::vector<ir::Value*> inputs, ir::Attributes attrs);
  // A new constant value.
  ir::Value* add_constant(const std::string& suffix, ir::Tensor tensor,
                          std::optional<ir::QuantParams> quant);

  // The builtin options table of the expected type, or nullptr when absent. Throws when the
  // operator carries options of another type.
  template <typename T>
  const T* options(fb::BuiltinOptions expected) const {
    if (op_.builtin_options_type() == fb::BuiltinOptions::NONE) return nullptr;
    if (op_.builtin_options_type() != expected) {
      error("its builtin options are of another operator's type");
    }
    return static_cast<const T*>(op_.builtin_options());
  }

 private:
  // The output type the op's schema infers for node (a failure is this operator's error).
  ir::OutputType inferred_output(const ir::Node& node, const std::string& op) const;

  Importer& importer_;
  const fb::Operator& op_;
  int32_t index_;
  int32_t code_;
  std::string type_;
  int intermediates_ = 0;
};

// Converts one operator (tflite_op_rules.cpp). Throws for unsupported operators.
void convert_operator(OpContext& context);
bool is_supported(int32_t code);

}  // namespace tinyexec::frontends::tflite_import
