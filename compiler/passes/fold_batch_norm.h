// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ir/graph.h"

namespace tinyexec::passes {

// Folds onnx.BatchNormalization (inference) into the onnx.Conv, onnx.ConvTranspose or onnx.Gemm
// (a Linear followed by BatchNorm1d) that
// feeds it, when the convolution's weight and bias and the normalization's parameters are
// constants and the BatchNormalization is the convolution output's only user:
//   s[c] = scale[c] / sqrt(var[c] + epsilon)
//   W'[c, ...] = W[c, ...] * s[c]          (for ConvTranspose: every weight of output channel c)
//   b'[c] = (b[c] - mean[c]) * s[c] + B[c]  (b = 0 without a bias)
// computed in double and stored as float32. Returns the number of BatchNormalizations folded.
int fold_batch_norm(ir::Graph& graph);

}  // namespace tinyexec::passes
