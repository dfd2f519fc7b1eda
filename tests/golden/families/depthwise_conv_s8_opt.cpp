// SPDX-License-Identifier: Apache-2.0
// depthwise_conv_s8_opt cases (CMSIS-NN arm_depthwise_conv_s8_opt, ch_mult 1)
// -> kernels::depthwise_conv2d_s8.
#include "conv_case.h"
#include "families.h"

namespace tinyexec::golden::family {

bool depthwise_conv_s8_opt(const GoldenCase& c, Workspace& ws, Report& r) {
  return run_depthwise_conv2d(c, ws, r);
}

}  // namespace tinyexec::golden::family
