// SPDX-License-Identifier: Apache-2.0
#include "packed_case.h"

#include <cstring>

namespace tinyexec::golden {
namespace {

uint32_t read_u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

int64_t read_i64(const uint8_t* p) {
  const uint64_t bits =
      static_cast<uint64_t>(read_u32(p)) | (static_cast<uint64_t>(read_u32(p + 4)) << 32);
  int64_t value;
  std::memcpy(&value, &bits, sizeof value);  // two's complement reinterpretation, no UB
  return value;
}

bool little_endian() {
  const uint16_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

// The string table, checked once: a ref is valid if it is inside the table and a NUL follows
// it inside the table.
class Strings {
 public:
  Strings(const uint8_t* table, uint32_t size) : table_(table), size_(size) {}
  const char* get(uint64_t ref) const {
    if (ref >= size_) return nullptr;
    const void* nul = std::memchr(table_ + ref, '\0', size_ - static_cast<size_t>(ref));
    return nul == nullptr ? nullptr : reinterpret_cast<const char*>(table_ + ref);
  }

 private:
  const uint8_t* table_;
  uint32_t size_;
};

bool known_dtype(uint32_t dtype) {
  return dtype >= static_cast<uint32_t>(DType::kInt8) &&
         dtype <= static_cast<uint32_t>(DType::kFloat32);
}

}  // namespace

const char* parse_packed_case(const uint8_t* data, size_t size, GoldenCase* out) {
  if (out == nullptr) return "no output case";
  *out = GoldenCase();
  if (!little_endian()) return "packed cases need a little-endian machine";
  if (data == nullptr || size < kPackedHeaderSize) return "shorter than the 32-byte header";
  if (reinterpret_cast<uintptr_t>(data) % 4 != 0) return "case buffer is not 4-byte aligned";
  if (std::memcmp(data, kPackedMagic, 4) != 0) return "bad magic (not a packed golden case)";
  if (read_u32(data + 4) != kPackedVersion) return "unsupported packed-case version";
  if (read_u32(data + 8) != size) return "total_size does not match the file size";

  const uint32_t config_count = read_u32(data + 20);
  const uint32_t tensor_count = read_u32(data + 24);
  const uint32_t strings_size = read_u32(data + 28);
  if (config_count > static_cast<uint32_t>(GoldenCase::kMaxConfig))
    return "too many config entries";
  if (tensor_count > static_cast<uint32_t>(GoldenCase::kMaxTensors)) return "too many tensors";
  // 64-bit arithmetic: the counts are bounded above, strings_size is not.
  const uint64_t config_begin = kPackedHeaderSize;
  const uint64_t tensors_begin = config_begin + uint64_t{config_count} * kPackedEntrySize;
  const uint64_t strings_begin = tensors_begin + uint64_t{tensor_count} * kPackedEntrySize;
  const uint64_t strings_end = strings_begin + strings_size;
  if (strings_end > size) return "sections run past the end of the case";
  const Strings strings(data + strings_begin, strings_size);

  const char* family = strings.get(read_u32(data + 12));
  const char* name = strings.get(read_u32(data + 16));
  if (family == nullptr || name == nullptr) return "family or case name: bad string ref";
  out->set_names(family, name);

  for (uint32_t i = 0; i < config_count; ++i) {
    const uint8_t* entry = data + config_begin + uint64_t{i} * kPackedEntrySize;
    const char* key = strings.get(read_u32(entry));
    if (key == nullptr) return "config key: bad string ref";
    const uint32_t kind = read_u32(entry + 4);
    const int64_t value = read_i64(entry + 8);
    if (kind == kPackedKindInt) {
      if (!out->add_int(key, value)) return "config key empty, malformed or duplicated";
    } else if (kind == kPackedKindString) {
      const char* text = value < 0 ? nullptr : strings.get(static_cast<uint64_t>(value));
      if (text == nullptr) return "config string value: bad string ref";
      if (!out->add_string(key, text)) return "config key empty, malformed or duplicated";
    } else {
      return "config entry of unknown kind";
    }
  }

  uint64_t data_floor = strings_end;  // blobs come after the tables, in order
  for (uint32_t i = 0; i < tensor_count; ++i) {
    const uint8_t* entry = data + tensors_begin + uint64_t{i} * kPackedEntrySize;
    const char* tensor_name = strings.get(read_u32(entry));
    if (tensor_name == nullptr) return "tensor name: bad string ref";
    const uint32_t dtype = read_u32(entry + 4);
    if (!known_dtype(dtype)) return "tensor of unknown dtype";
    const uint32_t count = read_u32(entry + 8);
    const uint32_t offset = read_u32(entry + 12);
    if (count > static_cast<uint32_t>(INT32_MAX)) return "tensor element count too large";
    if (offset % 4 != 0) return "tensor data not 4-byte aligned";
    const uint64_t bytes = uint64_t{count} * dtype_size(static_cast<DType>(dtype));
    if (offset < data_floor || offset + bytes > size) return "tensor data out of bounds";
    data_floor = offset + bytes;
    if (!out->add_tensor(tensor_name, static_cast<DType>(dtype), data + offset,
                         static_cast<int32_t>(count))) {
      return "tensor name empty, malformed or duplicated";
    }
  }
  return nullptr;
}

}  // namespace tinyexec::golden
