// SPDX-License-Identifier: Apache-2.0
// max_pool_s8 cases (CMSIS-NN arm_max_pool_s8) -> kernels::max_pool_s8.
#include "common.h"
#include "families.h"
#include "pool_case.h"

namespace tinyexec::golden::family {

bool max_pool_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  PoolCase v{};
  if (!read_pool_case(c, &v, r)) return false;
  int8_t* out = alloc_output(ws, *v.expected, r);
  if (out == nullptr) return false;
  const kernels::Status status = kernels::max_pool_s8(v.params, v.input_dims, span_i8(*v.input),
                                                      v.output_dims, span_out(out, *v.expected));
  return check_status(status, "max_pool_s8", r) && compare_i8(out, *v.expected, r);
}

}  // namespace tinyexec::golden::family
