// SPDX-License-Identifier: Apache-2.0
// convolve_s8 cases (CMSIS-NN arm_convolve_s8) -> kernels::conv2d_s8.
#include "conv_case.h"
#include "families.h"

namespace tinyexec::golden::family {

bool convolve_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  return run_conv2d(c, ConvKind::kRegular, ws, r);
}

}  // namespace tinyexec::golden::family
