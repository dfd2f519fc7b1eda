// SPDX-License-Identifier: Apache-2.0
// maximum_minimum_s8 cases (CMSIS-NN arm_maximum_s8 / arm_minimum_s8, chosen by the config's
// layer_type) -> kernels::maximum_s8 / minimum_s8. The cases also carry quantization keys, unused:
// TFLite requires one scale for both inputs and the output, so no rescaling takes place.
#include <cstring>

#include "binary_case.h"
#include "common.h"
#include "families.h"
#include "tinyexec/kernels/elementwise.h"

namespace tinyexec::golden::family {

bool maximum_minimum_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  const char* type = c.string_config("layer_type");
  if (type == nullptr) return r.fail("missing config key 'layer_type' (string)");
  const bool is_max = std::strcmp(type, "maximum") == 0;
  if (!is_max && std::strcmp(type, "minimum") != 0) {
    return r.fail("layer_type '%s' is neither maximum nor minimum", type);
  }
  BinaryCase b{};
  if (!read_binary_case(c, &b, r)) return false;
  int8_t* out = alloc_output(ws, *b.expected, r);
  if (out == nullptr) return false;
  const kernels::Span<const int8_t> in1 = span_i8(*b.input1);
  const kernels::Span<const int8_t> in2 = span_i8(*b.input2);
  const kernels::Span<int8_t> dst = span_out(out, *b.expected);
  const kernels::Status status =
      is_max ? kernels::maximum_s8(b.input1_dims, in1, b.input2_dims, in2, b.output_dims, dst)
             : kernels::minimum_s8(b.input1_dims, in1, b.input2_dims, in2, b.output_dims, dst);
  return check_status(status, is_max ? "maximum_s8" : "minimum_s8", r) &&
         compare_i8(out, *b.expected, r);
}

}  // namespace tinyexec::golden::family
