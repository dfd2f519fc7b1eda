// SPDX-License-Identifier: Apache-2.0
// Sliding-window geometry shared by Conv, ConvTranspose and the pooling ops: reading and
// checking the ONNX attributes kernel_shape, strides, dilations, pads and auto_pad, and the
// output sizes they give. The reference loops are written once for three spatial axes; 1-D and
// 2-D ops are run as 3-D ones with leading unit axes (as_3d).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_helpers.h"

namespace tinyexec::ops {

// Most spatial axes a window op supports (Conv3d, MaxPool3d).
inline constexpr size_t kMaxSpatialAxes = 3;

// One spatial axis of a window op. For forward ops (Conv, pools) output position o reads input
// positions o * stride - pad_begin + k * dilation, k in [0, kernel). For ConvTranspose input
// position i writes output positions i * stride - pad_begin + k * dilation.
struct WindowAxis {
  int64_t in = 1;
  int64_t out = 1;
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t dilation = 1;
  int64_t pad_begin = 0;
  int64_t pad_end = 0;  // may be negative for ConvTranspose (output_shape larger than natural)

  int64_t extent() const { return (kernel - 1) * dilation + 1; }  // dilated kernel size
};

using Window = std::vector<WindowAxis>;  // one entry per spatial axis

// Checks that an N x C x spatial input has 1 to 3 spatial axes and returns their count.
size_t spatial_rank(const Node& node, const ir::Value& input);

// An INTS attribute with one value per spatial axis: `fallback` for every axis when absent;
// throws naming the attribute when its length is not `count` or a value is below `min_value` or
// above 2^31.
std::vector<int64_t> spatial_ints(const Node& node, const std::string& name, size_t count,
                                  int64_t fallback, int64_t min_value);

// The auto_pad attribute, checked: "NOTSET" (default), "SAME_UPPER", "SAME_LOWER" or "VALID".
std::string auto_pad_of(const Node& node);

// The geometry of a forward window op (Conv, MaxPool, AveragePool) on input spatial sizes `in`
// with kernel sizes `kernel`, from the attributes strides, dilations (when `has_dilations`),
// pads and auto_pad. ceil_mode rounds output sizes up, dropping a last window that would start
// in the end padding (as PyTorch and ONNX specify). Throws naming the node when the attributes
// are invalid or the window does not fit the padded input.
Window forward_window(const Node& node, const std::vector<int64_t>& in,
                      const std::vector<int64_t>& kernel, bool ceil_mode, bool has_dilations);

// The window padded to three axes with leading unit axes.
std::array<WindowAxis, kMaxSpatialAxes> as_3d(const Window& window);

// Output spatial sizes of a window.
std::vector<int64_t> output_sizes(const Window& window);

}  // namespace tinyexec::ops
