// SPDX-License-Identifier: Apache-2.0
// The ONNX importer. Nodes are imported one at a time, in the model's (topological) order:
// each is rewritten to the opset-13 contract, typed by its op's shape rule, and evaluated at
// once when its result is known at compile time (all inputs constant, or a Shape of a value
// whose shape is static). Folding while importing, rather than after, is what lets a Reshape
// whose target shape PyTorch computes with Shape/Gather/Unsqueeze/Concat be typed: by the
// time the Reshape is reached its shape input is a constant.
#include "frontends/onnx/onnx_importer.h"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <set>
#include <unordered_map>

#include "frontends/onnx/node_spec.h"
#include "frontends/onnx/tensor_proto.h"
#include "ir/op_registry.h"
#include "passes/fold_constants.h"

namespace tinyexec::frontends {
namespace {

constexpr int kMinOpset = 11;
constexpr int kMaxOpset = 17;

// Folding evaluates a node with its reference implementation while importing. It is for shape
// arithmetic and weight rearrangement; a node whose evaluation would allocate or compute much
// more stays in the graph instead (its later users then see a computed value), so that no model
// can make the import allocate or run without bound.
constexpr int64_t kMaxFoldBytes = int64_t{64} << 20;     // one node: outputs + stand-in inputs
constexpr int64_t kMaxFoldedBytes = int64_t{256} << 20;  // every constant folding has made
constexpr int64_t kMaxFoldWork = int64_t{1} << 27;       // one node: MACs or elements visited

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<int64_t>::max() : sum;
}

int64_t saturating_mul(int64_t a, int64_t b) {
  int64_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<int64_t>::max() : product;
}

int64_t tensor_bytes(ir::DType dtype, const ir::Shape& shape) {
  return saturating_mul(ir::shape_numel(shape), static_cast<int64_t>(ir::dtype_size(dtype)));
}

// QuantizeLinear / DequantizeLinear of constants stay in the graph: they are how a QDQ model
// says which tensors are quantized and how, which the quantizer and the lowering passes read.
std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

bool is_default_domain(const std::string& domain) {
  return domain.empty() || domain == "ai.onnx";
}

class Importer final : public ImportContext {
 public:
  Importer(const onnx::ModelProto& model, const ImportOptions& options)
      : model_(model), options_(options) {}

  ir::Graph run() {
    opset_ = check_opset();
    const onnx::GraphProto& graph = model_.graph();
    if (graph.sparse_initializer_size() > 0) {
      fail("sparse initializers are not supported (sparse initializer '{}')",
           graph.sparse_initializer(0).values().name());
    }
    import_initializers();
    import_inputs();
    for (int i = 0; i < graph.node_size(); ++i) import_node(graph.node(i), i);
    import_outputs();
    graph_.remove_dead_code();
    // Nodes were typed and folded as they were imported; inferring again over the finished
    // graph and verifying it checks the result as every later stage will see it.
    // The nodes were folded as they were read (passes::try_fold), so fold_constants is not
    // needed again.
    ir::infer_shapes(graph_);
    ir::verify(graph_);
    return std::move(graph_);
  }

  const ir::Value& value(const NodeSpec& node, const std::string& name) const override {
    return *lookup(node, name);
  }

  std::string add_constant(const std::string& base_name, ir::Tensor tensor) override {
    const std::string name = fresh_name(base_name);
    values_[name] = graph_.add_constant(name, std::move(tensor));
    return name;
  }

  std::string fresh_name(const std::string& base_name) override {
    std::string name = base_name;
    for (int suffix = 1; values_.contains(name); ++suffix) {
      name = fmt::format("{}_{}", base_name, suffix);
    }
    values_.emplace(name, nullptr);  // reserved until defined
    return name;
  }

 private:
  // The default-domain opset the model declares, checked against the supported range.
  int check_opset() {
    int opset = -1;
    for (const auto& entry : model_.opset_import()) {
      if (is_default_domain(entry.domain())) opset = static_cast<int>(entry.version());
    }
    if (opset < 0) fail("the model declares no opset of the default ONNX domain");
    if (opset > kMaxOpset) {
      fail("opset {} is not supported (supported: opsets {}-{}); export with opset_version={}",
           opset, kMinOpset, kMaxOpset, kMaxOpset);
    }
    if (opset >= kMinOpset) return opset;
    const std::string hint = fmt::format(
        "opset {} is not supported (supported: opsets {}-{}); re-export the model with a newer "
        "opset (torch.onnx.export(..., opset_version=13))",
        opset, kMinOpset, kMaxOpset);
    if (!options_.accept_unchanged_older_opset) fail("{}", hint);
    for (const onnx::NodeProto& node : model_.graph().node()) {
      if (!is_default_domain(node.domain())) continue;
      const auto* old_schema = onnx::OpSchemaRegistry::Schema(node.op_type(), opset, "");
      const auto* new_schema = onnx::OpSchemaRegistry::Schema(node.op_type(), kMinOpset, "");
      if (old_schema == nullptr || new_schema == nullptr ||
          old_schema->since_version() != new_schema->since_version()) {
        fail("{}, and {} changed between opset {} and opset {}", hint, node.op_type(), opset,
             kMinOpset);
      }
    }
    return kMinOpset;  // every node means the same at opset 11
  }

  void import_initializers() {
    for (const onnx::TensorProto& initializer : model_.graph().initializer()) {
      ir::Tensor tensor =
          tensor_from_onnx(initializer, fmt::format("initializer '{}'", initializer.name()));
      values_[initializer.name()] = graph_.add_constant(initializer.name(), std::move(tensor));
    }
  }

  void import_inputs() {
    std::set<std::string> bound;
    for (const onnx::ValueInfoProto& input : model_.graph().input()) {
      const std::string& name = input.name();
      // Older exporters list initializers among the inputs too: those are weights.
      if (values_.contains(name)) continue;
      const std::string what = fmt::format("graph input '{}'", name);
      const ir::DType dtype = declared_dtype(input, what);
      auto constant = options_.constant_inputs.find(name);
      if (constant != options_.constant_inputs.end()) {
        if (constant->second.dtype() != dtype) {
          fail("{} is {}, the constant given for it is {}", what, ir::dtype_name(dtype),
               ir::dtype_name(constant->second.dtype()));
        }
        values_[name] = graph_.add_constant(name, constant->second);
        bound.insert(name);
        continue;
      }
      const ir::Shape shape = input_shape(input, what);
      ir::check_tensor_size(dtype, shape, what);
      ir::Value* value = graph_.add_value(name, dtype, shape);
      graph_.inputs().push_back(value);
      values_[name] = value;
    }
    for (const auto& [name, tensor] : options_.constant_inputs) {
      if (!bound.contains(name))
        fail("a constant is given for '{}', which is not a graph input", name);
    }
    for (const auto& [name, shape] : options_.input_shapes) {
      auto it = values_.find(name);
      if (it == values_.end() || it->second->is_constant()) {
        fail("a shape is given for '{}', which is not a graph input", name);
      }
    }
  }

  ir::DType declared_dtype(const onnx::ValueInfoProto& info, const std::string& what) const {
    if (!info.type().has_tensor_type()) {
      fail("{}: only tensors are supported (not sequences, maps or optionals)", what);
    }
    return require_dtype(info.type().tensor_type().elem_type(), what);
  }

  // The static shape of a graph input: the given one, or the model's with a symbolic or
  // unknown batch (first) dimension set to 1.
  ir::Shape input_shape(const onnx::ValueInfoProto& input, const std::string& what) const {
    const auto& type = input.type().tensor_type();
    auto given = options_.input_shapes.find(input.name());
    if (given != options_.input_shapes.end()) {
      if (type.has_shape() && type.shape().dim_size() != static_cast<int>(given->second.size())) {
        fail("{} has rank {}, the shape given for it is {}", what, type.shape().dim_size(),
             ir::shape_string(given->second));
      }
      ir::shape_numel(given->second);  // rejects negative dimensions
      return given->second;
    }
    if (!type.has_shape()) {
      fail("{} has no shape; give one (ImportOptions::input_shapes)", what);
    }
    ir::Shape shape;
    for (int i = 0; i < type.shape().dim_size(); ++i) {
      const auto& dim = type.shape().dim(i);
      if (dim.has_dim_value() && dim.dim_value() >= 0) {
        shape.push_back(dim.dim_value());
        continue;
      }
      const std::string symbol = dim.has_dim_param() ? "'" + dim.dim_param() + "'" : "unknown";
      if (i != 0) {
        fail(
            "{}: dimension {} is {}; only the batch (first) dimension may be symbolic: export "
            "with static shapes or give one (ImportOptions::input_shapes)",
            what, i, symbol);
      }
      warn(dim.has_dim_param()
               ? fmt::format("{}: symbolic batch dimension {} set to 1", what, symbol)
               : fmt::format("{}: unknown batch dimension set to 1", what));
      shape.push_back(1);
    }
    return shape;
  }

  ir::Value* lookup(const NodeSpec& node, const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second == nullptr) {
      fail("{}: input '{}' is not defined (by a graph input, an initializer or an earlier node)",
           node.describe(), name);
    }
    return it->second;
  }

  void warn(const std::string& message) const {
    if (options_.warn) {
      options_.warn(message);
    } else {
      std::cerr << "warning: " << message << "\n";
    }
  }

  void import_node(const onnx::NodeProto& proto, int index) {
    NodeSpec node;
    node.op = proto.op_type();
    node.name = proto.name().empty() ? fmt::format("{}_{}", proto.op_type(), index) : proto.name();
    node.inputs.assign(proto.input().begin(), proto.input().end());
    node.outputs.assign(proto.output().begin(), proto.output().end());
    while (!node.outputs.empty() && node.outputs.back().empty()) node.outputs.pop_back();

    if (!is_default_domain(proto.domain())) {
      fail("{}: operator '{}' of domain '{}' is not supported: only the default ONNX domain is",
           node.describe(), node.op, proto.domain());
    }
    if (node.op != "Constant" && node.op != "Identity" &&
        ir::OpRegistry::instance().find("onnx." + node.op) == nullptr) {
      fail("{}: operator '{}' is not supported (supported: {})", node.describe(), node.op,
           joined(supported_onnx_ops()));
    }
    check_attribute_names(proto, node);
    for (const onnx::AttributeProto& attribute : proto.attribute()) {
      node.attrs.set(attribute.name(), convert_attribute(node, attribute));
    }

    if (node.op == "Constant") return import_constant(node);
    if (node.op == "Identity") return import_identity(node);
    for (NodeSpec& part : to_opset13(std::move(node), opset_, *this)) add_node(part);
  }

  // Attribute names must exist in the ONNX definition of the op at the model's opset (a
  // misspelt or newer attribute would otherwise be ignored silently).
  void check_attribute_names(const onnx::NodeProto& proto, const NodeSpec& node) const {
    const auto* schema = onnx::OpSchemaRegistry::Schema(proto.op_type(), opset_, "");
    if (schema == nullptr) return;
    std::vector<std::string> known;
    for (const auto& [name, attribute] : schema->attributes()) known.push_back(name);
    for (const onnx::AttributeProto& attribute : proto.attribute()) {
      if (!schema->attributes().contains(attribute.name())) {
        fail("{}: attribute '{}' is not an attribute of {} in opset {} (its attributes: {})",
             node.describe(), attribute.name(), node.op, opset_,
             known.empty() ? "none" : joined(known));
      }
    }
  }

  void import_constant(const NodeSpec& node) {
    if (node.outputs.size() != 1) fail("{}: expects 1 output", node.describe());
    if (node.attrs.all().size() != 1) {
      fail("{}: expects exactly one of the attributes value, value_float(s), value_int(s)",
           node.describe());
    }
    const auto& [name, attribute] = *node.attrs.all().begin();
    ir::Tensor tensor;
    if (name == "value") {
      tensor = node.attrs.get_tensor(name);
    } else if (name == "value_float") {
      tensor = ir::Tensor::scalar(node.attrs.get_float(name));
    } else if (name == "value_int") {
      tensor = ir::Tensor::scalar(node.attrs.get_int(name));
    } else if (name == "value_floats") {
      const auto& values = node.attrs.get_floats(name);
      tensor = ir::Tensor::from<float>({static_cast<int64_t>(values.size())}, values);
    } else if (name == "value_ints") {
      const auto& values = node.attrs.get_ints(name);
      tensor = ir::Tensor::from<int64_t>({static_cast<int64_t>(values.size())}, values);
    } else {
      fail(
          "{}: attribute '{}' is not supported (supported: value, value_float, value_floats, "
          "value_int, value_ints)",
          node.describe(), name);
    }
    define(node, node.outputs[0], graph_.add_constant(node.outputs[0], std::move(tensor)));
  }

  // Identity nodes disappear: their output is another name for their input.
  void import_identity(const NodeSpec& node) {
    if (node.inputs.size() != 1 || node.outputs.size() != 1) {
      fail("{}: expects 1 input and 1 output", node.describe());
    }
    define(node, node.outputs[0], lookup(node, node.inputs[0]));
  }

  void define(const NodeSpec& node, const std::string& name, ir::Value* value) {
    auto it = values_.find(name);
    if (it != values_.end() && it->second != nullptr) {
      fail("{}: value '{}' is already defined", node.describe(), name);
    }
    values_[name] = value;
  }

  // Types the node with its op's shape rule, then folds it or adds it to the graph.
  void add_node(const NodeSpec& node) {
    const std::string op = "onnx." + node.op;
    const ir::OpSchema* schema = ir::OpRegistry::instance().find(op);
    if (schema == nullptr) {
      fail("{}: operator '{}' is not supported (supported: {})", node.describe(), node.op,
           joined(supported_onnx_ops()));
    }
    // A stand-alone node (outside the graph) to ask the op about: its outputs are placeholders.
    ir::Node probe;
    probe.name = node.name;
    probe.op = op;
    probe.attrs = node.attrs;
    for (const std::string& input : node.inputs) {
      probe.inputs.push_back(input.empty() ? nullptr : lookup(node, input));
    }
    std::vector<std::unique_ptr<ir::Value>> placeholders;
    for (const std::string& output : node.outputs) {
      placeholders.push_back(std::make_unique<ir::Value>());
      placeholders.back()->name = output;
      probe.outputs.push_back(placeholders.back().get());
    }
    const std::vector<ir::OutputType> types = ir::infer_node(probe);
    if (types.size() != node.outputs.size()) {
      fail("{}: has {} outputs, the op defines {}", probe.describe(), node.outputs.size(),
           types.size());
    }
    for (size_t i = 0; i < types.size(); ++i) {
      const std::string what =
          fmt::format("{}: output {} ('{}')", probe.describe(), i, node.outputs[i]);
      ir::check_tensor_size(types[i].dtype, types[i].shape, what);
      placeholders[i]->dtype = types[i].dtype;  // typed, for the MAC count in cheap_to_fold
      placeholders[i]->shape = types[i].shape;
    }
    if (fold(node, probe, types)) return;

    std::vector<ir::Value*> outputs;
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      const std::string& name = node.outputs[i].empty()
                                    ? fresh_name(fmt::format("{}_unused_{}", node.name, i))
                                    : node.outputs[i];
      ir::Value* output = graph_.add_value(name, types[i].dtype, types[i].shape);
      define(node, name, output);
      outputs.push_back(output);
    }
    graph_.add_node(op, probe.inputs, outputs, node.attrs, node.name);
  }

  // Whether evaluating the node now stays within the folding limits (kMaxFold*). The work is
  // the op's MAC count where it has one, else the elements its inputs and outputs hold, times
  // the window size for a pooling op (whose reference visits every tap of every window).
  bool cheap_to_fold(const ir::Node& probe, const std::vector<ir::OutputType>& types) const {
    int64_t bytes = 0;
    int64_t elements = 0;
    for (const ir::Value* input : probe.inputs) {
      if (input == nullptr) continue;
      // A non-constant input is evaluated on a zero-filled stand-in (passes::try_fold).
      if (!input->is_constant()) {
        bytes = saturating_add(bytes, tensor_bytes(input->dtype, input->shape));
      }
      elements = saturating_add(elements, input->numel());
    }
    int64_t output_bytes = 0;
    for (const ir::OutputType& type : types) {
      output_bytes = saturating_add(output_bytes, tensor_bytes(type.dtype, type.shape));
      elements = saturating_add(elements, ir::shape_numel(type.shape));
    }
    bytes = saturating_add(bytes, output_bytes);
    int64_t work = elements;
    const ir::OpSchema& schema = ir::OpRegistry::instance().get(probe);
    if (schema.macs != nullptr) {
      work = saturating_add(work, schema.macs(probe));
    } else if (probe.attrs.has("kernel_shape")) {
      for (int64_t size : probe.attrs.get_ints("kernel_shape")) work = saturating_mul(work, size);
    }
    return bytes <= kMaxFoldBytes && work <= kMaxFoldWork &&
           saturating_add(folded_bytes_, output_bytes) <= kMaxFoldedBytes;
  }

  // Folds the node into constants when passes::try_fold can (see there) within the limits.
  bool fold(const NodeSpec& node, const ir::Node& probe, const std::vector<ir::OutputType>& types) {
    if (!cheap_to_fold(probe, types)) return false;
    std::optional<std::vector<ir::Tensor>> folded = passes::try_fold(probe);
    if (!folded) return false;
    std::vector<ir::Tensor>& results = *folded;
    if (results.size() != types.size()) {
      fail("{}: evaluated to {} outputs, its shape rule says {}", probe.describe(), results.size(),
           types.size());
    }
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].dtype() != types[i].dtype || results[i].shape() != types[i].shape) {
        fail("{}: output {} evaluated to {}{}, its shape rule says {}{}", probe.describe(), i,
             ir::dtype_name(results[i].dtype()), ir::shape_string(results[i].shape()),
             ir::dtype_name(types[i].dtype), ir::shape_string(types[i].shape));
      }
      if (node.outputs[i].empty()) continue;
      folded_bytes_ += static_cast<int64_t>(results[i].bytes().size());
      define(node, node.outputs[i], graph_.add_constant(node.outputs[i], std::move(results[i])));
    }
    return true;
  }

  void import_outputs() {
    for (const onnx::ValueInfoProto& output : model_.graph().output()) {
      const std::string what = fmt::format("graph output '{}'", output.name());
      auto it = values_.find(output.name());
      if (it == values_.end() || it->second == nullptr) {
        fail("{} is not produced by any node, input or initializer", what);
      }
      ir::Value* value = it->second;
      check_declared_type(output, *value, what);
      // An output read through a removed Identity keeps the model's output name.
      const bool is_input =
          std::find(graph_.inputs().begin(), graph_.inputs().end(), value) != graph_.inputs().end();
      if (value->name != output.name() && !is_input && !ir::is_graph_output(graph_, value)) {
        value->name = graph_.unique_name(output.name());
      }
      graph_.outputs().push_back(value);
    }
  }

  // The model's declared output type must agree with what the import computed: a mismatch
  // means the graph was misread (or the model is inconsistent).
  void check_declared_type(const onnx::ValueInfoProto& output, const ir::Value& value,
                           const std::string& what) const {
    if (!output.type().has_tensor_type()) {
      fail("{}: only tensors are supported (not sequences, maps or optionals)", what);
    }
    const auto& type = output.type().tensor_type();
    if (type.elem_type() != onnx::TensorProto::UNDEFINED) {
      const ir::DType dtype = require_dtype(type.elem_type(), what);
      if (dtype != value.dtype) {
        fail("{} is declared {}, the imported graph computes {}", what, ir::dtype_name(dtype),
             value.type_string());
      }
    }
    if (!type.has_shape() || !options_.input_shapes.empty()) return;
    bool mismatch = type.shape().dim_size() != value.rank();
    for (int i = 0; !mismatch && i < type.shape().dim_size(); ++i) {
      const auto& dim = type.shape().dim(i);
      mismatch = dim.has_dim_value() && dim.dim_value() != value.shape[i];
    }
    if (mismatch) {
      std::string declared;
      for (const auto& dim : type.shape().dim()) {
        declared += (declared.empty() ? "" : ",") +
                    (dim.has_dim_value() ? std::to_string(dim.dim_value()) : dim.dim_param());
      }
      fail("{} is declared with shape [{}], the imported graph computes {}", what, declared,
           value.type_string());
    }
  }

  const onnx::ModelProto& model_;
  const ImportOptions& options_;
  int opset_ = 0;
  int64_t folded_bytes_ = 0;  // the constants folding has made so far
  ir::Graph graph_;
  std::unordered_map<std::string, ir::Value*> values_;  // ONNX name -> IR value
};

}  // namespace

std::vector<std::string> supported_onnx_ops() {
  std::vector<std::string> ops = {"Constant", "Identity"};
  for (std::string_view name : ir::OpRegistry::instance().names()) {
    if (name.starts_with("onnx.")) ops.emplace_back(name.substr(5));
  }
  std::sort(ops.begin(), ops.end());
  ops.erase(std::unique(ops.begin(), ops.end()), ops.end());
  return ops;
}

ir::Graph import_onnx_model(const onnx::ModelProto& model, const ImportOptions& options) {
  return Importer(model, options).run();
}

ir::Graph import_onnx_bytes(std::span<const uint8_t> bytes, const ImportOptions& options) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    fail("the model is larger than 2 GiB, which protobuf cannot parse");
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    fail("not a valid ONNX model (the protobuf does not parse)");
  }
  return import_onnx_model(model, options);
}

ir::Graph import_onnx(const std::filesystem::path& file, const ImportOptions& options) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) fail("{}: cannot open the file", file.string());
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&stream)) {
    fail("{}: not a valid ONNX model (the protobuf does not parse)", file.string());
  }
  // Warnings, like errors, start with the file.
  ImportOptions with_file = options;
  with_file.warn = [&options, &file](const std::string& message) {
    const std::string text = fmt::format("{}: {}", file.string(), message);
    if (options.warn) {
      options.warn(text);
    } else {
      std::cerr << "warning: " << text << "\n";
    }
  };
  try {
    return import_onnx_model(model, with_file);
  } catch (const CompileError& error) {
    throw CompileError(fmt::format("{}: {}", file.string(), error.what()));
  }
}

}  // namespace tinyexec::frontends
