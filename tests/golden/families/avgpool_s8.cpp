// SPDX-License-Identifier: Apache-2.0
// avgpool_s8 cases (CMSIS-NN arm_avgpool_s8) -> kernels::avg_pool_s8.
#include "common.h"
#include "families.h"
#include "pool_case.h"

namespace tinyexec::golden::family {

bool avgpool_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  PoolCase v{};
  if (!read_pool_case(c, &v, r)) return false;
  const int32_t scratch_bytes = kernels::avg_pool_s8_scratch_size(v.input_dims, v.output_dims);
  void* scratch = alloc_scratch(ws, scratch_bytes, "avg_pool_s8", r);
  int8_t* out = scratch ? alloc_output(ws, *v.expected, r) : nullptr;
  if (out == nullptr) return false;
  const kernels::Status status =
      kernels::avg_pool_s8(v.params, v.input_dims, span_i8(*v.input), v.output_dims,
                           span_out(out, *v.expected), span_scratch(scratch, scratch_bytes));
  return check_status(status, "avg_pool_s8", r) && compare_i8(out, *v.expected, r);
}

}  // namespace tinyexec::golden::family
