// SPDX-License-Identifier: Apache-2.0
// transpose_s8 cases (CMSIS-NN arm_transpose_s8) -> kernels::transpose_s8.
//
// Dims and perm come from the config as lists ("5,4,20", "{5, 4, 20, 0,}", or a JSON array
// turned into such a string by the host tool). The cases in ../shared lost them in conversion;
// the host tool fills them in from tests/golden/transpose_supplement.json, which cites its
// source. Without usable ones the case fails: nothing here guesses a shape.
#include "../int_list.h"
#include "common.h"
#include "families.h"
#include "tinyexec/kernels/transpose.h"

namespace tinyexec::golden::family {
namespace {

constexpr int kMaxList = 8;

// An integer config value is a one-element list; null or unparsable gives false.
bool read_list(const ConfigEntry* entry, int32_t* values, int* count) {
  if (entry == nullptr) return false;
  if (!entry->is_string) {
    if (entry->int_value < INT32_MIN || entry->int_value > INT32_MAX) return false;
    values[0] = static_cast<int32_t>(entry->int_value);
    *count = 1;
    return true;
  }
  return parse_int_list(entry->string_value, values, kMaxList, count);
}

// CMSIS-NN writes dims as a 4-entry initializer padded with zeros ({5, 4, 3, 0} for rank 3).
void drop_zero_padding(const int32_t* values, int* count, int rank) {
  if (*count <= rank) return;
  for (int i = rank; i < *count; ++i) {
    if (values[i] != 0) return;
  }
  *count = rank;
}

const char* text_of(const ConfigEntry* entry) {
  return entry == nullptr ? "" : (entry->is_string ? entry->string_value : "?");
}

}  // namespace

bool transpose_s8(const GoldenCase& c, Workspace& ws, Report& r) {
  const ConfigEntry* dims_entry = c.find_config("in_dim|input_dims");
  const ConfigEntry* perm_entry = c.find_config("perm|permutation");
  int32_t dims[kMaxList], perm[kMaxList];
  int rank = 0, dims_count = 0;
  if (!read_list(dims_entry, dims, &dims_count) || !read_list(perm_entry, perm, &rank)) {
    return r.fail("transpose case lacks in_dim/perm (in_dim \"%s\", perm \"%s\")",
                  text_of(dims_entry), text_of(perm_entry));
  }
  drop_zero_padding(dims, &dims_count, rank);
  int32_t perm_size = rank;
  if (!get_i32_or(c, "perm_size", rank, &perm_size, r)) return false;
  if (rank > 4 || dims_count != rank || perm_size != rank) {
    return r.fail("in_dim has %d entries, perm %d, perm_size %ld (need equal, at most 4)",
                  dims_count, rank, static_cast<long>(perm_size));
  }
  bool seen[4] = {false, false, false, false};
  for (int i = 0; i < rank; ++i) {
    if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) {
      return r.fail("perm is not a permutation of 0..%d", rank - 1);
    }
    seen[perm[i]] = true;
  }
  int32_t count = 0;
  if (!dims_product(dims, rank, "in_dim", &count, r)) return false;

  // out_dim is optional; when present and readable it must agree with in_dim and perm.
  int32_t out_dims[kMaxList];
  int out_count = 0;
  if (read_list(c.find_config("out_dim|output_dims"), out_dims, &out_count)) {
    drop_zero_padding(out_dims, &out_count, rank);
    for (int i = 0; i < rank; ++i) {
      if (out_count != rank || out_dims[i] != dims[perm[i]]) {
        return r.fail("out_dim disagrees with in_dim permuted by perm");
      }
    }
  }
  int32_t size = count;
  if (!get_i32_or(c, "size|dst_size", count, &size, r)) return false;
  if (size != count) {
    return r.fail("size %ld disagrees with in_dim (%ld elements)", static_cast<long>(size),
                  static_cast<long>(count));
  }
  const TensorView* input = need_tensor(c, "input_tensor|input", DType::kInt8, count, r);
  const TensorView* expected = need_tensor(c, kExpectedOutput, DType::kInt8, count, r);
  if (!input || !expected) return false;

  // Rank r goes to the kernel as 4 - r leading 1s, with perm shifted past them.
  const int lead = 4 - rank;
  int32_t d4[4] = {1, 1, 1, 1};
  kernels::TransposeParams params{};
  for (int i = 0; i < lead; ++i) params.perm[i] = i;
  for (int i = 0; i < rank; ++i) {
    d4[lead + i] = dims[i];
    params.perm[lead + i] = perm[i] + lead;
  }
  int8_t* out = alloc_output(ws, *expected, r);
  if (out == nullptr) return false;
  const kernels::Status status =
      kernels::transpose_s8(kernels::Dims4{d4[0], d4[1], d4[2], d4[3]}, params, span_i8(*input),
                            span_out(out, *expected));
  return check_status(status, "transpose_s8", r) && compare_i8(out, *expected, r);
}

}  // namespace tinyexec::golden::family
