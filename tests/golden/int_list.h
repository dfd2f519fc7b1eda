// SPDX-License-Identifier: Apache-2.0
// Integer lists written as config strings: "5,4,20", "{5, 4, 20}", "[1, 0]", and CMSIS-NN's
// initializer style with a trailing comma "{5, 4, 3, 0,}". Used for transpose dims and perms,
// on the device and by the host tool, so both accept exactly the same spellings.
#pragma once

#include <cstdint>

namespace tinyexec::golden {

// Parses `text` into out[0, *count). False (and *count unspecified) for anything that is not
// a non-empty list of int32 values, or one longer than `capacity`.
bool parse_int_list(const char* text, int32_t* out, int capacity, int* count);

}  // namespace tinyexec::golden
