// SPDX-License-Identifier: Apache-2.0
// The packed case: one golden case as a compact binary that boards read through semihosting
// (JSON is too big and too slow to parse there). Written by the host tool
// (tools/golden, `tinyexec-golden --pack`), read here without heap; the bytes are untrusted, so
// every count, offset and string is checked before use.
//
// Format version 1, all integers little endian, offsets in bytes from the start of the case:
//
//   header (32 bytes)
//     0  char[4] magic        "TEGC"
//     4  u32     version      1
//     8  u32     total_size   bytes in the case; must equal the file size
//    12  u32     family       string ref: the JSON "kernel" field, e.g. "convolve_s8"
//    16  u32     case_name    string ref: the JSON "case" field
//    20  u32     config_count entries, <= GoldenCase::kMaxConfig
//    24  u32     tensor_count entries, <= GoldenCase::kMaxTensors
//    28  u32     strings_size bytes in the string table
//   config entries, at 32, config_count x 16 bytes
//     u32 key (string ref), u32 kind (0 integer, 1 string), i64 value (the integer, or a
//     string ref for kind 1)
//   tensor entries, right after, tensor_count x 16 bytes
//     u32 name (string ref), u32 dtype (golden::DType: 1 int8, 2 int16, 3 int32, 4 float32),
//     u32 count (elements), u32 data_offset (a multiple of 4)
//   string table, right after, strings_size bytes of NUL-terminated strings; a string ref is
//     the offset of a string's first byte within the table
//   tensor data: each blob at its data_offset, in entry order, after the string table, not
//     overlapping the previous blob, padded with zeros to 4 bytes, ending within total_size
//
// Tensor data is used in place: the case buffer must be 4-byte aligned, and the machine little
// endian (every Cortex-M build here and x86/arm64 hosts are).
#pragma once

#include <cstddef>
#include <cstdint>

#include "golden_case.h"

namespace tinyexec::golden {

inline constexpr char kPackedMagic[4] = {'T', 'E', 'G', 'C'};
inline constexpr uint32_t kPackedVersion = 1;
inline constexpr size_t kPackedHeaderSize = 32;
inline constexpr size_t kPackedEntrySize = 16;
inline constexpr uint32_t kPackedKindInt = 0;
inline constexpr uint32_t kPackedKindString = 1;

// Fills *out from the packed case in data[0, size). Returns nullptr on success, else a short
// static description of what is wrong ("string ref out of range", ...). On failure *out is
// left partially filled and must not be used.
const char* parse_packed_case(const uint8_t* data, size_t size, GoldenCase* out);

}  // namespace tinyexec::golden
