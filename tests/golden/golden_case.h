// SPDX-License-Identifier: Apache-2.0
// One golden-vector case in memory: the kernel family, the case name, the scalar config and the
// flat tensors of a CMSIS-NN test case (see ../shared/testdata/cmsis-nn-s8/README.md). Device
// code: fixed capacity, no heap. A GoldenCase owns nothing: its strings and tensor data point
// into the buffer it was parsed from (packed_case.h), which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tinyexec::golden {

enum class DType : uint32_t { kInt8 = 1, kInt16 = 2, kInt32 = 3, kFloat32 = 4 };

// Bytes per element, 0 for an unknown dtype.
size_t dtype_size(DType dtype);
// "int8", "int16", "int32", "float32", or "unknown".
const char* dtype_name(DType dtype);

// A config value is an integer (dims, offsets, multipliers) or a string (pad "SAME", w_type
// "INT8", per_channel_quant "true", transpose dims "5,4,20").
struct ConfigEntry {
  const char* key = nullptr;
  bool is_string = false;
  int64_t int_value = 0;
  const char* string_value = nullptr;
};

struct TensorView {
  const char* name = nullptr;
  DType dtype = DType::kInt8;
  const void* data = nullptr;  // aligned to the element size
  int32_t count = 0;           // elements

  const int8_t* i8() const { return static_cast<const int8_t*>(data); }
  const int16_t* i16() const { return static_cast<const int16_t*>(data); }
  const int32_t* i32() const { return static_cast<const int32_t*>(data); }
};

class GoldenCase {
 public:
  static constexpr int kMaxConfig = 64;
  static constexpr int kMaxTensors = 16;

  void set_names(const char* family, const char* name) {
    family_ = family;
    name_ = name;
  }
  // False when the table is full or the key/name is already present (a case is ambiguous then).
  bool add_int(const char* key, int64_t value);
  bool add_string(const char* key, const char* value);
  bool add_tensor(const char* name, DType dtype, const void* data, int32_t count);

  const char* family() const { return family_; }
  const char* name() const { return name_; }
  int config_count() const { return config_count_; }
  const ConfigEntry& config_at(int i) const { return config_[i]; }
  int tensor_count() const { return tensor_count_; }
  const TensorView& tensor_at(int i) const { return tensors_[i]; }

  // `keys` is one name or several aliases separated by '|' ("output_mult|output_multiplier");
  // the first alias present wins, so list the canonical name first.
  const ConfigEntry* find_config(const char* keys) const;
  // False if absent or a string. On success *matched (if given) names the alias found.
  bool int_config(const char* keys, int64_t* value, const char** matched = nullptr) const;
  // Null if absent or an integer.
  const char* string_config(const char* keys) const;
  // Null if none of the aliases is present.
  const TensorView* tensor(const char* names) const;

 private:
  const char* family_ = "";
  const char* name_ = "";
  ConfigEntry config_[kMaxConfig];
  int config_count_ = 0;
  TensorView tensors_[kMaxTensors];
  int tensor_count_ = 0;
};

// True if `name` is one of the '|'-separated aliases in `names`.
bool alias_matches(const char* names, const char* name);

}  // namespace tinyexec::golden
