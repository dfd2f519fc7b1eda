// SPDX-License-Identifier: Apache-2.0
#include "binary_case.h"

#include "common.h"

namespace tinyexec::golden {
namespace {

constexpr const char* kInput1 = "input1|input_1|input_tensor_1";
constexpr const char* kInput2 = "input2|input_2|input_tensor_2";

bool read_dims(const GoldenCase& c, const char* n, const char* h, const char* w, const char* ch,
               kernels::Dims4* dims, Report& r) {
  return get_i32(c, n, &dims->n, r) && get_i32(c, h, &dims->h, r) && get_i32(c, w, &dims->w, r) &&
         get_i32(c, ch, &dims->c, r);
}

bool count(const kernels::Dims4& d, const char* what, int32_t* out, Report& r) {
  const int32_t dims[] = {d.n, d.h, d.w, d.c};
  return dims_product(dims, 4, what, out, r);
}

}  // namespace

bool read_binary_case(const GoldenCase& c, BinaryCase* out, Report& r) {
  BinaryCase& v = *out;
  if (c.find_config("batch_1") != nullptr) {
    if (!read_dims(c, "batch_1", "height_1", "width_1", "channel_1", &v.input1_dims, r) ||
        !read_dims(c, "batch_2", "height_2", "width_2", "channel_2", &v.input2_dims, r) ||
        !read_dims(c, "output_batch", "output_height", "output_width", "output_channel",
                   &v.output_dims, r)) {
      return false;
    }
  } else {
    // Flat cases: every tensor is one block of dst_size elements.
    const TensorView* expected = c.tensor(kExpectedOutput);
    if (expected == nullptr) return r.fail("missing tensor '%s'", kExpectedOutput);
    int32_t size = 0;
    if (!get_i32_or(c, "dst_size|block_size", expected->count, &size, r)) {
      return false;
    }
    v.input1_dims = v.input2_dims = v.output_dims = kernels::Dims4{1, 1, 1, size};
  }
  int32_t n1 = 0, n2 = 0, n_out = 0;
  if (!count(v.input1_dims, "input 1", &n1, r) || !count(v.input2_dims, "input 2", &n2, r) ||
      !count(v.output_dims, "output", &n_out, r)) {
    return false;
  }
  v.input1 = need_tensor(c, kInput1, DType::kInt8, n1, r);
  v.input2 = need_tensor(c, kInput2, DType::kInt8, n2, r);
  v.expected = need_tensor(c, kExpectedOutput, DType::kInt8, n_out, r);
  return v.input1 && v.input2 && v.expected;
}

}  // namespace tinyexec::golden
