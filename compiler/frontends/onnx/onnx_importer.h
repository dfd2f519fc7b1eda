// SPDX-License-Identifier: Apache-2.0
// ONNX import: an ONNX model (opsets 11-17 of the default domain) becomes an IR graph whose
// nodes follow the IR's opset-13 contract (docs/onnx-conformance.md): every node is
// `onnx.<OpType>` with opset-13 inputs and attributes, initializers and Constant nodes are
// constant values, Identity nodes are gone, shapes are static and inferred, and everything
// computable at compile time (PyTorch's Shape/Gather/Concat chains around reshapes) is folded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>

#include "ir/graph.h"

namespace onnx {
class ModelProto;
}  // namespace onnx

namespace tinyexec::frontends {

struct ImportOptions {
  // Static shapes for graph inputs, replacing the model's (e.g. its symbolic dimensions).
  std::map<std::string, ir::Shape> input_shapes;
  // Graph inputs bound to constant values: they stop being graph inputs. This is how an input
  // that the IR needs at compile time (a Reshape's target shape, a Squeeze's axes) is given.
  std::map<std::string, ir::Tensor> constant_inputs;
  // Also accept a model that declares a default-domain opset below 11 when every operator it
  // uses is defined identically at that opset and at opset 11 (its nodes then mean the same).
  bool accept_unchanged_older_opset = false;
  // Receives warnings (a symbolic batch dimension set to 1); nullptr: printed on stderr.
  std::function<void(const std::string&)> warn;
};

// Imports the model file. Errors are CompileErrors that start with the file's path and name the
// node, the op, the attribute and what is supported.
ir::Graph import_onnx(const std::filesystem::path& file, const ImportOptions& options = {});
// The same from the serialized ModelProto bytes.
ir::Graph import_onnx_bytes(std::span<const uint8_t> bytes, const ImportOptions& options = {});
// The same from a parsed model.
ir::Graph import_onnx_model(const onnx::ModelProto& model, const ImportOptions& options = {});

// The ONNX operator types the importer accepts: every `onnx.*` op in the registry, plus
// Constant and Identity, which the importer resolves itself.
std::vector<std::string> supported_onnx_ops();

}  // namespace tinyexec::frontends
