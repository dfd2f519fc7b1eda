// SPDX-License-Identifier: Apache-2.0
// Post-training int8 quantization (CMSIS-NN / TFLite scheme, docs/dialect.md) of a float
// `onnx.*` graph (NCHW, as imported) into a QDQ graph:
//
//   quantizer::Quantizer q(float_graph, options);   // prepare: fold BN, place observers
//   q.calibrate(samples);                           // reference::run over sample inputs
//   ir::Graph qdq = q.convert();                    // the float graph is never modified
//
// convert() produces:
// - for every observed activation value v (quantizer/prepare.h): v -> onnx.QuantizeLinear ->
//   onnx.DequantizeLinear (scalar f32 scale, scalar int8 zero point, TFLite arithmetic:
//   quantizer/observer.h) and every user of v reads the DequantizeLinear output; graph outputs
//   keep their names (the float value before the pair is renamed "<name>_float");
// - Conv / ConvTranspose constant weights: int8 symmetric per output channel (axis 0 for Conv;
//   axis 1 for ConvTranspose, whose weight is [Cin, Cout/groups, kh, kw], so with groups > 1 a
//   scale is shared by the same channel index of every group) -> onnx.DequantizeLinear(axis);
// - Gemm / MatMul constant B: int8 symmetric per tensor, or per output channel with
//   options.per_channel_linear (Gemm: axis 0 if transB else 1; MatMul: the last axis);
// - Conv / ConvTranspose / Gemm bias (input 2, constant): int32, zero point 0, scale = input
//   scale * weight scale (per channel) -> onnx.DequantizeLinear. A bias is left float when the
//   op's input 0 is not quantized, or (per channel) when its shape is not [C] (Gemm: [N] or
//   [1, N]).
// The int8/int32 values carry their parameters in ir::Value::quant too. Other float constants
// (an Add's constant operand, Clip bounds, BatchNormalization parameters not folded) stay float.
//
// Errors (CompileError) name the value or node and the reason: no samples, a sample of the
// wrong type, a non-finite value during calibration, a value never observed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quantizer/observer.h"
#include "quantizer/prepare.h"

namespace tinyexec::quantizer {

struct QuantizerOptions {
  ObserverKind observer = ObserverKind::kMinMax;
  bool per_channel_linear = false;  // Gemm / MatMul weights per output channel
  bool show_progress = false;       // "calibrating 37/200" on stderr
  // Fold Conv -> BatchNormalization before placing observers (passes/fold_batch_norm.h).
  bool fold_batch_norm = true;
  int histogram_bins = 2048;  // ObserverKind::kHistogram only
  double percentile = 99.99;  // ObserverKind::kHistogram only: percentile of |x| kept
};

class Quantizer {
 public:
  // Copies the graph, folds BatchNormalization into Conv, runs passes::float_passes() (GELU
  // patterns become onnx.Gelu), then places the observers.
  explicit Quantizer(const ir::Graph& float_graph, QuantizerOptions options = {});

  // Runs the prepared graph on each sample (one tensor per graph input, in order) and updates
  // the observers. May be called several times; observations accumulate.
  void calibrate(const std::vector<std::vector<ir::Tensor>>& samples);

  // The QDQ graph (shapes inferred, verified). Requires calibration.
  ir::Graph convert() const;

  // The float graph the observers watch (a copy of the input, BatchNormalization folded, the
  // float passes run).
  const ir::Graph& prepared_graph() const { return graph_; }
  const ObserverPlan& plan() const { return plan_; }
  int64_t samples_seen() const { return samples_; }
  // The parameters of an observed value (its group's); throws if the value is not observed or
  // was never seen.
  ActivationParams params(const std::string& value) const;
  // The range the value's observer settled on (the fixed range for fixed groups).
  Range range(const std::string& value) const;

 private:
  size_t group_index(const std::string& value) const;
  void observe(size_t sample, const ir::Value& value, const ir::Tensor& tensor);

  ir::Graph graph_;
  QuantizerOptions options_;
  ObserverPlan plan_;
  std::vector<std::unique_ptr<Observer>> observers_;  // per group; nullptr: fixed parameters
  int64_t samples_ = 0;
};

// Calibration inputs for a graph with one input, from .npy files (support/npy.h). Each sample
// must have the input's dtype and as many elements as the input (e.g. [1,28,28] for an input
// [1,1,28,28]); it is reshaped to the input's shape.
// - load_samples_from_folder: every *.npy file of the folder is one sample, sorted by name;
// - load_stacked_samples: one .npy whose first axis indexes the samples.
std::vector<std::vector<ir::Tensor>> load_samples_from_folder(const ir::Graph& graph,
                                                              const std::filesystem::path& folder);
std::vector<std::vector<ir::Tensor>> load_stacked_samples(const ir::Graph& graph,
                                                          const std::filesystem::path& file);

}  // namespace tinyexec::quantizer
