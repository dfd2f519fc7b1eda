// SPDX-License-Identifier: Apache-2.0
// One runner per golden-vector family, named after the case's JSON "kernel" field. Each reads
// its config and tensors, calls our kernel (kernels/include/tinyexec/kernels/), and records
// PASS or FAIL in the report; it returns report.passed(). Memory comes from the workspace only.
#pragma once

#include "../golden_case.h"
#include "../report.h"

namespace tinyexec::golden::family {

using Runner = bool (*)(const GoldenCase& c, Workspace& ws, Report& r);

bool avgpool_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool batch_matmul_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool convolve_1_x_n_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool convolve_1x1_s8_fast(const GoldenCase& c, Workspace& ws, Report& r);
bool convolve_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool depthwise_conv_3x3_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool depthwise_conv_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool depthwise_conv_s8_opt(const GoldenCase& c, Workspace& ws, Report& r);
bool elementwise_add_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool elementwise_mul_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool fully_connected_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool grouped_convolve_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool max_pool_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool maximum_minimum_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool pad_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool softmax_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool transpose_conv_s8(const GoldenCase& c, Workspace& ws, Report& r);
bool transpose_s8(const GoldenCase& c, Workspace& ws, Report& r);

}  // namespace tinyexec::golden::family
