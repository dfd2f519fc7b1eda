// SPDX-License-Identifier: Apache-2.0
#include "ops/onnx/window.h"

#include <algorithm>

namespace tinyexec::ops {

size_t spatial_rank(const Node& node, const ir::Value& input) {
  const int64_t rank = input.rank();
  if (rank < 3 || rank > static_cast<int64_t>(kMaxSpatialAxes) + 2) {
    node_error(node,
               "input '{}' has shape {}; expected N x C followed by 1 to {} spatial axes "
               "(1-D, 2-D or 3-D)",
               input.name, ir::shape_string(input.shape), kMaxSpatialAxes);
  }
  return static_cast<size_t>(rank - 2);
}

std::vector<int64_t> spatial_ints(const Node& node, const std::string& name, size_t count,
                                  int64_t fallback, int64_t min_value) {
  if (!node.attrs.has(name)) return std::vector<int64_t>(count, fallback);
  const std::vector<int64_t>& values = node.attrs.get_ints(name);
  if (values.size() != count) {
    node_error(node, "attribute '{}' has {} values, expected {}", name, values.size(), count);
  }
  for (int64_t value : values) {
    if (value < min_value) {
      node_error(node, "attribute '{}' has value {}, values must be at least {}", name, value,
                 min_value);
    }
    // Like tensor dimensions (ir::kMaxTensorBytes), so that the window arithmetic (extents,
    // padded sizes, output sizes) cannot overflow.
    if (value > ir::kMaxTensorBytes) {
      node_error(node, "attribute '{}' has value {}, values must be at most 2^31", name, value);
    }
  }
  return values;
}

std::string auto_pad_of(const Node& node) {
  std::string auto_pad = node.attrs.string_or("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" &&
      auto_pad != "VALID") {
    node_error(node,
               "attribute 'auto_pad' is '{}'; supported values are NOTSET, SAME_UPPER, "
               "SAME_LOWER and VALID",
               auto_pad);
  }
  return auto_pad;
}

namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

}  // namespace

Window forward_window(const Node& node, const std::vector<int64_t>& in,
                      const std::vector<int64_t>& kernel, bool ceil_mode, bool has_dilations) {
  const size_t n = in.size();
  const std::vector<int64_t> strides = spatial_ints(node, "strides", n, 1, 1);
  const std::vector<int64_t> dilations =
      has_dilations ? spatial_ints(node, "dilations", n, 1, 1) : std::vector<int64_t>(n, 1);
  if (!has_dilations && node.attrs.has("dilations")) {
    // Only reached for ops whose opset 13 has no dilations attribute.
    const std::vector<int64_t> given = spatial_ints(node, "dilations", n, 1, 1);
    if (std::any_of(given.begin(), given.end(), [](int64_t d) { return d != 1; })) {
      node_error(node, "attribute 'dilations' is not supported by this op (only 1)");
    }
  }
  const std::vector<int64_t> pads = spatial_ints(node, "pads", 2 * n, 0, 0);
  const std::string auto_pad = auto_pad_of(node);
  const bool explicit_pads = std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p; });
  if (auto_pad != "NOTSET" && explicit_pads) {
    node_error(node, "attribute 'pads' must not be set together with auto_pad '{}'", auto_pad);
  }

  Window window(n);
  for (size_t i = 0; i < n; ++i) {
    WindowAxis& axis = window[i];
    axis.in = in[i];
    axis.kernel = kernel[i];
    axis.stride = strides[i];
    axis.dilation = dilations[i];
    if (axis.kernel < 1) {
      node_error(node, "kernel size {} on spatial axis {} must be at least 1", axis.kernel, i);
    }
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      // Output covers ceil(in / stride) windows; an odd total padding puts the extra element
      // at the end (SAME_UPPER) or at the beginning (SAME_LOWER).
      axis.out = ceil_div(axis.in, axis.stride);
      const int64_t total =
          std::max<int64_t>(0, (axis.out - 1) * axis.stride + axis.extent() - axis.in);
      axis.pad_begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      axis.pad_end = total - axis.pad_begin;
      continue;
    }
    if (auto_pad == "NOTSET") {
      axis.pad_begin = pads[i];
      axis.pad_end = pads[i + n];
    }
    const int64_t span = axis.in + axis.pad_begin + axis.pad_end - axis.extent();
    if (span < 0) {
      node_error(node,
                 "on spatial axis {} the kernel (size {}, dilation {}) is larger than the "
                 "padded input ({} + pads {} and {})",
                 i, axis.kernel, axis.dilation, axis.in, axis.pad_begin, axis.pad_end);
    }
    axis.out = (ceil_mode ? ceil_div(span, axis.stride) : span / axis.stride) + 1;
    // A last window starting past the input and its begin padding only covers end padding.
    if (ceil_mode && (axis.out - 1) * axis.stride >= axis.in + axis.pad_begin) --axis.out;
  }
  return window;
}

std::array<WindowAxis, kMaxSpatialAxes> as_3d(const Window& window) {
  std::array<WindowAxis, kMaxSpatialAxes> axes{};
  const size_t offset = kMaxSpatialAxes - window.size();
  for (size_t i = 0; i < window.size(); ++i) axes[offset + i] = window[i];
  return axes;
}

std::vector<int64_t> output_sizes(const Window& window) {
  std::vector<int64_t> sizes;
  for (const WindowAxis& axis : window) sizes.push_back(axis.out);
  return sizes;
}

}  // namespace tinyexec::ops
