// SPDX-License-Identifier: Apache-2.0
// grouped_convolve_s8 cases (CMSIS-NN grouped arm_convolve_s8; filter_ch input channels per
// group) -> kernels::conv2d_s8, whose groups follow from input channels / filter channels.
#include "conv_case.h"
#include "families.h"

namespace tinyexec::golden::family {

bool grouped_convolve_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  return run_conv2d(c, ConvKind::kGrouped, ws, r);
}

}  // namespace tinyexec::golden::family
