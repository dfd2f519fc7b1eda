// SPDX-License-Identifier: Apache-2.0
// depthwise_conv_3x3_s8 cases (CMSIS-NN arm_depthwise_conv_3x3_s8)
// -> kernels::depthwise_conv2d_s8.
#include "conv_case.h"
#include "families.h"

namespace tinyexec::golden::family {

bool depthwise_conv_3x3_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  return run_depthwise_conv2d(c, ws, r);
}

}  // namespace tinyexec::golden::family
