// SPDX-License-Identifier: Apache-2.0
// Shape and data-movement ops (ONNX opset-13 semantics; Shape with opset-15 start/end):
// Reshape, Flatten, Squeeze, Unsqueeze, Concat, Transpose, Identity, Shape, Gather, Cast,
// ConstantOfShape, Constant.
//
// Data movement works for every dtype by copying elements as bytes. Inputs that decide the
// output shape (Reshape's shape, Squeeze/Unsqueeze's axes, ConstantOfShape's shape) must be
// constants, since shapes are static; each op computes its output shape with one function
// that both the shape rule (from the constant) and the reference implementation (from the
// tensor it is given) call, so the two cannot disagree.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>

#include "ops/onnx/dtype_dispatch.h"
#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

// --- Shared helpers.

bool is_index_type(DType dtype) {
  return dtype == DType::kInt32 || dtype == DType::kInt64;
}

// The number of elements of a shape, with an error that names the node.
int64_t checked_numel(const Node& node, const Shape& shape) {
  try {
    return ir::shape_numel(shape);
  } catch (const CompileError& error) {
    node_error(node, "{}", error.what());
  }
}

// The integer values of a shape-deciding input, which must be a constant of i32/i64.
std::vector<int64_t> constant_ints(const Node& node, size_t index, const char* what) {
  const ir::Value& value = input_value(node, index);
  if (!is_index_type(value.dtype)) {
    node_error(node, "input {} ({} '{}') is {}, it must be i64 (or i32)", index, what, value.name,
               ir::dtype_name(value.dtype));
  }
  if (value.rank() > 1) {
    node_error(node, "input {} ({} '{}') must be 1-D, has shape {}", index, what, value.name,
               ir::shape_string(value.shape));
  }
  if (!value.is_constant()) {
    node_error(node,
               "input {} ({} '{}') is computed at run time; shapes are static, so it must be a "
               "constant (an initializer or foldable from constants)",
               index, what, value.name);
  }
  return value.constant->to_int_vector();
}

// Normalises each axis against `rank` and rejects repeats.
std::vector<int64_t> normalize_axes(const Node& node, const std::vector<int64_t>& axes,
                                    int64_t rank) {
  std::vector<int64_t> result;
  for (int64_t axis : axes) {
    const int64_t normalized = normalize_axis(node, axis, rank);
    if (std::find(result.begin(), result.end(), normalized) != result.end()) {
      node_error(node, "axis {} is given twice", axis);
    }
    result.push_back(normalized);
  }
  return result;
}

// A copy of `input`'s elements with a new shape of the same element count.
std::vector<Tensor> with_shape(const Tensor& input, Shape shape) {
  return {input.reshaped(std::move(shape))};
}

// --- Reshape: shape values 0 (copy the input's dim, or a real 0 with allowzero=1) and -1
// (inferred from the element count).

Shape reshape_shape(const Node& node, const Shape& input, const std::vector<int64_t>& spec) {
  const int64_t allowzero = node.attrs.int_or("allowzero", 0);
  if (allowzero != 0 && allowzero != 1) {
    node_error(node, "attribute 'allowzero' is {}, it must be 0 or 1", allowzero);
  }
  Shape output(spec.begin(), spec.end());
  std::optional<size_t> inferred;
  bool has_zero = false;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == -1) {
      if (inferred) node_error(node, "the shape {} has more than one -1", ir::shape_string(spec));
      inferred = i;
    } else if (spec[i] == 0) {
      has_zero = true;
      if (allowzero == 0) {
        if (i >= input.size()) {
          node_error(node, "shape {} copies dimension {} (a 0) but the input {} has rank {}",
                     ir::shape_string(spec), i, ir::shape_string(input), input.size());
        }
        output[i] = input[i];
      }
    } else if (spec[i] < -1) {
      node_error(node, "the shape {} has an invalid dimension {}", ir::shape_string(spec), spec[i]);
    }
  }
  if (allowzero == 1 && has_zero && inferred) {
    node_error(node, "with allowzero=1 the shape {} cannot have both a 0 and a -1",
               ir::shape_string(spec));
  }
  const int64_t count = checked_numel(node, input);
  if (inferred) {
    Shape known = output;
    known[*inferred] = 1;
    const int64_t known_count = checked_numel(node, known);
    if (known_count == 0 || count % known_count != 0) {
      node_error(node, "cannot infer the -1 in shape {} for an input of shape {}",
                 ir::shape_string(spec), ir::shape_string(input));
    }
    output[*inferred] = count / known_count;
  }
  if (checked_numel(node, output) != count) {
    node_error(node, "cannot reshape {} ({} elements) to {} (shape input {})",
               ir::shape_string(input), count, ir::shape_string(output), ir::shape_string(spec));
  }
  return output;
}

std::vector<OutputType> infer_reshape(const Node& node) {
  expect_inputs(node, 2, 2);
  const ir::Value& data = input_value(node, 0);
  return {{data.dtype, reshape_shape(node, data.shape, constant_ints(node, 1, "shape"))}};
}

std::vector<Tensor> evaluate_reshape(const Node& node, Inputs inputs) {
  return with_shape(*inputs[0],
                    reshape_shape(node, inputs[0]->shape(), inputs[1]->to_int_vector()));
}

// --- Flatten: [d0 * ... * d(axis-1), d(axis) * ... * d(n-1)]; axis in [-rank, rank].

Shape flatten_shape(const Node& node, const Shape& input) {
  const int64_t rank = static_cast<int64_t>(input.size());
  const int64_t axis = node.attrs.int_or("axis", 1);
  const int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized > rank) {
    node_error(node, "attribute 'axis' is {}, it must be in [{}, {}] for rank {}", axis, -rank,
               rank, rank);
  }
  const Shape outer(input.begin(), input.begin() + normalized);
  const Shape inner(input.begin() + normalized, input.end());
  return {checked_numel(node, outer), checked_numel(node, inner)};
}

std::vector<OutputType> infer_flatten(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& data = input_value(node, 0);
  return {{data.dtype, flatten_shape(node, data.shape)}};
}

std::vector<Tensor> evaluate_flatten(const Node& node, Inputs inputs) {
  return with_shape(*inputs[0], flatten_shape(node, inputs[0]->shape()));
}

// --- Squeeze (axes optional: all size-1 dims) and Unsqueeze (axes required).

Shape squeeze_shape(const Node& node, const Shape& input,
                    const std::optional<std::vector<int64_t>>& axes) {
  const int64_t rank = static_cast<int64_t>(input.size());
  std::vector<bool> remove(input.size(), false);
  if (axes) {
    for (int64_t axis : normalize_axes(node, *axes, rank)) {
      if (input[axis] != 1) {
        node_error(node, "cannot squeeze axis {}: dimension {} of {} is {}, not 1", axis, axis,
                   ir::shape_string(input), input[axis]);
      }
      remove[axis] = true;
    }
  } else {
    for (size_t i = 0; i < input.size(); ++i) remove[i] = input[i] == 1;
  }
  Shape output;
  for (size_t i = 0; i < input.size(); ++i) {
    if (!remove[i]) output.push_back(input[i]);
  }
  return output;
}

std::vector<OutputType> infer_squeeze(const Node& node) {
  expect_inputs(node, 1, 2);
  const ir::Value& data = input_value(node, 0);
  std::optional<std::vector<int64_t>> axes;
  if (node.input(1) != nullptr) axes = constant_ints(node, 1, "axes");
  return {{data.dtype, squeeze_shape(node, data.shape, axes)}};
}

std::vector<Tensor> evaluate_squeeze(const Node& node, Inputs inputs) {
  std::optional<std::vector<int64_t>> axes;
  if (inputs.size() > 1 && inputs[1] != nullptr) axes = inputs[1]->to_int_vector();
  return with_shape(*inputs[0], squeeze_shape(node, inputs[0]->shape(), axes));
}

Shape unsqueeze_shape(const Node& node, const Shape& input, const std::vector<int64_t>& axes) {
  const int64_t rank = static_cast<int64_t>(input.size() + axes.size());
  std::vector<bool> inserted(static_cast<size_t>(rank), false);
  for (int64_t axis : normalize_axes(node, axes, rank)) inserted[axis] = true;
  Shape output;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i) output.push_back(inserted[i] ? 1 : input[next++]);
  return output;
}

std::vector<OutputType> infer_unsqueeze(const Node& node) {
  expect_inputs(node, 2, 2);
  const ir::Value& data = input_value(node, 0);
  return {{data.dtype, unsqueeze_shape(node, data.shape, constant_ints(node, 1, "axes"))}};
}

std::vector<Tensor> evaluate_unsqueeze(const Node& node, Inputs inputs) {
  return with_shape(*inputs[0],
                    unsqueeze_shape(node, inputs[0]->shape(), inputs[1]->to_int_vector()));
}

// --- Concat along `axis` (required); every input has the same dtype, rank and other dims.

std::vector<OutputType> infer_concat(const Node& node) {
  if (node.inputs.empty()) node_error(node, "needs at least one input");
  for (size_t i = 0; i < node.inputs.size(); ++i) input_value(node, i);  // none omitted
  if (!node.attrs.has("axis")) node_error(node, "attribute 'axis' is required");
  const ir::Value& first = input_value(node, 0);
  if (first.rank() == 0) node_error(node, "cannot concatenate scalars (input '{}')", first.name);
  const int64_t axis = normalize_axis(node, node.attrs.get_int("axis"), first.rank());
  Shape output = first.shape;
  output[axis] = 0;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const ir::Value& input = input_value(node, i);
    if (input.dtype != first.dtype) {
      node_error(node, "input {} ('{}') is {}, input 0 is {}; all inputs must have one type", i,
                 input.name, ir::dtype_name(input.dtype), ir::dtype_name(first.dtype));
    }
    bool compatible = input.rank() == first.rank();
    for (int64_t d = 0; compatible && d < first.rank(); ++d) {
      compatible = d == axis || input.shape[d] == first.shape[d];
    }
    if (!compatible) {
      node_error(node, "input {} ('{}') has shape {}, which does not match {} outside axis {}", i,
                 input.name, ir::shape_string(input.shape), ir::shape_string(first.shape), axis);
    }
    output[axis] += input.shape[axis];
  }
  return {{first.dtype, output}};
}

std::vector<Tensor> evaluate_concat(const Node& node, Inputs inputs) {
  const Shape& first = inputs[0]->shape();
  const int64_t axis = normalize_axis(node, node.attrs.get_int("axis"), inputs[0]->rank());
  const size_t element = ir::dtype_size(inputs[0]->dtype());
  Shape output = first;
  output[axis] = 0;
  for (const Tensor* input : inputs) output[axis] += input->shape()[axis];
  Tensor result(inputs[0]->dtype(), output);
  // Output = for each index of the dims before `axis`, each input's block of the rest in turn.
  const int64_t outer = checked_numel(node, Shape(first.begin(), first.begin() + axis));
  uint8_t* out = result.mutable_bytes().data();
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor* input : inputs) {
      const Shape& dims = input->shape();
      const size_t block =
          static_cast<size_t>(checked_numel(node, Shape(dims.begin() + axis, dims.end())));
      if (block == 0) continue;  // memcpy must not see the null data of an empty tensor
      std::memcpy(out, input->bytes().data() + o * block * element, block * element);
      out += block * element;
    }
  }
  return {std::move(result)};
}

// --- Transpose: output dim i is input dim perm[i]; default perm reverses the dims.

std::vector<int64_t> transpose_perm(const Node& node, int64_t rank) {
  std::vector<int64_t> perm;
  if (node.attrs.has("perm")) {
    perm = node.attrs.get_ints("perm");
  } else {
    for (int64_t i = rank; i-- > 0;) perm.push_back(i);
  }
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t i = 0; valid && i < rank; ++i) valid = sorted[i] == i;
  if (!valid) {
    node_error(node, "attribute 'perm' {} is not a permutation of the {} input dims",
               ir::shape_string(perm), rank);
  }
  return perm;
}

std::vector<OutputType> infer_transpose(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& data = input_value(node, 0);
  const std::vector<int64_t> perm = transpose_perm(node, data.rank());
  Shape output;
  for (int64_t p : perm) output.push_back(data.shape[p]);
  return {{data.dtype, output}};
}

std::vector<Tensor> evaluate_transpose(const Node& node, Inputs inputs) {
  const Tensor& input = *inputs[0];
  const std::vector<int64_t> perm = transpose_perm(node, input.rank());
  const std::vector<int64_t> in_strides = strides_of(input.shape());
  Shape output;
  for (int64_t p : perm) output.push_back(input.shape()[p]);
  Tensor result(input.dtype(), output);
  const size_t element = ir::dtype_size(input.dtype());
  for (int64_t i = 0; i < result.numel(); ++i) {
    // Output coordinate d is input coordinate perm[d].
    int64_t rest = i;
    int64_t source = 0;
    for (size_t d = output.size(); d-- > 0;) {
      source += (rest % output[d]) * in_strides[perm[d]];
      rest /= output[d];
    }
    std::memcpy(result.mutable_bytes().data() + i * element,
                input.bytes().data() + source * element, element);
  }
  return {std::move(result)};
}

// --- Identity.

std::vector<OutputType> infer_identity(const Node& node) {
  expect_inputs(node, 1, 1);
  return infer_same_as_input(node);
}

std::vector<Tensor> evaluate_identity(const Node&, Inputs inputs) {
  return {*inputs[0]};
}

// --- Shape: the input's dims [start, end) as i64 (negative values count from the end,
// out-of-range values clamp, as in opset 15).

std::vector<int64_t> shape_slice(const Node& node, const Shape& shape) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  auto clamp = [rank](int64_t index) {
    if (index < 0) index += rank;
    return std::clamp<int64_t>(index, 0, rank);
  };
  const int64_t start = clamp(node.attrs.int_or("start", 0));
  const int64_t end = clamp(node.attrs.int_or("end", rank));
  if (end <= start) return {};
  return std::vector<int64_t>(shape.begin() + start, shape.begin() + end);
}

std::vector<OutputType> infer_shape(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& data = input_value(node, 0);
  return {{DType::kInt64, {static_cast<int64_t>(shape_slice(node, data.shape).size())}}};
}

std::vector<Tensor> evaluate_shape(const Node& node, Inputs inputs) {
  const std::vector<int64_t> dims = shape_slice(node, inputs[0]->shape());
  return {Tensor::from<int64_t>({static_cast<int64_t>(dims.size())}, dims)};
}

// --- Gather along `axis` (default 0): out = data[..., indices[...], ...]; negative indices
// count from the end.

std::vector<OutputType> infer_gather(const Node& node) {
  expect_inputs(node, 2, 2);
  const ir::Value& data = input_value(node, 0);
  const ir::Value& indices = input_value(node, 1);
  if (!is_index_type(indices.dtype)) {
    node_error(node, "input 1 (indices '{}') is {}, it must be i32 or i64", indices.name,
               ir::dtype_name(indices.dtype));
  }
  if (data.rank() == 0) node_error(node, "input 0 (data '{}') must not be a scalar", data.name);
  const int64_t axis = normalize_axis(node, node.attrs.int_or("axis", 0), data.rank());
  if (indices.is_constant()) {
    // Catch a bad index at compile time when the indices are known.
    for (int64_t index : indices.constant->to_int_vector()) {
      if (index < -data.shape[axis] || index >= data.shape[axis]) {
        node_error(node, "index {} is out of range for axis {} of size {}", index, axis,
                   data.shape[axis]);
      }
    }
  }
  Shape output(data.shape.begin(), data.shape.begin() + axis);
  output.insert(output.end(), indices.shape.begin(), indices.shape.end());
  output.insert(output.end(), data.shape.begin() + axis + 1, data.shape.end());
  return {{data.dtype, output}};
}

std::vector<Tensor> evaluate_gather(const Node& node, Inputs inputs) {
  const Tensor& data = *inputs[0];
  const Tensor& indices = *inputs[1];
  const Shape& shape = data.shape();
  const int64_t axis = normalize_axis(node, node.attrs.int_or("axis", 0), data.rank());
  Shape output(shape.begin(), shape.begin() + axis);
  output.insert(output.end(), indices.shape().begin(), indices.shape().end());
  output.insert(output.end(), shape.begin() + axis + 1, shape.end());
  Tensor result(data.dtype(), output);

  const int64_t outer = checked_numel(node, Shape(shape.begin(), shape.begin() + axis));
  const int64_t size = shape[axis];
  const int64_t inner = checked_numel(node, Shape(shape.begin() + axis + 1, shape.end()));
  const size_t block = static_cast<size_t>(inner) * ir::dtype_size(data.dtype());
  std::vector<int64_t> positions = indices.to_int_vector();
  for (int64_t& index : positions) {
    if (index < -size || index >= size) {
      node_error(node, "index {} is out of range for axis {} of size {}", index, axis, size);
    }
    if (index < 0) index += size;
  }
  if (block == 0) return {std::move(result)};  // memcpy must not see an empty tensor's null data
  uint8_t* out = result.mutable_bytes().data();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t index : positions) {
      std::memcpy(out, data.bytes().data() + (o * size + index) * block, block);
      out += block;
    }
  }
  return {std::move(result)};
}

// --- Cast to the ONNX TensorProto type in 'to'. float -> integer truncates toward zero (as
// numpy's astype, ONNX's reference), NaN becomes 0, and values out of the target's range
// saturate to its limits (ONNX before opset 19 leaves them undefined; saturating keeps the
// result deterministic). integer -> integer wraps (two's complement, as astype and C++).
// Anything -> bool is "!= 0"; bool -> anything is 0 or 1.

std::optional<DType> onnx_dtype(int64_t to) {
  switch (to) {
    case 1: return DType::kFloat32;
    case 2: return DType::kUInt8;
    case 3: return DType::kInt8;
    case 5: return DType::kInt16;
    case 6: return DType::kInt32;
    case 7: return DType::kInt64;
    case 9: return DType::kBool;
    default: return std::nullopt;
  }
}

const char* onnx_dtype_name(int64_t to) {
  switch (to) {
    case 4: return "UINT16";
    case 8: return "STRING";
    case 10: return "FLOAT16";
    case 11: return "DOUBLE";
    case 12: return "UINT32";
    case 13: return "UINT64";
    case 14: return "COMPLEX64";
    case 15: return "COMPLEX128";
    case 16: return "BFLOAT16";
    default: return "unknown";
  }
}

DType cast_target(const Node& node) {
  const int64_t to = node.attrs.get_int("to");
  const std::optional<DType> dtype = onnx_dtype(to);
  if (!dtype) {
    node_error(node,
               "attribute 'to' is {} ({}); supported: FLOAT (1), UINT8 (2), INT8 (3), INT16 (5), "
               "INT32 (6), INT64 (7), BOOL (9)",
               to, onnx_dtype_name(to));
  }
  return *dtype;
}

template <typename To, typename From>
To convert(From value) {
  if constexpr (std::is_same_v<To, bool>) {
    return value != From{};
  } else if constexpr (std::is_same_v<From, bool>) {
    return static_cast<To>(value ? 1 : 0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(value)) return 0;
    const double truncated = std::trunc(static_cast<double>(value));
    // Both limits are exactly representable as doubles up to int32; for int64 the upper limit
    // rounds up to 2^63, so compare with >=.
    if (truncated <= static_cast<double>(std::numeric_limits<To>::lowest())) {
      return std::numeric_limits<To>::lowest();
    }
    if (truncated >= static_cast<double>(std::numeric_limits<To>::max())) {
      return std::numeric_limits<To>::max();
    }
    return static_cast<To>(truncated);
  } else {
    return static_cast<To>(value);  // int -> int wraps (C++20), int -> float rounds
  }
}

std::vector<OutputType> infer_cast(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& input = input_value(node, 0);
  return {{cast_target(node), input.shape}};
}

std::vector<Tensor> evaluate_cast(const Node& node, Inputs inputs) {
  const Tensor& input = *inputs[0];
  Tensor result(cast_target(node), input.shape());
  dispatch_dtype(input.dtype(), [&]<typename From>(std::type_identity<From>) {
    dispatch_dtype(result.dtype(), [&]<typename To>(std::type_identity<To>) {
      const auto in = input.data<From>();
      auto out = result.data<To>();
      for (size_t i = 0; i < in.size(); ++i) out[i] = convert<To, From>(in[i]);
    });
  });
  return {std::move(result)};
}

// --- ConstantOfShape: a tensor of the (constant) shape filled with 'value' (a one-element
// tensor; default float 0).

Tensor fill_value(const Node& node) {
  if (!node.attrs.has("value")) return Tensor::scalar<float>(0.0f);
  const Tensor& value = node.attrs.get_tensor("value");
  if (value.numel() != 1) {
    node_error(node, "attribute 'value' must have one element, has shape {}",
               ir::shape_string(value.shape()));
  }
  return value;
}

Shape constant_of_shape_shape(const Node& node, const std::vector<int64_t>& dims) {
  for (int64_t dim : dims) {
    if (dim < 0) node_error(node, "the shape {} has a negative dimension", ir::shape_string(dims));
  }
  checked_numel(node, dims);
  return dims;
}

std::vector<OutputType> infer_constant_of_shape(const Node& node) {
  expect_inputs(node, 1, 1);
  return {
      {fill_value(node).dtype(), constant_of_shape_shape(node, constant_ints(node, 0, "shape"))}};
}

std::vector<Tensor> evaluate_constant_of_shape(const Node& node, Inputs inputs) {
  const Tensor value = fill_value(node);
  Tensor result(value.dtype(), constant_of_shape_shape(node, inputs[0]->to_int_vector()));
  const size_t element = ir::dtype_size(value.dtype());
  for (int64_t i = 0; i < result.numel(); ++i) {
    std::memcpy(result.mutable_bytes().data() + i * element, value.bytes().data(), element);
  }
  return {std::move(result)};
}

// --- Constant: exactly one of value (tensor), value_float(s), value_int(s).

Tensor constant_value(const Node& node) {
  static const char* const kSupported[] = {"value", "value_float", "value_floats", "value_int",
                                           "value_ints"};
  std::vector<std::string> given;
  for (const auto& [name, attribute] : node.attrs.all()) given.push_back(name);
  for (const std::string& name : given) {
    if (std::find(std::begin(kSupported), std::end(kSupported), name) == std::end(kSupported)) {
      node_error(node,
                 "attribute '{}' is not supported; supported: value, value_float, value_floats, "
                 "value_int, value_ints",
                 name);
    }
  }
  if (given.size() != 1) {
    node_error(node, "needs exactly one value attribute, has {}", given.size());
  }
  const std::string& name = given[0];
  if (name == "value") return node.attrs.get_tensor(name);
  if (name == "value_float") return Tensor::scalar<float>(node.attrs.get_float(name));
  if (name == "value_int") return Tensor::scalar<int64_t>(node.attrs.get_int(name));
  if (name == "value_floats") {
    const std::vector<float>& values = node.attrs.get_floats(name);
    return Tensor::from<float>({static_cast<int64_t>(values.size())}, values);
  }
  const std::vector<int64_t>& values = node.attrs.get_ints(name);
  return Tensor::from<int64_t>({static_cast<int64_t>(values.size())}, values);
}

std::vector<OutputType> infer_constant(const Node& node) {
  expect_inputs(node, 0, 0);
  const Tensor value = constant_value(node);
  return {{value.dtype(), value.shape()}};
}

std::vector<Tensor> evaluate_constant(const Node& node, Inputs) {
  return {constant_value(node)};
}

const ir::RegisterOp kReshape{
    {"onnx.Reshape", infer_reshape, evaluate_reshape}};
const ir::RegisterOp kFlatten{
    {"onnx.Flatten", infer_flatten, evaluate_flatten}};
const ir::RegisterOp kSqueeze{
    {"onnx.Squeeze", infer_squeeze, evaluate_squeeze}};
const ir::RegisterOp kUnsqueeze{
    {"onnx.Unsqueeze", infer_unsqueeze, evaluate_unsqueeze}};
const ir::RegisterOp kConcat{
    {"onnx.Concat", infer_concat, evaluate_concat}};
const ir::RegisterOp kTranspose{
    {"onnx.Transpose", infer_transpose, evaluate_transpose}};
const ir::RegisterOp kIdentity{
    {"onnx.Identity", infer_identity, evaluate_identity}};
const ir::RegisterOp kShape{{"onnx.Shape", infer_shape, evaluate_shape}};
const ir::RegisterOp kGather{
    {"onnx.Gather", infer_gather, evaluate_gather}};
const ir::RegisterOp kCast{{"onnx.Cast", infer_cast, evaluate_cast}};
const ir::RegisterOp kConstantOfShape{{"onnx.ConstantOfShape", infer_constant_of_shape,
                                       evaluate_constant_of_shape}};
const ir::RegisterOp kConstant{
    {"onnx.Constant", infer_constant, evaluate_constant}};

}  // namespace
}  // namespace tinyexec::ops
