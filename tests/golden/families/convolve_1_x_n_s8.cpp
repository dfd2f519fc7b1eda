// SPDX-License-Identifier: Apache-2.0
// convolve_1_x_n_s8 cases (CMSIS-NN arm_convolve_1_x_n_s8: 1xN filters on 1-row inputs)
// -> kernels::conv2d_s8, which covers every filter size.
#include "conv_case.h"
#include "families.h"

namespace tinyexec::golden::family {

bool convolve_1_x_n_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  return run_conv2d(c, ConvKind::kRegular, ws, r);
}

}  // namespace tinyexec::golden::family
