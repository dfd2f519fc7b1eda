// SPDX-License-Identifier: Apache-2.0
// Shared state and helpers of the lowering pass (passes/lower_to_cortex_m.h): which quantized
// ONNX value became which int8 value and in which layout, matching the Q/DQ around an op, the
// layout conversions at the boundaries, and compile-time weight transforms.
#pragma once

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::passes::lowering {

// Thrown when an op cannot be lowered; the driver keeps the op float and reports `what()`.
class NotLowerable : public std::runtime_error {
 public:
  explicit NotLowerable(const std::string& reason) : std::runtime_error(reason) {}
};

template <typename... Args>
[[noreturn]] void reject(fmt::format_string<Args...> format, Args&&... args) {
  throw NotLowerable(fmt::format(format, std::forward<Args>(args)...));
}

// How the element order of a lowered value relates to its ONNX counterpart.
enum class Layout {
  kOnnx,      // same shape and order as the ONNX value
  kNhwc,      // the ONNX value is NCHW [N,C,H,W]; the lowered one is [N,H,W,C]
  kFlatNhwc,  // the ONNX value is the flatten [N, C*H*W] of an NCHW value; the lowered one is
              // the flatten [N, H*W*C] of its NHWC form (`nhwc_source`)
  kNwc,       // the ONNX value is 1-D NCW [N,C,W] (audio); the lowered one is NHWC [N,1,W,C]:
              // 1-D convolutions and pools run as the 2-D kernels with H = 1, and their
              // results stay in that form for the next op (H = 1 costs nothing)
};

struct Lowered {
  ir::Value* value = nullptr;  // int8, per-tensor quantized
  Layout layout = Layout::kOnnx;
  ir::Value* nhwc_source = nullptr;  // kFlatNhwc: the [N,H,W,C] value it flattens
};

// A constant operand given as constant -> DequantizeLinear: its stored tensor (int8 weights,
// int32 bias) and the DQ's quantization (axis normalised, -1 per tensor).
struct QuantizedConstant {
  const ir::Tensor* data = nullptr;
  ir::QuantParams quant;
};

// The output side of a pattern: op [-> activation] -> QuantizeLinear.
struct OutputMatch {
  ir::Node* activation = nullptr;  // fused onnx.Relu / onnx.Clip, if any
  ir::Node* quantize = nullptr;    // the onnx.QuantizeLinear ending the pattern
  ir::QuantParams quant;           // its (per-tensor int8) quantization
  int64_t activation_min = -128;
  int64_t activation_max = 127;
};

class Context {
 public:
  explicit Context(ir::Graph& graph) : graph_(graph) {}
  ir::Graph& graph() { return graph_; }

  // The node the current pattern is lowered in front of (new nodes are inserted before it).
  void set_position(ir::Node* position) { position_ = position; }
  ir::Node* position() const { return position_; }

  // --- Matching (throw NotLowerable with the reason)

  // The quantization a QuantizeLinear / DequantizeLinear node applies; int8 (or int32 for
  // bias) zero points, constant scales.
  ir::QuantParams quant_of(const ir::Node& qdq) const;
  // The pattern's output side. `fusable`: whether the op takes activation_min/max.
  OutputMatch match_output(const ir::Node& op, bool fusable) const;
  // Input `index` of `op` as a lowered int8 activation (through its DequantizeLinear).
  Lowered activation(const ir::Node& op, size_t index);
  // Whether input `index` is a constant behind a DequantizeLinear.
  bool is_quantized_constant(const ir::Node& op, size_t index) const;
  QuantizedConstant quantized_constant(const ir::Node& op, size_t index) const;

  // The lowered value of an ONNX int8 value produced by onnx.QuantizeLinear (creating the
  // cortex_m.quantize in place of that QuantizeLinear on first use), or nullopt.
  std::optional<Lowered> lowered_value(ir::Value* quantized);
  void define(ir::Value* quantized, Lowered lowered) { lowered_[quantized] = lowered; }
  bool is_lowered(ir::Value* quantized) const { return lowered_.contains(quantized); }

  // --- Building (nodes go before position())

  ir::Value* new_value(const std::string& base, ir::DType dtype, ir::Shape shape,
                       std::optional<ir::QuantParams> quant);
  ir::Node* emit(const std::string& op, std::vector<ir::Value*> inputs, ir::Value* output,
                 ir::Attributes attrs = {}, const std::string& name = {});
  // `lowered` as NHWC (4-D) / in ONNX order; inserts (and memoises) the conversion. A 3-D
  // (1-D NCW) value becomes [N,1,W,C].
  ir::Value* as_nhwc(const Lowered& lowered);
  ir::Value* as_onnx(const Lowered& lowered);
  // A transpose of an int8 value, or a cortex_m.reshape when only size-1 dims move.
  ir::Value* transpose(ir::Value* value, const std::vector<int64_t>& perm);
  ir::Value* reshape(ir::Value* value, const ir::Shape& shape);
  // Forget the memoised conversions (their nodes sit before the old position).
  void clear_conversions() { conversions_.clear(); }

  // Original nodes replaced by a cortex_m op (dead once the pass finishes).
  std::set<const ir::Node*>& consumed() { return consumed_; }

 private:
  ir::Graph& graph_;
  ir::Node* position_ = nullptr;
  std::map<ir::Value*, Lowered> lowered_;
  std::map<std::pair<ir::Value*, Layout>, ir::Value*> conversions_;
  std::set<const ir::Node*> consumed_;
};

// --- Tensor and shape helpers

// Permutes the axes of a tensor of any dtype: result dim i is input dim perm[i].
ir::Tensor permute(const ir::Tensor& tensor, const std::vector<int64_t>& perm);
ir::Shape permute_shape(const ir::Shape& shape, const std::vector<int64_t>& perm);
inline const std::vector<int64_t> kToNhwc{0, 2, 3, 1};
inline const std::vector<int64_t> kToNchw{0, 3, 1, 2};
// True when the permutation keeps the order of the dims larger than 1 (a reshape suffices).
bool moves_only_unit_dims(const ir::Shape& shape, const std::vector<int64_t>& perm);
// Scales equal within float rounding (the same real scale written twice).
bool same_scale(double a, double b);
bool same_quant(const ir::QuantParams& a, const ir::QuantParams& b);
// A per-tensor (or per-channel along `axis`) quantization widened to `channels` scales.
std::vector<float> per_channel_scales(const ir::QuantParams& quant, int64_t channels);

// The int32 bias of an op at scale input_scale * weight_scales[c] (per channel c): the
// bias input (constant -> DequantizeLinear, or a float constant) re-expressed when its scale
// differs, times `factor` (Gemm's beta). Returns the quantized constant, nullptr without bias.
ir::Value* lower_bias(Context& context, const ir::Node& op, size_t index, float input_scale,
                      const std::vector<float>& weight_scales, bool per_channel, double factor);

// Per-op lowering rules (conv_rules.cpp, other_rules.cpp, data_rules.cpp): each replaces one
// pattern anchored at `node` (inserting before context.position()) or throws NotLowerable with the
// reason before the pattern is recorded. `lower_op` dispatches on node.op; other ops throw
// NotLowerable.
void lower_op(Context& context, ir::Node& node);
void lower_conv(Context& context, ir::Node& node);
void lower_gemm(Context& context, ir::Node& node);
void lower_matmul(Context& context, ir::Node& node);
void lower_pool(Context& context, ir::Node& node);
void lower_binary(Context& context, ir::Node& node);
void lower_reshape_like(Context& context, ir::Node& node);
void lower_softmax(Context& context, ir::Node& node);
void lower_transpose(Context& context, ir::Node& node);
void lower_lut(Context& context, ir::Node& node);  // data_rules.cpp
void lower_concat(Context& context, ir::Node& node);
void lower_pad(Context& context, ir::Node& node);
void lower_conv_transpose(Context& context, ir::Node& node);  // conv_rules.cpp
void lower_min_max(Context& context, ir::Node& node);         // other_rules.cpp

// Finishing a pattern: marks op, activation and quantize consumed and records the result.
void finish(Context& context, ir::Node& op, const OutputMatch& match, Lowered result);
// The attributes activation_min/max of a match.
void set_activation(ir::Attributes& attrs, const OutputMatch& match);

}  // namespace tinyexec::passes::lowering
