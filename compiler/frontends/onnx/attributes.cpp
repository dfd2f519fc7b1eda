// SPDX-License-Identifier: Apache-2.0
// ONNX AttributeProto -> ir::Attribute.
#include <onnx/onnx_pb.h>

#include "frontends/onnx/node_spec.h"
#include "frontends/onnx/tensor_proto.h"

namespace tinyexec::frontends {

std::string NodeSpec::describe() const {
  return fmt::format("node '{}' (onnx.{})", name, op);
}

namespace {

using onnx::AttributeProto;

// Old exporters leave `type` unset; the field that is filled says it.
AttributeProto::AttributeType type_of(const AttributeProto& attribute) {
  if (attribute.type() != AttributeProto::UNDEFINED) return attribute.type();
  if (attribute.has_f()) return AttributeProto::FLOAT;
  if (attribute.has_i()) return AttributeProto::INT;
  if (attribute.has_s()) return AttributeProto::STRING;
  if (attribute.has_t()) return AttributeProto::TENSOR;
  if (attribute.has_g()) return AttributeProto::GRAPH;
  if (attribute.floats_size() > 0) return AttributeProto::FLOATS;
  if (attribute.ints_size() > 0) return AttributeProto::INTS;
  if (attribute.strings_size() > 0) return AttributeProto::STRINGS;
  return AttributeProto::UNDEFINED;
}

}  // namespace

ir::Attribute convert_attribute(const NodeSpec& node, const AttributeProto& attribute) {
  const std::string& name = attribute.name();
  if (!attribute.ref_attr_name().empty()) {
    fail("{}: attribute '{}' refers to a function attribute; functions are not supported",
         node.describe(), name);
  }
  switch (type_of(attribute)) {
    case AttributeProto::INT: return attribute.i();
    case AttributeProto::FLOAT: return attribute.f();
    case AttributeProto::STRING: return attribute.s();
    case AttributeProto::INTS:
      return std::vector<int64_t>(attribute.ints().begin(), attribute.ints().end());
    case AttributeProto::FLOATS:
      return std::vector<float>(attribute.floats().begin(), attribute.floats().end());
    case AttributeProto::STRINGS:
      return std::vector<std::string>(attribute.strings().begin(), attribute.strings().end());
    case AttributeProto::TENSOR:
      return tensor_from_onnx(attribute.t(),
                              fmt::format("{}: attribute '{}'", node.describe(), name));
    default:
      fail(
          "{}: attribute '{}' is of type {}, which is not supported (supported: INT, FLOAT, "
          "STRING, INTS, FLOATS, STRINGS, TENSOR)",
          node.describe(), name, AttributeProto::AttributeType_Name(type_of(attribute)));
  }
}

}  // namespace tinyexec::frontends
