// SPDX-License-Identifier: Apache-2.0
// convolve_1x1_s8_fast cases (CMSIS-NN arm_convolve_1x1_s8_fast) -> kernels::conv2d_s8,
// which covers 1x1 filters (no separate 1x1 kernel exists yet).
#include "conv_case.h"
#include "families.h"

namespace tinyexec::golden::family {

bool convolve_1x1_s8_fast(const GoldenCase& c, Workspace& ws, Report& r) {
  return run_conv2d(c, ConvKind::kRegular, ws, r);
}

}  // namespace tinyexec::golden::family
