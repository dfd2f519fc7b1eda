// SPDX-License-Identifier: Apache-2.0
#include "common.h"

#include <cstring>

namespace tinyexec::golden {
namespace {

bool to_i32(const GoldenCase& c, const char* keys, int32_t* out, Report& r) {
  int64_t value = 0;
  const char* key = keys;
  if (!c.int_config(keys, &value, &key)) {
    const char* text = c.string_config(keys);
    return r.fail("config key '%s' is not an integer (\"%s\")", keys, text ? text : "");
  }
  if (value < INT32_MIN || value > INT32_MAX) {
    return r.fail("config key '%s' does not fit in int32", key);
  }
  *out = static_cast<int32_t>(value);
  return true;
}

bool check_tensor(const TensorView& t, DType dtype, int64_t count, Report& r) {
  if (t.dtype != dtype) {
    return r.fail("tensor '%s' is %s, expected %s", t.name, dtype_name(t.dtype), dtype_name(dtype));
  }
  if (count >= 0 && t.count != count) {
    return r.fail("tensor '%s' has %ld elements, the config gives %ld", t.name,
                  static_cast<long>(t.count), static_cast<long>(count));
  }
  return true;
}

}  // namespace

bool get_i32(const GoldenCase& c, const char* keys, int32_t* out, Report& r) {
  if (c.find_config(keys) == nullptr) return r.fail("missing config key '%s'", keys);
  return to_i32(c, keys, out, r);
}

bool get_i32_or(const GoldenCase& c, const char* keys, int32_t fallback, int32_t* out, Report& r) {
  if (c.find_config(keys) == nullptr) {
    *out = fallback;
    return true;
  }
  return to_i32(c, keys, out, r);
}

bool get_flag_or(const GoldenCase& c, const char* keys, bool fallback, bool* out, Report& r) {
  const ConfigEntry* entry = c.find_config(keys);
  if (entry == nullptr) {
    *out = fallback;
    return true;
  }
  if (!entry->is_string && (entry->int_value == 0 || entry->int_value == 1)) {
    *out = entry->int_value == 1;
    return true;
  }
  if (entry->is_string && (std::strcmp(entry->string_value, "true") == 0 ||
                           std::strcmp(entry->string_value, "false") == 0)) {
    *out = std::strcmp(entry->string_value, "true") == 0;
    return true;
  }
  return r.fail("config key '%s' is not a boolean", entry->key);
}

const TensorView* need_tensor(const GoldenCase& c, const char* names, DType dtype, int64_t count,
                              Report& r) {
  const TensorView* t = c.tensor(names);
  if (t == nullptr) {
    r.fail("missing tensor '%s'", names);
    return nullptr;
  }
  return check_tensor(*t, dtype, count, r) ? t : nullptr;
}

const TensorView* optional_tensor(const GoldenCase& c, const char* names, DType dtype,
                                  int64_t count, Report& r, bool* ok) {
  const TensorView* t = c.tensor(names);
  *ok = t == nullptr || check_tensor(*t, dtype, count, r);
  return t;
}

bool dims_product(const int32_t* dims, int n, const char* what, int32_t* out, Report& r) {
  int64_t product = 1;
  for (int i = 0; i < n; ++i) {
    if (dims[i] <= 0) return r.fail("%s: dimension %d is %ld", what, i, static_cast<long>(dims[i]));
    product *= dims[i];
    if (product > INT32_MAX) return r.fail("%s: element count overflows int32", what);
  }
  *out = static_cast<int32_t>(product);
  return true;
}

int8_t* alloc_i8(Workspace& ws, int32_t count, const char* what, Report& r) {
  void* p = count < 0 ? nullptr : ws.allocate(static_cast<size_t>(count));
  if (p == nullptr) {
    r.fail("workspace too small for %s (%ld bytes; %lu of %lu in use)", what,
           static_cast<long>(count), static_cast<unsigned long>(ws.used()),
           static_cast<unsigned long>(ws.capacity()));
  }
  return static_cast<int8_t*>(p);
}

int8_t* alloc_output(Workspace& ws, const TensorView& expected, Report& r) {
  int8_t* out = alloc_i8(ws, expected.count, "the output", r);
  if (out == nullptr) return nullptr;
  for (int32_t i = 0; i < expected.count; ++i) out[i] = static_cast<int8_t>(~expected.i8()[i]);
  return out;
}

void* alloc_scratch(Workspace& ws, int32_t bytes, const char* kernel, Report& r) {
  if (bytes < 0) {
    r.fail("%s scratch size query returned %ld", kernel, static_cast<long>(bytes));
    return nullptr;
  }
  void* p = ws.allocate(static_cast<size_t>(bytes));
  if (p == nullptr) {
    r.fail("workspace too small for %s scratch (%ld bytes; %lu of %lu in use)", kernel,
           static_cast<long>(bytes), static_cast<unsigned long>(ws.used()),
           static_cast<unsigned long>(ws.capacity()));
  }
  return p;
}

bool check_status(kernels::Status status, const char* kernel, Report& r) {
  if (status == kernels::Status::kOk) return true;
  return r.fail("%s returned %s", kernel, kernels::status_name(status));
}

bool compare_i8(const int8_t* got, const TensorView& expected, Report& r) {
  const int8_t* want = expected.i8();
  int32_t first = -1;
  int32_t differing = 0;
  for (int32_t i = 0; i < expected.count; ++i) {
    if (got[i] != want[i]) {
      if (first < 0) first = i;
      ++differing;
    }
  }
  if (first < 0) {
    r.pass();
    return true;
  }
  return r.fail("output mismatch at index %ld: expected %d, got %d (%ld of %ld differ)",
                static_cast<long>(first), want[first], got[first], static_cast<long>(differing),
                static_cast<long>(expected.count));
}

}  // namespace tinyexec::golden
